//! `{scope}/providers/Microsoft.Authorization/...`: the caller's
//! `permissions`, `roleAssignments` (list with `atScope()`,
//! `assignedTo('..')` and `principalId eq '..'`, get, PUT, DELETE) and the
//! built-in `roleDefinitions`. Scopes are the root, a subscription or a
//! resource group.

use super::{Authz, arm_error, forbidden, method_not_allowed, request_json, require, subscription};
use crate::auth::Caller;
use crate::directory::{Assignment, Directory, covers};
use crate::http::{Reply, Req};
use crate::ids::is_guid;
use crate::roles::{self, BUILT_IN, RoleDef};
use crate::state::{State, rfc3339};
use serde_json::{Value, json};

const ASSIGNMENTS_READ: &str = "Microsoft.Authorization/roleAssignments/read";
const ASSIGNMENTS_WRITE: &str = "Microsoft.Authorization/roleAssignments/write";
const ASSIGNMENTS_DELETE: &str = "Microsoft.Authorization/roleAssignments/delete";
/// When the built-in roles were created, as ARM reports it.
const BUILT_IN_CREATED: &str = "2015-02-02T21:55:09.8806423Z";

pub fn handle(
    state: &State,
    req: &Req,
    caller: &Caller,
    scope: &str,
    kind: Authz,
    name: Option<&str>,
) -> Result<Reply, Reply> {
    // A subscription scope must be one the caller may address, a group
    // scope an existing group.
    let segs: Vec<&str> = scope.split('/').collect();
    let sub_id = segs.get(2).map(|s| s.to_string());
    if let Some(id) = &sub_id {
        subscription(state, caller, id)?;
    }
    if let (Some(id), Some(group)) = (&sub_id, segs.get(4))
        && !state
            .directory()
            .groups
            .iter()
            .any(|g| g.subscription.eq_ignore_ascii_case(id) && g.name.eq_ignore_ascii_case(group))
    {
        return Err(arm_error(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{group}' could not be found."),
        ));
    }
    match (kind, req.method.as_str(), name) {
        (Authz::Permissions, "GET", None) => Ok(permissions(state, caller, scope)),
        (Authz::RoleDefinitions, "GET", None) => definitions(req, sub_id.as_deref()),
        (Authz::RoleDefinitions, "GET", Some(id)) => {
            let def = roles::by_id(id).ok_or_else(|| {
                arm_error(
                    404,
                    "RoleDefinitionDoesNotExist",
                    format!("The specified role definition with ID '{id}' does not exist."),
                )
            })?;
            Ok(Reply::json(200, &definition(def, sub_id.as_deref())))
        }
        (Authz::RoleAssignments, "GET", None) => list(state, req, caller, scope),
        (Authz::RoleAssignments, "GET", Some(n)) => {
            require(state, caller, scope_or_root(scope), ASSIGNMENTS_READ)?;
            let dir = state.directory();
            let a = dir
                .assignments
                .iter()
                .find(|a| {
                    a.name.eq_ignore_ascii_case(n)
                        && covers(&a.scope, scope)
                        && covers(scope, &a.scope)
                })
                .ok_or_else(|| assignment_not_found(n))?;
            Ok(Reply::json(200, &assignment(a)))
        }
        (Authz::RoleAssignments, "PUT", Some(n)) => create(state, req, caller, scope, n),
        (Authz::RoleAssignments, "DELETE", Some(n)) => {
            let id = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{n}");
            require(state, caller, scope_or_root(scope), ASSIGNMENTS_DELETE)
                .map_err(|_| forbidden(caller, ASSIGNMENTS_DELETE, &id))?;
            let mut dir = state.directory();
            match dir
                .assignments
                .iter()
                .position(|a| a.name.eq_ignore_ascii_case(n) && a.scope.eq_ignore_ascii_case(scope))
            {
                Some(i) => Ok(Reply::json(200, &assignment(&dir.assignments.remove(i)))),
                None => Ok(Reply::empty(204)),
            }
        }
        (_, m, _) => Err(method_not_allowed(m)),
    }
}

fn scope_or_root(scope: &str) -> &str {
    if scope.is_empty() { "/" } else { scope }
}

/// The caller's effective permissions at `scope`: one entry per role it
/// holds there (assigned there or above); empty with no role.
fn permissions(state: &State, caller: &Caller, scope: &str) -> Reply {
    let value: Vec<Value> = state
        .directory()
        .roles_at(&caller.object_id, scope_or_root(scope))
        .into_iter()
        .map(|r| {
            json!({
                "actions": r.actions,
                "notActions": r.not_actions,
                "dataActions": [],
                "notDataActions": [],
            })
        })
        .collect();
    Reply::json(200, &json!({ "value": value }))
}

