//! `/servicePrincipals` (list with `$filter` on `appId` or
//! `servicePrincipalNames`, create for an application, get, delete),
//! `/users`, `/me` and `POST /directoryObjects/getByIds` (what `az role
//! assignment list` calls to name principals). A service principal made
//! here waits out the scenario's `replication_delay_ms` before Resource
//! Manager and the token endpoint see it.

use super::{Ctx, Segment, error, method_not_allowed, not_found, strings};
use crate::directory::{Directory, ServicePrincipal, User};
use crate::state::{random_guid, rfc3339};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

pub fn handle(ctx: &Ctx<'_>, segs: &[Segment<'_>]) -> Result<super::Reply, super::Reply> {
    let mut guard = ctx.state.directory();
    let dir: &mut Directory = &mut guard;
    let set = segs[0].name.to_ascii_lowercase();
    let key = match (&segs[0].alt_key, segs.get(1)) {
        (Some((_, v)), _) => Some(v.clone()),
        (None, Some(s)) => Some(s.name.to_owned()),
        (None, None) => None,
    };
    match (set.as_str(), ctx.req.method.as_str(), key) {
        ("serviceprincipals", "GET", None) => {
            let items = dir
                .principals
                .iter()
                .filter(|p| p.tenant == ctx.caller.tenant)
                .map(sp_json)
                .collect();
            ctx.list("servicePrincipals", items)
        }
        ("serviceprincipals", "POST", None) => create(ctx, dir),
        ("serviceprincipals", _, Some(k)) => {
            // `servicePrincipals(appId='..')` or `servicePrincipals/{id}`
            let by_app = segs[0].alt_key.is_some();
            principal(ctx, dir, &k, by_app)
        }
        ("users", "GET", None) => {
            let items = dir
                .users
                .iter()
                .filter(|u| u.tenant == ctx.caller.tenant)
                .map(user_json)
                .collect();
            ctx.list("users", items)
        }
        ("users", "GET", Some(k)) => user(ctx, dir, &k),
        ("me", "GET", None) => me(ctx, dir),
        ("directoryobjects", "POST", Some(k)) if k.eq_ignore_ascii_case("getByIds") => {
            get_by_ids(ctx, dir)
        }
        _ => Err(method_not_allowed()),
    }
}

