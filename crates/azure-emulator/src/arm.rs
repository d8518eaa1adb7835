//! The Resource Manager reads the verification needs:
//! `GET /subscriptions/{id}` and
//! `GET /subscriptions/{id}/providers/Microsoft.Authorization/permissions`,
//! with ARM's checks in ARM's order (api-version, token, subscription,
//! tenant, role) and its error codes and messages.

use super::http::{Reply, Req};
use super::scenario::{Role, Subscription};
use super::state::{Principal, State, random_guid};
use crate::ids::is_guid;
use serde_json::json;

/// Contributor's real `notActions` (built-in role b24988ac-6180-42a0-ab88-20f7382dd24c).
const CONTRIBUTOR_NOT_ACTIONS: [&str; 11] = [
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
    "Microsoft.Compute/galleries/share/action",
    "Microsoft.Purview/consents/write",
    "Microsoft.Purview/consents/delete",
    "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
    "Microsoft.Subscription/cancel/action",
    "Microsoft.Subscription/enable/action",
];

/// An ARM error body, `{"error":{"code","message"}}`, with ARM's request ids.
pub fn arm_error(status: u16, code: &str, message: impl Into<String>) -> Reply {
    with_ids(Reply::json(
        status,
        &json!({ "error": { "code": code, "message": message.into() } }),
    ))
}

fn with_ids(reply: Reply) -> Reply {
    let id = random_guid();
    reply
        .header("x-ms-request-id", id.clone())
        .header("x-ms-correlation-request-id", id)
}

/// The ARM error for an injected fault: `code` as given (status from the
/// code when absent), or the code ARM uses for `status`.
pub fn for_fault(code: Option<&str>, status: Option<u16>) -> Reply {
    let status = status.unwrap_or_else(|| match code.unwrap_or_default() {
        "AuthorizationFailed" => 403,
        "SubscriptionNotFound" | "NotFound" => 404,
        "MissingApiVersionParameter" | "BadRequest" => 400,
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

/// `GET /subscriptions/{id}`.
pub fn subscription(state: &State, req: &Req) -> Reply {
    let (principal, sub) = match authorize(state, req) {
        Ok(x) => x,
        Err(reply) => return reply,
    };
    if state.scenario.roles(&principal.id, &sub.id).is_empty() {
        return arm_error(
            403,
            "AuthorizationFailed",
            format!(
                "The client '{}' with object id '{}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/read' over scope '/subscriptions/{}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                principal.id, principal.object_id, sub.id
            ),
        );
    }
    // A principal from another tenant with a role here is a Lighthouse-style
    // delegation: ARM lists its home tenant under managedByTenants.
    let managed_by: Vec<_> = if principal.tenant == sub.tenant {
        vec![]
    } else {
        vec![json!({ "tenantId": principal.tenant })]
    };
    with_ids(Reply::json(
        200,
        &json!({
            "id": format!("/subscriptions/{}", sub.id),
            "authorizationSource": "RoleBased",
            "managedByTenants": managed_by,
            "subscriptionId": sub.id,
            "tenantId": sub.tenant,
            "displayName": sub.name,
            "state": sub.state,
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "PayAsYouGo_2014-09-01",
                "spendingLimit": "Off",
            },
        }),
    ))
}

/// `GET /subscriptions/{id}/providers/Microsoft.Authorization/permissions`:
/// the caller's effective permissions; empty when it has no role.
pub fn permissions(state: &State, req: &Req) -> Reply {
    let (principal, sub) = match authorize(state, req) {
        Ok(x) => x,
        Err(reply) => return reply,
    };
    let value: Vec<_> = state
        .scenario
        .roles(&principal.id, &sub.id)
        .into_iter()
        .map(|role| {
            let (actions, not_actions): (&[&str], &[&str]) = match role {
                Role::Owner => (&["*"], &[]),
                Role::Contributor => (&["*"], &CONTRIBUTOR_NOT_ACTIONS),
                Role::Reader => (&["*/read"], &[]),
            };
            json!({
                "actions": actions,
                "notActions": not_actions,
                "dataActions": [],
                "notDataActions": [],
            })
        })
        .collect();
    with_ids(Reply::json(200, &json!({ "value": value })))
}

/// The checks both reads share; an `Err` is the response to send.
fn authorize<'s>(state: &'s State, req: &Req) -> Result<(Principal, &'s Subscription), Reply> {
    if req.method != "GET" {
        return Err(arm_error(
            405,
            "MethodNotAllowed",
            format!(
                "The requested resource does not support http method '{}'.",
                req.method
            ),
        ));
    }
    if req.query("api-version").is_none_or(str::is_empty) {
        return Err(arm_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    let unauthorized = |message: &str| {
        arm_error(401, "InvalidAuthenticationToken", message).header(
            "www-authenticate",
            format!(
                "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"{message}\""
            ),
        )
    };
    let Some(token) = req.bearer() else {
        return Err(unauthorized(
            "The 'Authorization' header is missing or is not a Bearer token.",
        ));
    };
    let Some(principal) = state.principal(token) else {
        return Err(unauthorized("The access token is invalid."));
    };
    let id = req.path.split('/').nth(2).unwrap_or_default();
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
    if principal.tenant != sub.tenant && state.scenario.roles(&principal.id, &sub.id).is_empty() {
        let t = &sub.tenant;
        return Err(arm_error(
            401,
            "InvalidAuthenticationTokenTenant",
            format!(
                "The access token is from the wrong issuer 'https://sts.windows.net/{}/'. It must match the tenant 'https://sts.windows.net/{t}/' associated with this subscription. Please use the authority (URL) 'https://login.windows.net/{t}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
                principal.tenant
            ),
        ));
    }
    Ok((principal, sub))
}
