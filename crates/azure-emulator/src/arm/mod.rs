//! Resource Manager: subscriptions, tenants and locations
//! ([`subscriptions`]), RBAC — permissions, role assignments and role
//! definitions ([`rbac`]) — and resource groups ([`groups`]). ARM's checks
//! in ARM's order (api-version, token, subscription, tenant, permission),
//! with its error codes, messages and request ids.

mod groups;
mod rbac;
mod subscriptions;

use crate::Route;
use crate::auth::{self, Caller, Denied, arm_time};
use crate::http::{Reply, Req};
use crate::ids::is_guid;
use crate::resources::Api;
use crate::scenario::Subscription;
use crate::state::{State, random_guid, unix_now};
use serde_json::json;

/// What an ARM path addresses.
#[derive(Debug, PartialEq, Eq)]
pub enum ArmPath {
    Subscriptions,
    Tenants,
    Subscription(String),
    Locations(String),
    Groups(String),
    Group(String, String),
    /// `{scope}/providers/Microsoft.Authorization/{kind}[/{name}]`, scope
    /// `""` (the root), a subscription or a resource group.
    Authorization {
        scope: String,
        kind: Authz,
        name: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authz {
    Permissions,
    RoleAssignments,
    RoleDefinitions,
}

/// Parses an ARM path (segments are case-insensitive, names keep their case).
pub fn parse(path: &str) -> Option<ArmPath> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let is = |s: &str, want: &str| s.eq_ignore_ascii_case(want);
    // Split off `providers/Microsoft.Authorization/...` first.
    let authz_at = segs
        .windows(2)
        .position(|w| is(w[0], "providers") && is(w[1], "Microsoft.Authorization"));
    if let Some(i) = authz_at {
        let (scope, rest) = (&segs[..i], &segs[i + 2..]);
        let scope_ok = match scope {
            [] => true,
            [s, _] => is(s, "subscriptions"),
            [s, _, g, _] => is(s, "subscriptions") && is(g, "resourceGroups"),
            _ => false,
        };
        let (kind, name) = match rest {
            [k] => (*k, None),
            [k, n] => (*k, Some(n.to_string())),
            _ => return None,
        };
        let kind = [
            ("permissions", Authz::Permissions),
            ("roleAssignments", Authz::RoleAssignments),
            ("roleDefinitions", Authz::RoleDefinitions),
        ]
        .into_iter()
        .find(|(k, _)| is(kind, k))?
        .1;
        if !scope_ok || (kind == Authz::Permissions && name.is_some()) {
            return None;
        }
        let scope = if scope.is_empty() {
            String::new()
        } else {
            format!("/{}", scope.join("/"))
        };
        return Some(ArmPath::Authorization { scope, kind, name });
    }
    Some(match segs.as_slice() {
        [s] if is(s, "subscriptions") => ArmPath::Subscriptions,
        [t] if is(t, "tenants") => ArmPath::Tenants,
        [s, id] if is(s, "subscriptions") => ArmPath::Subscription(id.to_string()),
        [s, id, l] if is(s, "subscriptions") && is(l, "locations") => {
            ArmPath::Locations(id.to_string())
        }
        [s, id, g] if is(s, "subscriptions") && is(g, "resourceGroups") => {
            ArmPath::Groups(id.to_string())
        }
        [s, id, g, name] if is(s, "subscriptions") && is(g, "resourceGroups") => {
            ArmPath::Group(id.to_string(), name.to_string())
        }
        _ => return None,
    })
}

/// The log/fault route of an ARM path.
pub fn route(p: &ArmPath) -> Route {
    match p {
        ArmPath::Subscription(_) => Route::Subscription,
        ArmPath::Authorization {
            kind: Authz::Permissions,
            ..
        } => Route::Permissions,
        ArmPath::Authorization {
            kind: Authz::RoleAssignments,
            ..
        } => Route::RoleAssignments,
        _ => Route::Arm,
    }
}

pub fn handle(state: &State, req: &Req) -> Reply {
    let Some(path) = parse(&req.path) else {
        return not_found(&req.path);
    };
    match dispatch(state, req, &path) {
        Ok(r) | Err(r) => r,
    }
}

fn dispatch(state: &State, req: &Req, path: &ArmPath) -> Result<Reply, Reply> {
    if req.query("api-version").is_none_or(str::is_empty) {
        return Err(arm_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    let caller = authenticate(state, req)?;
    let tag = |r: Reply| r.principal(caller.name.clone());
    let result = match path {
        ArmPath::Subscriptions => subscriptions::list(state, req, &caller),
        ArmPath::Tenants => subscriptions::tenants(state, req, &caller),
        ArmPath::Subscription(id) => subscriptions::get(state, req, &caller, id),
        ArmPath::Locations(id) => subscriptions::locations(state, req, &caller, id),
        ArmPath::Groups(id) => groups::list(state, req, &caller, id),
        ArmPath::Group(id, name) => groups::one(state, req, &caller, id, name),
        ArmPath::Authorization { scope, kind, name } => {
            rbac::handle(state, req, &caller, scope, *kind, name.as_deref())
        }
    };
    result.map(tag).map_err(tag)
}

/// The caller, or ARM's 401 for the token.
fn authenticate(state: &State, req: &Req) -> Result<Caller, Reply> {
    auth::authenticate(state, req, Api::ResourceManager).map_err(|d| {
        let (code, message) = match d {
            Denied::Missing => (
                "InvalidAuthenticationToken",
                "The 'Authorization' header is missing or is not a Bearer token.".to_owned(),
            ),
            Denied::Invalid => (
                "InvalidAuthenticationToken",
                "The access token is invalid.".to_owned(),
            ),
            Denied::Expired { exp } => (
                "ExpiredAuthenticationToken",
                format!(
                    "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                    arm_time(exp),
                    arm_time(unix_now())
                ),
            ),
            Denied::NotYetValid { nbf } => (
                "InvalidAuthenticationToken",
                format!("The access token is not valid before '{}'.", arm_time(nbf)),
            ),
            Denied::Audience(aud) => (
                "InvalidAuthenticationTokenAudience",
                format!(
                    "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences '{}/','https://management.core.windows.net/'.",
                    state.base_url
                ),
            ),
            Denied::Issuer(iss) => (
                "InvalidAuthenticationToken",
                format!("The access token is from an unknown issuer '{iss}'."),
            ),
        };
        unauthorized(state, code, &message)
    })
}

fn unauthorized(state: &State, code: &str, message: &str) -> Reply {
    arm_error(401, code, message).header(
        "www-authenticate",
        format!(
            "Bearer authorization_uri=\"{}/\", error=\"invalid_token\", error_description=\"{message}\"",
            state.base_url
        ),
    )
}

/// The subscription `id` as the caller may address it: a GUID, known, in
/// the caller's tenant (or delegated to it through a role).
fn subscription<'s>(
    state: &'s State,
    caller: &Caller,
    id: &str,
) -> Result<&'s Subscription, Reply> {
    if !is_guid(id) {
        return Err(arm_error(
            400,
            "InvalidSubscriptionId",
            format!("The provided subscription identifier '{id}' is malformed or invalid."),
        ));
    }
    let Some(sub) = state.scenario.subscription(id) else {
        return Err(arm_error(
            404,
            "SubscriptionNotFound",
            format!("The subscription '{id}' could not be found."),
        ));
    };
    if caller.tenant != sub.tenant
        && !state
            .directory()
            .sees_subscription(&caller.object_id, &sub.id)
    {
        let t = &sub.tenant;
        return Err(unauthorized(
            state,
            "InvalidAuthenticationTokenTenant",
            &format!(
                "The access token is from the wrong issuer '{}'. It must match the tenant '{}' associated with this subscription. Please use the authority (URL) '{}/{t}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
                caller.issuer,
                state.issuer(t),
                state.base_url
            ),
        ));
    }
    Ok(sub)
}

/// ARM's 403 for `action` over `scope`.
fn forbidden(caller: &Caller, action: &str, scope: &str) -> Reply {
    arm_error(
        403,
        "AuthorizationFailed",
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            caller.name, caller.object_id
        ),
    )
}

