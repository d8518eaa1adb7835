//! The emulated Azure DevOps OIDC endpoint: `POST /_ado/oidctoken?api-version=7.1&serviceConnectionId=<id>`
//! with `Authorization: Bearer <System.AccessToken>` and an empty body
//! answers `{"oidcToken": "<jwt>"}` for the scenario's service connection,
//! signed like the emulated GitHub's tokens (the token endpoint verifies both).

use super::http::{Reply, Req};
use super::state::{State, random_guid, unix_now};
use serde_json::json;

/// Azure DevOps ID tokens live about ten minutes.
const LIFETIME: i64 = 600;

pub fn token(state: &State, req: &Req) -> Reply {
    let Some(ado) = &state.scenario.azure_devops else {
        return error(404, "Not Found");
    };
    if req.method != "POST" {
        return error(405, "Method Not Allowed");
    }
    if req.bearer() != Some(ado.access_token.expose()) {
        return error(
            401,
            "TF400813: The user is not authorized to access this resource.",
        );
    }
    if req.query("api-version") != Some("7.1") {
        return error(
            400,
            "The requested REST API version is not supported: use api-version=7.1.",
        );
    }
    if !req.body.is_empty() {
        return error(400, "The request body must be empty.");
    }
    if req.query("serviceConnectionId") != Some(ado.service_connection_id.as_str()) {
        return error(
            404,
            "TF400898: The service connection does not exist or is not authorized for this pipeline.",
        );
    }
    let now = unix_now();
    let claims = json!({
        "jti": random_guid(),
        "iss": ado.issuer,
        "sub": ado.subject,
        "aud": "api://AzureADTokenExchange",
        "nbf": now - 5,
        "iat": now,
        "exp": now + LIFETIME,
    });
    let jwt = super::github::sign(&state.github_key, &claims);
    Reply::json(200, &json!({ "oidcToken": jwt }))
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(
        status,
        &json!({ "message": message, "typeKey": "OidcTokenException" }),
    )
}