/// A role definition as ARM shows it from a subscription (or the root).
fn definition(r: &RoleDef, sub: Option<&str>) -> Value {
    json!({
        "properties": {
            "roleName": r.name,
            "type": "BuiltInRole",
            "description": r.description,
            "assignableScopes": ["/"],
            "permissions": [{
                "actions": r.actions,
                "notActions": r.not_actions,
                "dataActions": [],
                "notDataActions": [],
            }],
            "createdOn": BUILT_IN_CREATED,
            "updatedOn": BUILT_IN_CREATED,
            "createdBy": null,
            "updatedBy": null,
        },
        "id": definition_id(r.id, sub),
        "type": "Microsoft.Authorization/roleDefinitions",
        "name": r.id,
    })
}

fn definition_id(role: &str, sub: Option<&str>) -> String {
    match sub {
        Some(s) => {
            format!("/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{role}")
        }
        None => format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
    }
}

/// `$filter`: none, `roleName eq '..'` or `type eq 'BuiltInRole'`.
fn definitions(req: &Req, sub: Option<&str>) -> Result<Reply, Reply> {
    let filter = req.query("$filter").map(str::trim).unwrap_or_default();
    let matching: Vec<&RoleDef> = if filter.is_empty() {
        BUILT_IN.to_vec()
    } else if let Some(name) = quoted_after(filter, "roleName eq") {
        roles::by_name(&name).into_iter().collect()
    } else if quoted_after(filter, "type eq").is_some_and(|t| t.eq_ignore_ascii_case("BuiltInRole"))
    {
        BUILT_IN.to_vec()
    } else if quoted_after(filter, "type eq").is_some() {
        vec![]
    } else {
        return Err(unsupported_filter(filter));
    };
    let value: Vec<Value> = matching.into_iter().map(|r| definition(r, sub)).collect();
    Ok(Reply::json(200, &json!({ "value": value })))
}

/// `eq 'value'` after `prefix` (case-insensitive; `''` is a quote).
fn quoted_after(filter: &str, prefix: &str) -> Option<String> {
    let rest = filter
        .get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| filter[prefix.len()..].trim())?;
    let inner = rest.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

fn unsupported_filter(filter: &str) -> Reply {
    arm_error(
        400,
        "UnsupportedQuery",
        format!(
            "The filter '{filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{{value}}' or assignedTo('{{value}}')'."
        ),
    )
}

fn assignment(a: &Assignment) -> Value {
    let sub = a.scope.split('/').nth(2);
    json!({
        "properties": {
            "roleDefinitionId": definition_id(a.role.id, sub),
            "principalId": a.principal_id,
            "principalType": a.principal_type,
            "scope": a.scope,
            "condition": null,
            "conditionVersion": null,
            "createdOn": rfc3339(a.created),
            "updatedOn": rfc3339(a.created),
            "createdBy": a.created_by,
            "updatedBy": a.created_by,
            "delegatedManagedIdentityResourceId": null,
            "description": null,
        },
        "id": format!("{}/providers/Microsoft.Authorization/roleAssignments/{}", a.scope, a.name),
        "type": "Microsoft.Authorization/roleAssignments",
        "name": a.name,
    })
}

fn assignment_not_found(name: &str) -> Reply {
    arm_error(
        404,
        "RoleAssignmentNotFound",
        format!("The role assignment '{name}' is not found."),
    )
}

/// `GET .../roleAssignments`: with no filter, those at, above and below
/// the scope; `atScope()`: at and above; `assignedTo`/`principalId eq`: one
/// principal's.
fn list(state: &State, req: &Req, caller: &Caller, scope: &str) -> Result<Reply, Reply> {
    let filter = req.query("$filter").map(str::trim).unwrap_or_default();
    let mut at_scope = false;
    let mut principal: Option<String> = None;
    for clause in split_and(filter) {
        if clause.eq_ignore_ascii_case("atScope()") {
            at_scope = true;
        } else if let Some(p) = quoted_after(clause, "principalId eq") {
            principal = Some(p);
        } else if let Some(p) = clause
            .get(..11)
            .filter(|s| s.eq_ignore_ascii_case("assignedTo("))
            .and_then(|_| clause[11..].strip_suffix(')'))
            .and_then(|q| q.strip_prefix('\'')?.strip_suffix('\''))
        {
            principal = Some(p.to_owned());
        } else {
            return Err(unsupported_filter(filter));
        }
    }
    // Anyone may list their own assignments; others need the read action.
    let own = principal
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case(&caller.object_id));
    if !own {
        require(state, caller, scope_or_root(scope), ASSIGNMENTS_READ)?;
    }
    let dir = state.directory();
    let value: Vec<Value> = dir
        .assignments
        .iter()
        .filter(|a| covers(&a.scope, scope) || (!at_scope && covers(scope, &a.scope)))
        .filter(|a| {
            principal
                .as_deref()
                .is_none_or(|p| a.principal_id.eq_ignore_ascii_case(p))
        })
        .map(assignment)
        .collect();
    Ok(Reply::json(200, &json!({ "value": value })))
}