/// `Err(403)` unless the caller may do `action` at `scope`.
fn require(state: &State, caller: &Caller, scope: &str, action: &str) -> Result<(), Reply> {
    if state.directory().allows(&caller.object_id, scope, action) {
        Ok(())
    } else {
        Err(forbidden(caller, action, scope))
    }
}

/// The request's JSON body, or ARM's 400 for content it cannot read.
fn request_json(req: &Req) -> Result<serde_json::Value, Reply> {
    serde_json::from_slice(&req.body).map_err(|e| {
        arm_error(
            400,
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{e}'."),
        )
    })
}

fn method_not_allowed(method: &str) -> Reply {
    arm_error(
        405,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    )
}

fn not_found(path: &str) -> Reply {
    arm_error(
        404,
        "NotFound",
        format!("The emulator has no resource at '{path}'."),
    )
}

/// An ARM error body, `{"error":{"code","message"}}`.
pub fn arm_error(status: u16, code: &str, message: impl Into<String>) -> Reply {
    Reply::json(
        status,
        &json!({ "error": { "code": code, "message": message.into() } }),
    )
    .error_code(code)
}

/// ARM's request ids on every reply: a fresh request id, and the client's
/// correlation id echoed (or a fresh one).
pub fn with_ids(reply: Reply, req: &Req) -> Reply {
    let id = random_guid();
    let correlation = req
        .headers
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_guid(v))
        .map_or_else(|| id.clone(), str::to_owned);
    let mut reply = reply
        .header("x-ms-request-id", id)
        .header("x-ms-correlation-request-id", correlation);
    if let Some(c) = req
        .headers
        .get("x-ms-client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_guid(v))
    {
        reply = reply.header("x-ms-client-request-id", c.to_owned());
    }
    reply
}

