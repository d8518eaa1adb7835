//! Properties of the credential parsers, for `crate::props` (proptest and
//! cargo fuzz): any input gives credentials or an error, and an error
//! never repeats a secret from the input.

use super::{az_cli, creds_json};
use crate::exit::Diagnose;
use serde_json::Value;

/// A value no message has any reason to contain.
const MARKER: &str = "Zq8SecretMarker-7f3c";

/// `text` with the string values under `keys` replaced by [`MARKER`], when
/// it is a JSON object holding any of them: the same shape, a secret that
/// is certainly recognisable if echoed.
fn marked(text: &str, keys: &[&str]) -> Option<String> {
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let mut any = false;
    for k in keys {
        if let Some(v @ Value::String(_)) = map.get_mut(*k) {
            *v = Value::String(MARKER.into());
            any = true;
        }
    }
    any.then(|| Value::Object(map).to_string())
}

fn assert_not_echoed(shown: &str, input: &str) {
    assert!(
        !shown.contains(MARKER),
        "the secret is echoed in {shown:?} for input {input:?}"
    );
}

pub fn creds_json(text: &str) {
    let parse = |t: &str| creds_json::parse("AZURE_CREDENTIALS", t);
    let _ = parse(text);
    if let Some(text) = marked(text, &["clientSecret", "client_secret", "password"])
        && let Err(e) = parse(&text)
    {
        assert_not_echoed(&format!("{e} {}", e.hint().unwrap_or_default()), &text);
    }
}

pub fn az_output(bytes: &[u8]) {
    let _ = az_cli::parse(bytes);
    let Some(text) = marked(&String::from_utf8_lossy(bytes), &["accessToken"]) else {
        return;
    };
    match az_cli::parse(text.as_bytes()) {
        Ok(creds) => assert_not_echoed(&format!("{creds:?}"), &text),
        Err(e) => assert_not_echoed(&format!("{e} {}", e.hint().unwrap_or_default()), &text),
    }
}
