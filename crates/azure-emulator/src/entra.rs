//! The Entra ID v2 token endpoint, `POST /{tenant}/oauth2/v2.0/token`,
//! client-credentials grant with a client secret or a client assertion
//! (GitHub OIDC). Errors carry Entra's real body shape, AADSTS codes,
//! `error` names and HTTP statuses.

use super::github::{self, AUDIENCES, JwtError};
use super::http::{Reply, Req, field};
use super::scenario::{App, Scenario};
use super::state::{Principal, State, derived_guid, entra_timestamp, random_guid, unix_now};
use crate::ids::is_tenant;
use serde_json::{Value, json};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An Entra ID error response.
pub struct AadError {
    pub status: u16,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

impl AadError {
    fn new(status: u16, error: &'static str, code: u32, message: impl Into<String>) -> AadError {
        AadError {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    pub fn reply(self) -> Reply {
        let (trace, correlation, ts) = (random_guid(), random_guid(), entra_timestamp());
        Reply::json(
            self.status,
            &json!({
                "error": self.error,
                "error_description": format!(
                    "AADSTS{}: {}\r\nTrace ID: {trace}\r\nCorrelation ID: {correlation}\r\nTimestamp: {ts}",
                    self.code, self.message
                ),
                "error_codes": [self.code],
                "timestamp": ts,
                "trace_id": trace,
                "correlation_id": correlation,
                "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
            }),
        )
    }
}

/// The tenant segment of a token path.
pub fn tenant_segment(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

pub fn token(state: &State, req: &Req) -> Reply {
    match issue(state, req) {
        Ok(reply) => reply,
        Err(e) => e.reply(),
    }
}

fn issue(state: &State, req: &Req) -> Result<Reply, AadError> {
    let sc = &state.scenario;
    if req.method != "POST" {
        return Err(AadError::new(
            400,
            "invalid_request",
            900561,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {} request.",
                req.method
            ),
        ));
    }
    let tenant_ref = tenant_segment(&req.path);
    let tenant = lookup_tenant(sc, tenant_ref)?;
    let form = req.form();
    let required = |name: &str| {
        field(&form, name).filter(|v| !v.is_empty()).ok_or_else(|| {
            AadError::new(
                400,
                "invalid_request",
                900144,
                format!("The request body must contain the following parameter: '{name}'."),
            )
        })
    };
    let grant = required("grant_type")?;
    if grant != "client_credentials" {
        return Err(AadError::new(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant}'."),
        ));
    }
    let client_id = required("client_id")?;
    let tenant_name = tenant.domain.as_deref().unwrap_or(&tenant.id);
    let app = sc
        .apps
        .iter()
        .find(|a| a.client_id.eq_ignore_ascii_case(client_id) && a.tenant == tenant.id)
        .ok_or_else(|| app_not_found(client_id, tenant_name))?;
    let scope = required("scope")?;
    check_scope(state, scope, tenant_name)?;

    if let Some(secret) = field(&form, "client_secret").filter(|s| !s.is_empty()) {
        check_secret(app, secret)?;
    } else if let Some(assertion) = field(&form, "client_assertion").filter(|s| !s.is_empty()) {
        if field(&form, "client_assertion_type") != Some(JWT_BEARER) {
            return Err(AadError::new(
                400,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'client_assertion_type'.",
            ));
        }
        check_assertion(state, app, assertion)?;
    } else {
        return Err(AadError::new(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ));
    }

    let token = state.issue_token(Principal {
        id: app.client_id.clone(),
        object_id: app
            .object_id
            .clone()
            .unwrap_or_else(|| derived_guid(&app.client_id)),
        tenant: tenant.id.clone(),
    });
    Ok(Reply::json(
        200,
        &json!({
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": token.expose(),
        }),
    ))
}

fn lookup_tenant<'a>(
    sc: &'a Scenario,
    tenant: &str,
) -> Result<&'a super::scenario::Tenant, AadError> {
    if !is_tenant(tenant) {
        return Err(AadError::new(
            400,
            "invalid_request",
            900023,
            format!(
                "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain."
            ),
        ));
    }
    sc.tenant(tenant).ok_or_else(|| {
        AadError::new(
            400,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
            ),
        )
    })
}

