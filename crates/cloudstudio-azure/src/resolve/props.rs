//! Properties of the credential parsers, for `crate::props` (proptest and
//! cargo fuzz): any input gives credentials or an error, and an error
//! never repeats a secret from the input.

use super::{az_cli, creds_json};
use crate::exit::Diagnose;
use serde_json::Value;

/// The values under the keys that hold secrets, when `text` is an object.
fn secrets_in(text: &str, keys: &[&str]) -> Vec<String> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    keys.iter()
        .filter_map(|k| map.get(*k)?.as_str())
        .map(str::trim)
        .filter(|s| s.len() >= 4)
        .map(str::to_owned)
        .collect()
}

fn assert_not_echoed(shown: &str, secrets: &[String], input: &str) {
    for s in secrets {
        assert!(
            !shown.contains(s.as_str()),
            "secret {s:?} echoed in {shown:?} for input {input:?}"
        );
    }
}

pub fn creds_json(text: &str) {
    let secrets = secrets_in(text, &["clientSecret", "client_secret", "password"]);
    if let Err(e) = creds_json::parse("AZURE_CREDENTIALS", text) {
        let shown = format!("{e} {}", e.hint().unwrap_or_default());
        assert_not_echoed(&shown, &secrets, text);
    }
}

pub fn az_output(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let secrets = secrets_in(&text, &["accessToken"]);
    match az_cli::parse(bytes) {
        Ok(creds) => assert_not_echoed(&format!("{creds:?}"), &secrets, &text),
        Err(e) => assert_not_echoed(
            &format!("{e} {}", e.hint().unwrap_or_default()),
            &secrets,
            &text,
        ),
    }
}
