//! The managed identity endpoints of the emulated machine, over plain http
//! as Azure serves them (on the emulator's second listener, 127.0.0.1
//! only): IMDS (`GET /metadata/identity/oauth2/token`, `Metadata: true`
//! required) and App Service (`GET /msi/token`, `X-IDENTITY-HEADER`
//! required). They issue Entra ID access tokens for the scenario's
//! `managed_identities`: the system-assigned one without `client_id`, a
//! user-assigned one by its client id; "Identity not found" otherwise.
//! Reply shapes follow Azure's: IMDS sends every number as a string, App
//! Service `expires_on` as a number.

use crate::entra::issue::{self, Subject};
use crate::http::{Reply, Req};
use crate::ids::is_guid;
use crate::resources::{Api, api_of};
use crate::scenario::{ManagedIdentity, Scenario};
use crate::state::{State, derived_guid};
use serde_json::json;

pub const IMDS_PATH: &str = "/metadata/identity/oauth2/token";
pub const APP_SERVICE_PATH: &str = "/msi/token";

/// Whether `path` is one of the identity endpoints.
pub fn is_identity(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p.eq_ignore_ascii_case(IMDS_PATH) || p.eq_ignore_ascii_case(APP_SERVICE_PATH)
}

/// The principal id a scenario gives a managed identity.
pub fn object_id(m: &ManagedIdentity) -> String {
    m.object_id
        .clone()
        .unwrap_or_else(|| derived_guid(&format!("managed-identity:{}", m.client_id)))
}

/// The scenario's rules for managed identities, added to `problems`.
pub fn validate(sc: &Scenario, problems: &mut Vec<String>) {
    let mut system = 0;
    for (i, m) in sc.managed_identities.iter().enumerate() {
        for (what, v) in [
            ("client_id", Some(&m.client_id)),
            ("object_id", m.object_id.as_ref()),
        ] {
            if let Some(v) = v.filter(|v| !is_guid(v)) {
                problems.push(format!(
                    "managed_identities[{i}].{what}: '{v}' is not a GUID"
                ));
            }
        }
        if !sc.tenants.iter().any(|t| t.id == m.tenant) {
            problems.push(format!(
                "managed_identities[{i}].tenant: tenant '{}' is not listed under `tenants`",
                m.tenant
            ));
        }
        let taken = sc
            .apps
            .iter()
            .any(|a| a.client_id.eq_ignore_ascii_case(&m.client_id))
            || sc.managed_identities[..i]
                .iter()
                .any(|o| o.client_id.eq_ignore_ascii_case(&m.client_id));
        if taken {
            problems.push(format!(
                "managed_identities[{i}].client_id: '{}' is listed twice",
                m.client_id
            ));
        }
        system += usize::from(m.system_assigned);
    }
    if system > 1 {
        problems
            .push("managed_identities: a machine has at most one system-assigned identity".into());
    }
}

/// IMDS's reply to a request without `Metadata: true`, and its other
/// refusals: `{"error", "error_description"}`.
fn imds_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &json!({ "error": error, "error_description": description }),
    )
    .error_code(error)
}

/// `GET /metadata/identity/oauth2/token?api-version=...&resource=...[&client_id=...]`
pub fn imds(state: &State, req: &Req) -> Reply {
    if req.method != "GET" {
        return imds_error(405, "invalid_request", "Only GET is supported.");
    }
    let metadata = req.headers.get("metadata").and_then(|v| v.to_str().ok());
    if !metadata.is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return imds_error(
            400,
            "invalid_request",
            "Required metadata header not specified",
        );
    }
    if req.query("api-version").is_none() {
        return imds_error(
            400,
            "invalid_request",
            "Required query variable 'api-version' is missing",
        );
    }
    issue(state, req, Shape::Imds)
}

/// `GET /msi/token?api-version=2019-08-01&resource=...[&client_id=...]` with
/// `X-IDENTITY-HEADER`.
pub fn app_service(state: &State, req: &Req) -> Reply {
    let given = req
        .headers
        .get("x-identity-header")
        .and_then(|v| v.to_str().ok());
    let Some(given) = given else {
        return Reply::json(
            401,
            &json!({ "statusCode": 401, "message": "X-IDENTITY-HEADER is missing." }),
        )
        .error_code("missing_identity_header");
    };
    if given != state.identity_header.expose() {
        return Reply::json(
            403,
            &json!({ "statusCode": 403, "message": "X-IDENTITY-HEADER does not match." }),
        )
        .error_code("wrong_identity_header");
    }
    if req.query("api-version") != Some("2019-08-01") {
        return Reply::json(
            400,
            &json!({ "statusCode": 400, "message": "Only api-version 2019-08-01 is supported." }),
        )
        .error_code("bad_api_version");
    }
    issue(state, req, Shape::AppService)
}

#[derive(Clone, Copy)]
enum Shape {
    Imds,
    AppService,
}

/// A token for the identity the request names, in the endpoint's shape.
fn issue(state: &State, req: &Req, shape: Shape) -> Reply {
    let Some(resource) = req.query("resource").filter(|r| !r.is_empty()) else {
        return imds_error(
            400,
            "invalid_request",
            "Required query variable 'resource' is missing",
        );
    };
    let ids = &state.scenario.managed_identities;
    let found = match req.query("client_id") {
        Some(c) => ids
            .iter()
            .find(|m| m.client_id.eq_ignore_ascii_case(c.trim())),
        None => ids.iter().find(|m| m.system_assigned),
    };
    let Some(m) = found else {
        return imds_error(400, "invalid_request", "Identity not found");
    };
    if !matches!(
        api_of(state, resource),
        Some(Api::ResourceManager | Api::Graph)
    ) {
        return imds_error(
            400,
            "invalid_resource",
            &format!("AADSTS500011: The resource principal named {resource} was not found in the tenant named {}.", m.tenant),
        )
        .principal(m.client_id.clone());
    }
    let oid = object_id(m);
    let subject = Subject::App {
        app_id: &m.client_id,
        object_id: &oid,
        acr: "2",
    };
    let (token, exp) = issue::access_token(state, &m.tenant, resource, &subject);
    let body = match shape {
        Shape::Imds => json!({
            "access_token": token,
            "client_id": m.client_id,
            "expires_in": issue::LIFETIME.to_string(),
            "expires_on": exp.to_string(),
            "ext_expires_in": issue::LIFETIME.to_string(),
            "not_before": (exp - issue::LIFETIME).to_string(),
            "resource": resource,
            "token_type": "Bearer",
        }),
        Shape::AppService => json!({
            "access_token": token,
            "expires_on": exp,
            "resource": resource,
            "token_type": "Bearer",
            "client_id": m.client_id,
        }),
    };
    Reply::json(200, &body).principal(m.client_id.clone())
}
