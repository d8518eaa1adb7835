//! Reading claims from a JWT's payload, for messages only (no signature
//! check: the token's issuer checks it, we only quote it).

use base64::Engine as _;
use serde_json::Value;

fn payload(jwt: &str) -> Option<Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The string claim `claim` of `jwt`, if it is a JWT that has one.
pub fn claim(jwt: &str, claim: &str) -> Option<String> {
    payload(jwt)?[claim].as_str().map(str::to_owned)
}

/// The claims federation matches on, as the token states them (untrusted
/// text: sanitise before printing).
#[derive(Debug, Clone, Default)]
pub struct Claims {
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub exp: Option<i64>,
}

/// The federation claims of `jwt`; `None` when it is not a JWT.
pub fn claims(jwt: &str) -> Option<Claims> {
    let v = payload(jwt)?;
    let text = |v: &Value| v.as_str().map(str::to_owned);
    Some(Claims {
        iss: text(&v["iss"]),
        sub: text(&v["sub"]),
        aud: match &v["aud"] {
            Value::Array(a) => a.iter().filter_map(text).collect(),
            other => text(other).into_iter().collect(),
        },
        exp: v["exp"].as_i64(),
    })
}