/// The ARM error for an injected fault: `code` as given (status from the
/// code when absent), or the code ARM uses for `status`.
pub fn for_fault(code: Option<&str>, status: Option<u16>) -> Reply {
    let status = status.unwrap_or_else(|| match code.unwrap_or_default() {
        "AuthorizationFailed" => 403,
        "SubscriptionNotFound" | "NotFound" | "ResourceGroupNotFound" => 404,
        "MissingApiVersionParameter" | "BadRequest" | "PrincipalNotFound" => 400,
        "ServiceUnavailable" => 503,
        c if c.starts_with("InvalidAuthenticationToken") => 401,
        c if c.ends_with("Throttled") || c == "TooManyRequests" => 429,
        _ => 500,
    });
    let code = code.map(str::to_owned).unwrap_or_else(|| {
        match status {
            408 => "RequestTimeout",
            429 => "SubscriptionRequestsThrottled",
            500 => "InternalServerError",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            401 => "InvalidAuthenticationToken",
            403 => "AuthorizationFailed",
            404 => "NotFound",
            409 => "Conflict",
            _ => "BadRequest",
        }
        .to_owned()
    });
    arm_error(
        status,
        &code,
        format!(
            "The emulator injected this error (scenario fault). Tracking id '{}'.",
            random_guid()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        let sub = "11111111-2222-4333-8444-555555555501";
        assert_eq!(parse("/subscriptions"), Some(ArmPath::Subscriptions));
        assert_eq!(
            parse(&format!("/subscriptions/{sub}/")),
            Some(ArmPath::Subscription(sub.into()))
        );
        assert_eq!(
            parse(&format!("/subscriptions/{sub}/resourcegroups/My-RG")),
            Some(ArmPath::Group(sub.into(), "My-RG".into()))
        );
        assert_eq!(
            parse(&format!(
                "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Authorization/roleAssignments/x"
            )),
            Some(ArmPath::Authorization {
                scope: format!("/subscriptions/{sub}/resourceGroups/rg"),
                kind: Authz::RoleAssignments,
                name: Some("x".into())
            })
        );
        assert_eq!(
            parse("/providers/microsoft.authorization/roledefinitions"),
            Some(ArmPath::Authorization {
                scope: String::new(),
                kind: Authz::RoleDefinitions,
                name: None
            })
        );
        assert_eq!(
            parse(&format!(
                "/subscriptions/{sub}/providers/Microsoft.Authorization/permissions/x"
            )),
            None
        );
        assert_eq!(
            parse("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites"),
            None
        );
        assert_eq!(parse("/nothing/here"), None);
    }
}