fn app_not_found(client_id: &str, tenant_name: &str) -> AadError {
    AadError::new(
        400,
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

/// The only resource is this emulator's Resource Manager: `{base}/.default`
/// (also with the `//.default` double slash `az` uses, or `localhost`).
fn check_scope(state: &State, scope: &str, tenant_name: &str) -> Result<(), AadError> {
    let resource = scope
        .strip_suffix("/.default")
        .map(|r| r.trim_end_matches('/'));
    let ok = resource.is_some_and(|r| {
        r.eq_ignore_ascii_case(&state.base_url) || r.eq_ignore_ascii_case(&state.alt_base_url)
    });
    if ok {
        return Ok(());
    }
    let named = resource.unwrap_or(scope);
    Err(AadError::new(
        400,
        "invalid_resource",
        500011,
        format!(
            "The resource principal named {named} was not found in the tenant named {tenant_name}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
        ),
    ))
}

fn check_secret(app: &App, secret: &str) -> Result<(), AadError> {
    let matching = app.secrets.iter().find(|s| s.value.expose() == secret);
    match matching {
        Some(s) if !s.expired => Ok(()),
        Some(_) => Err(secret_expired(&app.client_id)),
        None => Err(invalid_secret(&app.client_id)),
    }
}

pub fn invalid_secret(client_id: &str) -> AadError {
    AadError::new(
        401,
        "invalid_client",
        7000215,
        format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
        ),
    )
}

pub fn secret_expired(client_id: &str) -> AadError {
    AadError::new(
        401,
        "invalid_client",
        7000222,
        format!(
            "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds."
        ),
    )
}

fn no_federated_match(what: &str, value: &str, code: u32, extra: &str) -> AadError {
    AadError::new(
        400,
        "invalid_client",
        code,
        format!(
            "No matching federated identity record found for presented assertion {what} '{value}'.{extra} Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
        ),
    )
}

fn check_assertion(state: &State, app: &App, jwt: &str) -> Result<(), AadError> {
    let claims = github::verify(&state.jwt_key, jwt).map_err(|e| match e {
        JwtError::Malformed => {
            AadError::new(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        }
        JwtError::BadSignature => AadError::new(
            401,
            "invalid_client",
            50013,
            "Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
        ),
    })?;
    let now = unix_now();
    let nbf = claims["nbf"]
        .as_i64()
        .or(claims["iat"].as_i64())
        .unwrap_or(0);
    let exp = claims["exp"].as_i64().unwrap_or(0);
    // Entra allows a few minutes of clock skew on `nbf`, none on `exp`.
    if exp <= now || nbf > now + 300 {
        return Err(AadError::new(
            400,
            "invalid_client",
            700024,
            format!(
                "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
                iso(now),
                iso(nbf),
                iso(exp)
            ),
        ));
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let issuer = text(&claims["iss"]);
    if issuer != github::ISSUER {
        return Err(no_federated_match("issuer", &issuer, 700211, ""));
    }
    let audiences: Vec<String> = match &claims["aud"] {
        Value::Array(a) => a.iter().map(text).collect(),
        v => vec![text(v)],
    };
    if !audiences.iter().any(|a| AUDIENCES.contains(&a.as_str())) {
        return Err(no_federated_match(
            "audience",
            &audiences.join(", "),
            700213,
            "",
        ));
    }
    let subject = text(&claims["sub"]);
    if app.federated_subjects.contains(&subject) {
        return Ok(());
    }
    // Federated credentials match case-sensitively since 2024; Entra says so.
    if app
        .federated_subjects
        .iter()
        .any(|s| s.eq_ignore_ascii_case(&subject))
    {
        return Err(no_federated_match(
            "subject",
            &subject,
            7002138,
            " The subject matches with case-insensitive comparison, but not with case-sensitive comparison.",
        ));
    }
    Err(no_federated_match("subject", &subject, 700213, ""))
}

fn iso(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// The error Entra ID would send for `code` (an injected fault), worded with
/// the request's client id and tenant where the real message has them.
/// Without a code: throttling for 429, a transient error otherwise.
pub fn for_fault(code: Option<&str>, status: Option<u16>, req: &Req) -> AadError {
    let form = req.form();
    let client_id = field(&form, "client_id").unwrap_or("00000000-0000-0000-0000-000000000000");
    let tenant = tenant_segment(&req.path);
    let code = code
        .map(|c| c.trim().trim_start_matches("AADSTS"))
        .and_then(|c| c.parse::<u32>().ok())
        .unwrap_or(if status == Some(429) { 90055 } else { 90033 });
    let mut e = match code {
        7000215 => invalid_secret(client_id),
        7000222 => secret_expired(client_id),
        700016 => app_not_found(client_id, tenant),
        90033 => AadError::new(
            503,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
        ),
        90055 => AadError::new(
            429,
            "temporarily_unavailable",
            90055,
            "TenantThrottlingError - There are too many incoming requests. Please try again later.",
        ),
        700024 => AadError::new(
            400,
            "invalid_client",
            700024,
            "Client assertion is not within its valid time range.",
        ),
        700213 => no_federated_match("subject", "", 700213, ""),
        other => AadError::new(
            400,
            "invalid_request",
            other,
            "The emulator injected this error (scenario fault).",
        ),
    };
    if let Some(s) = status {
        e.status = s;
    }
    e
}