/// `GET` or `DELETE` one service principal, by app id or object id;
/// deleting needs owning its application.
fn principal(
    ctx: &Ctx<'_>,
    dir: &mut Directory,
    key: &str,
    by_app: bool,
) -> Result<super::Reply, super::Reply> {
    let i = dir
        .principals
        .iter()
        .position(|p| {
            p.tenant == ctx.caller.tenant
                && if by_app {
                    p.app_id.eq_ignore_ascii_case(key)
                } else {
                    p.object_id.eq_ignore_ascii_case(key)
                }
        })
        .ok_or_else(|| not_found(key))?;
    match ctx.req.method.as_str() {
        "GET" => Ok(ctx.entity(200, "servicePrincipals", sp_json(&dir.principals[i]))),
        "DELETE" => {
            let app_id = dir.principals[i].app_id.clone();
            if !owns_app(ctx, dir, &app_id) {
                return Err(ctx.denied());
            }
            dir.principals.remove(i);
            Ok(super::Reply::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

/// A user of the caller's tenant, by object id or user principal name.
fn user(ctx: &Ctx<'_>, dir: &Directory, key: &str) -> Result<super::Reply, super::Reply> {
    dir.users
        .iter()
        .find(|u| {
            u.tenant == ctx.caller.tenant
                && (u.object_id.eq_ignore_ascii_case(key) || u.upn.eq_ignore_ascii_case(key))
        })
        .map(|u| ctx.entity(200, "users", user_json(u)))
        .ok_or_else(|| not_found(key))
}

/// `/me`: the signed-in user; an application has none.
fn me(ctx: &Ctx<'_>, dir: &Directory) -> Result<super::Reply, super::Reply> {
    dir.users
        .iter()
        .find(|u| u.object_id == ctx.caller.object_id)
        .map(|u| ctx.entity(200, "users", user_json(u)))
        .ok_or_else(|| {
            error(
                400,
                "BadRequest",
                "/me request is only valid with delegated authentication flow.",
            )
        })
}

/// `POST /directoryObjects/getByIds`: the objects among `ids` the caller's
/// tenant holds, of the `types` asked for (any when none).
fn get_by_ids(ctx: &Ctx<'_>, dir: &Directory) -> Result<super::Reply, super::Reply> {
    let body = ctx.body()?;
    let ids = strings(&body["ids"]);
    if ids.is_empty() || ids.len() > 1000 {
        return Err(error(
            400,
            "Request_BadRequest",
            "Invalid value specified for property 'ids': give 1 to 1000 ids.",
        ));
    }
    let types = strings(&body["types"]);
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| object_json(ctx, dir, id))
        .filter(|o| {
            types.is_empty()
                || o["@odata.type"]
                    .as_str()
                    .and_then(|t| t.rsplit('.').next())
                    .is_some_and(|t| types.iter().any(|w| w.eq_ignore_ascii_case(t)))
        })
        .collect();
    ctx.list("directoryObjects", items)
}

fn owns_app(ctx: &Ctx<'_>, dir: &Directory, app_id: &str) -> bool {
    dir.apps.iter().any(|a| {
        a.tenant == ctx.caller.tenant
            && a.app_id.eq_ignore_ascii_case(app_id)
            && a.owners.contains(&ctx.caller.object_id)
    })
}

fn create(ctx: &Ctx<'_>, dir: &mut Directory) -> Result<super::Reply, super::Reply> {
    let body = ctx.body()?;
    let app_id = body["appId"].as_str().unwrap_or_default().to_owned();
    let Some(app) = dir
        .apps
        .iter()
        .find(|a| a.tenant == ctx.caller.tenant && a.app_id.eq_ignore_ascii_case(&app_id))
    else {
        return Err(error(
            400,
            "Request_BadRequest",
            &format!(
                "The appId '{app_id}' of the service principal does not reference a valid application object."
            ),
        ));
    };
    if !(owns_app(ctx, dir, &app_id) || ctx.can_create_apps(dir)) {
        return Err(ctx.denied());
    }
    if dir.principal_for_app(&ctx.caller.tenant, &app_id).is_some() {
        return Err(error(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            &format!(
                "The service principal cannot be created, updated, or restored because the service principal name {app_id} is already in use."
            ),
        ));
    }
    let delay = ctx.state.scenario.replication_delay_ms;
    let sp = ServicePrincipal {
        object_id: random_guid(),
        app_id: app.app_id.clone(),
        tenant: app.tenant.clone(),
        display_name: app.display_name.clone(),
        created: OffsetDateTime::now_utc(),
        visible_at: (delay > 0).then(|| Instant::now() + Duration::from_millis(delay)),
        can_create_apps: false,
        managed_identity: false,
    };
    let reply = ctx.entity(201, "servicePrincipals", sp_json(&sp));
    dir.principals.push(sp);
    Ok(reply)
}

pub fn sp_json(p: &ServicePrincipal) -> Value {
    json!({
        "id": p.object_id,
        "deletedDateTime": null,
        "accountEnabled": true,
        "appDisplayName": p.display_name,
        "appId": p.app_id,
        "appOwnerOrganizationId": p.tenant,
        "appRoleAssignmentRequired": false,
        "createdDateTime": rfc3339(p.created),
        "displayName": p.display_name,
        "servicePrincipalNames": [p.app_id],
        "servicePrincipalType": if p.managed_identity { "ManagedIdentity" } else { "Application" },
        "signInAudience": "AzureADMyOrg",
        "tags": [],
        "keyCredentials": [],
        "passwordCredentials": [],
    })
}

pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.object_id,
        "businessPhones": [],
        "displayName": u.display_name,
        "givenName": null,
        "jobTitle": null,
        "mail": u.upn,
        "mobilePhone": null,
        "officeLocation": null,
        "preferredLanguage": null,
        "surname": null,
        "userPrincipalName": u.upn,
    })
}

/// A directory object of the caller's tenant by object id, typed.
pub fn object_json(ctx: &Ctx<'_>, dir: &Directory, id: &str) -> Option<Value> {
    let typed = |t: &str, mut v: Value| {
        v["@odata.type"] = json!(format!("#microsoft.graph.{t}"));
        v
    };
    if let Some(p) = dir
        .principals
        .iter()
        .find(|p| p.tenant == ctx.caller.tenant && p.object_id.eq_ignore_ascii_case(id))
    {
        return Some(typed("servicePrincipal", sp_json(p)));
    }
    if let Some(u) = dir
        .users
        .iter()
        .find(|u| u.tenant == ctx.caller.tenant && u.object_id.eq_ignore_ascii_case(id))
    {
        return Some(typed("user", user_json(u)));
    }
    None
}
