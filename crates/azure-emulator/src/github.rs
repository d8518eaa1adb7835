//! The emulated GitHub Actions OIDC provider: `GET /_github/token` hands the
//! job an ID token, and the token endpoint verifies it as a client
//! assertion. The emulator is issuer and verifier at once, so HS256 with a
//! per-start key stands in for GitHub's RS256 and JWKS.

use super::http::{Reply, Req};
use super::state::{State, random_guid, unix_now};
use aws_lc_rs::hmac;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde_json::{Value, json};

pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
/// Entra ID's token-exchange audiences (public, US Gov, China clouds).
pub const AUDIENCES: [&str; 3] = [
    "api://AzureADTokenExchange",
    "api://AzureADTokenExchangeUSGov",
    "api://AzureADTokenExchangeChina",
];
/// GitHub's ID tokens live five minutes.
const LIFETIME: i64 = 300;

/// `GET /_github/token?api-version=2.0&audience=<aud>`.
pub fn token(state: &State, req: &Req) -> Reply {
    let Some(oidc) = &state.scenario.github_oidc else {
        return gh_error(404, "Not Found");
    };
    if req.method != "GET" {
        return gh_error(405, "Method Not Allowed");
    }
    if req.bearer() != Some(oidc.request_token.expose()) {
        return gh_error(401, "Bad credentials");
    }
    let audience = match req.query("audience") {
        Some(a) if !a.is_empty() => a.to_owned(),
        // GitHub's default audience is the repository owner's URL.
        _ => format!("https://github.com/{}", owner(&oidc.subject)),
    };
    let now = unix_now();
    let (iat, exp) = if oidc.expired {
        (now - 2 * LIFETIME, now - LIFETIME)
    } else {
        (now, now + LIFETIME)
    };
    let mut claims = json!({
        "jti": random_guid(),
        "sub": oidc.subject,
        "aud": audience,
        "iss": ISSUER,
        "nbf": iat - 5,
        "iat": iat,
        "exp": exp,
        "runner_environment": "github-hosted",
    });
    add_subject_claims(&mut claims, &oidc.subject);
    let jwt = sign(&state.github_key, &claims);
    Reply::json(200, &json!({ "count": jwt.len(), "value": jwt }))
}

fn gh_error(status: u16, message: &str) -> Reply {
    Reply::json(status, &json!({ "message": message }))
}

fn owner(subject: &str) -> &str {
    subject
        .strip_prefix("repo:")
        .and_then(|r| r.split('/').next())
        .unwrap_or("github")
}

/// `repo:contoso/infra:ref:refs/heads/main` -> `repository`, `repository_owner`, `ref`.
fn add_subject_claims(claims: &mut Value, subject: &str) {
    let Some(rest) = subject.strip_prefix("repo:") else {
        return;
    };
    let mut parts = rest.splitn(2, ':');
    let repository = parts.next().unwrap_or_default();
    claims["repository"] = json!(repository);
    claims["repository_owner"] = json!(owner(subject));
    if let Some(r) = parts.next().and_then(|t| t.strip_prefix("ref:")) {
        claims["ref"] = json!(r);
    }
}

/// A compact HS256 JWT over `claims`.
pub fn sign(key: &[u8], claims: &Value) -> String {
    let header = json!({ "alg": "HS256", "typ": "JWT", "kid": "cloudstudio-azure-emulator" });
    let signing_input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, key),
        signing_input.as_bytes(),
    );
    format!("{signing_input}.{}", B64.encode(tag.as_ref()))
}

pub use crate::jwt::JwtError;

/// Verifies the signature; returns the claims.
pub fn verify(key: &[u8], jwt: &str) -> Result<Value, JwtError> {
    let (header, claims, input, signature) = crate::jwt::split(jwt)?;
    if header["alg"] != "HS256" {
        return Err(JwtError::BadSignature);
    }
    hmac::verify(
        &hmac::Key::new(hmac::HMAC_SHA256, key),
        input.as_bytes(),
        &signature,
    )
    .map_err(|_| JwtError::BadSignature)?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let key = [7u8; 32];
        let jwt = sign(&key, &json!({"sub": "x"}));
        assert_eq!(verify(&key, &jwt).expect("valid")["sub"], "x");
        assert_eq!(verify(&[8u8; 32], &jwt), Err(JwtError::BadSignature));
        assert_eq!(verify(&key, "a.b"), Err(JwtError::Malformed));
        let mut tampered = jwt.clone();
        tampered.insert(jwt.find('.').expect("dot") + 2, 'A');
        assert!(verify(&key, &tampered).is_err());
    }

    #[test]
    fn subject_claims() {
        let mut c = json!({});
        add_subject_claims(&mut c, "repo:contoso/infra:ref:refs/heads/main");
        assert_eq!(c["repository"], "contoso/infra");
        assert_eq!(c["repository_owner"], "contoso");
        assert_eq!(c["ref"], "refs/heads/main");
    }
}