fn split_and(filter: &str) -> Vec<&str> {
    if filter.is_empty() {
        return vec![];
    }
    let lower = filter.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut start = 0;
    while let Some(i) = lower[start..].find(" and ") {
        out.push(filter[start..start + i].trim());
        start += i + 5;
    }
    out.push(filter[start..].trim());
    out
}

/// `PUT .../roleAssignments/{name}`.
fn create(
    state: &State,
    req: &Req,
    caller: &Caller,
    scope: &str,
    name: &str,
) -> Result<Reply, Reply> {
    may_create(state, caller, scope, name)?;
    let wanted = Wanted::parse(req)?;
    let mut dir = state.directory();
    let principal_type = principal_type(state, &dir, caller, scope, &wanted)?;
    if let Some(existing) = dir
        .assignments
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name))
    {
        // PUT again with the same content succeeds; nothing may change.
        return if wanted.is(existing, scope) {
            Ok(Reply::json(201, &assignment(existing)))
        } else {
            Err(arm_error(
                409,
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ))
        };
    }
    if dir.assignments.iter().any(|a| wanted.is(a, scope)) {
        return Err(arm_error(
            409,
            "RoleAssignmentExists",
            "The role assignment already exists.",
        ));
    }
    let a = Assignment {
        name: name.to_ascii_lowercase(),
        scope: scope.to_owned(),
        role: wanted.role,
        principal_id: wanted.principal_id.to_ascii_lowercase(),
        principal_type,
        created: time::OffsetDateTime::now_utc(),
        created_by: Some(caller.object_id.clone()),
    };
    let reply = Reply::json(201, &assignment(&a));
    dir.assignments.push(a);
    Ok(reply)
}

/// What must hold before a `PUT` body is read: a scope below the root, the
/// write action there and a GUID for the assignment's name.
fn may_create(state: &State, caller: &Caller, scope: &str, name: &str) -> Result<(), Reply> {
    if scope.is_empty() {
        return Err(arm_error(
            400,
            "InvalidScope",
            "Role assignments at the root scope are not supported by the emulator; assign at a subscription or resource group.",
        ));
    }
    let id = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");
    require(state, caller, scope, ASSIGNMENTS_WRITE)
        .map_err(|_| forbidden(caller, ASSIGNMENTS_WRITE, &id))?;
    if !is_guid(name) {
        return Err(arm_error(
            400,
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
            ),
        ));
    }
    Ok(())
}

/// A `PUT` body: the role, the principal and, if given, its type.
struct Wanted {
    role: &'static RoleDef,
    principal_id: String,
    principal_type: Option<String>,
}

impl Wanted {
    fn parse(req: &Req) -> Result<Wanted, Reply> {
        let input = request_json(req)?;
        let props = &input["properties"];
        let text = |k: &str| props[k].as_str().map(str::trim).filter(|s| !s.is_empty());
        let (Some(role_id), Some(principal_id)) = (text("roleDefinitionId"), text("principalId"))
        else {
            return Err(arm_error(
                400,
                "InvalidRoleAssignmentRequest",
                "The request must set properties.roleDefinitionId and properties.principalId.",
            ));
        };
        let role_guid = role_id.rsplit('/').next().unwrap_or_default();
        let role = roles::by_id(role_guid).ok_or_else(|| {
            arm_error(
                400,
                "RoleDefinitionDoesNotExist",
                format!("The specified role definition with ID '{role_guid}' does not exist."),
            )
        })?;
        Ok(Wanted {
            role,
            principal_id: principal_id.to_owned(),
            principal_type: text("principalType").map(str::to_owned),
        })
    }

    /// Whether `a` already grants this at `scope`.
    fn is(&self, a: &Assignment, scope: &str) -> bool {
        a.scope.eq_ignore_ascii_case(scope)
            && a.role.id == self.role.id
            && a.principal_id.eq_ignore_ascii_case(&self.principal_id)
    }
}

/// The assignment's `principalType`: as given, or the directory's kind of
/// the principal. With `principalType`, ARM takes the caller's word and
/// skips the directory lookup (Microsoft's advice for new principals);
/// without it a principal not yet replicated is not found.
fn principal_type(
    state: &State,
    dir: &Directory,
    caller: &Caller,
    scope: &str,
    wanted: &Wanted,
) -> Result<String, Reply> {
    if let Some(t) = &wanted.principal_type {
        return Ok(t.clone());
    }
    if let Some(k) = dir.kind_of(&wanted.principal_id, true) {
        return Ok(k.arm_name().to_owned());
    }
    let tenant = state
        .scenario
        .subscription(scope.split('/').nth(2).unwrap_or_default())
        .map_or(caller.tenant.clone(), |s| s.tenant.clone());
    Err(arm_error(
        400,
        "PrincipalNotFound",
        format!(
            "Principal {} does not exist in the directory {tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
            wanted.principal_id.replace('-', "")
        ),
    ))
}
