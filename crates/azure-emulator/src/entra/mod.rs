//! Entra ID: the token endpoints (v1 `/{tenant}/oauth2/token`, v2
//! `/{tenant}/oauth2/v2.0/token`) in [`token`], client assertions in
//! [`assertion`], the tokens it signs in [`issue`]. Errors carry Entra's
//! body shape, AADSTS codes, `error` names and HTTP statuses.

pub mod assertion;
pub mod issue;
pub mod token;

use super::http::{Reply, Req, field};
use super::scenario::{Scenario, Tenant};
use super::state::{entra_timestamp, random_guid};
use crate::ids::is_tenant;
use serde_json::json;

pub use token::token;

/// An Entra ID error response.
pub struct AadError {
    pub status: u16,
    pub error: &'static str,
    pub code: u32,
    pub message: String,
}

impl AadError {
    pub fn new(
        status: u16,
        error: &'static str,
        code: u32,
        message: impl Into<String>,
    ) -> AadError {
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
        .header("x-ms-request-id", trace)
        .error_code(format!("AADSTS{}", self.code))
    }
}

/// `The request body must contain the following parameter: '{name}'.`
pub fn missing(name: &str) -> AadError {
    AadError::new(
        400,
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

/// The tenant segment of an Entra path.
pub fn tenant_segment(path: &str) -> &str {
    path.trim_start_matches('/').split('/').next().unwrap_or("")
}

/// `common`, `organizations`, `consumers`: authorities with no tenant.
pub fn is_multi_tenant(segment: &str) -> bool {
    ["common", "organizations", "consumers"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(segment))
}

pub fn lookup_tenant<'a>(sc: &'a Scenario, tenant: &str) -> Result<&'a Tenant, AadError> {
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
    sc.tenant(tenant).ok_or_else(|| tenant_not_found(tenant))
}

pub fn tenant_not_found(tenant: &str) -> AadError {
    AadError::new(
        400,
        "invalid_request",
        90002,
        format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant."
        ),
    )
}

pub fn app_not_found(client_id: &str, tenant_name: &str) -> AadError {
    AadError::new(
        400,
        "unauthorized_client",
        700016,
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
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
        700213 => assertion::no_match("subject", "", 700213, ""),
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
