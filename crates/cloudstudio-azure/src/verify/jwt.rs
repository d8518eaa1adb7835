//! Reading a claim from a JWT's payload, for messages only (no signature
//! check: the token's issuer checks it, we only quote it).

use base64::Engine as _;

/// The string claim `claim` of `jwt`, if it is a JWT that has one.
pub fn claim(jwt: &str, claim: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v[claim].as_str().map(str::to_owned)
}
