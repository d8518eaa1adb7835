//! Client assertions: a CI system's OIDC token (the emulated GitHub's)
//! exchanged under an app's federated identity credentials, with Entra's
//! checks in its order — signature, lifetime, issuer, subject, audience.

use super::AadError;
use crate::directory::Federated;
use crate::github::{self, JwtError};
use crate::state::{State, unix_now};
use serde_json::Value;

pub fn no_match(what: &str, value: &str, code: u32, extra: &str) -> AadError {
    AadError::new(
        400,
        "invalid_client",
        code,
        format!(
            "No matching federated identity record found for presented assertion {what} '{value}'.{extra} Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
        ),
    )
}

/// Checks `jwt` against the app's federated credentials.
pub fn check(state: &State, federated: &[Federated], jwt: &str) -> Result<(), AadError> {
    let claims = github::verify(&state.github_key, jwt).map_err(|e| match e {
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
    let subject = text(&claims["sub"]);
    let by_issuer: Vec<&Federated> = federated.iter().filter(|f| f.issuer == issuer).collect();
    // An app that trusts other issuers only: the issuer is what is wrong. An
    // app that trusts nobody: Entra names the subject.
    if by_issuer.is_empty() && !federated.is_empty() {
        return Err(no_match("issuer", &issuer, 700211, ""));
    }
    let audiences: Vec<String> = match &claims["aud"] {
        Value::Array(a) => a.iter().map(text).collect(),
        v => vec![text(v)],
    };
    let Some(f) = by_issuer.iter().find(|f| f.subject == subject) else {
        // Federated credentials match case-sensitively since 2024; Entra says so.
        if by_issuer
            .iter()
            .any(|f| f.subject.eq_ignore_ascii_case(&subject))
        {
            return Err(no_match(
                "subject",
                &subject,
                7002138,
                " The subject matches with case-insensitive comparison, but not with case-sensitive comparison.",
            ));
        }
        return Err(no_match("subject", &subject, 700213, ""));
    };
    if !audiences.iter().any(|a| f.audiences.contains(a)) {
        return Err(no_match("audience", &audiences.join(", "), 700212, ""));
    }
    Ok(())
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
