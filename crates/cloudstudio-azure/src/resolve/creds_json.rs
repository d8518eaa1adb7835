//! `AZURE_CREDENTIALS` or `--creds-file`: one JSON object in the azure/login
//! shape (`clientId`, ...), the `az ad sp create-for-rbac --sdk-auth` shape
//! (the same plus endpoint URLs) or CloudStudio's (`client_id`, ...).
//!
//! The content is a secret: errors give positions and key names, never
//! values (serde_json's own messages can quote them, so they are not used).

use super::credentials::SourceKind;
use super::error::ResolveError;
use super::probe::{Fields, Input, Probe};
use crate::safe_read::{self, Links};
use serde_json::{Map, Value};

pub fn probe(input: &Input<'_>) -> Probe {
    let (origin, text) = if let Some(path) = input.creds_file {
        let origin = format!("--creds-file {}", crate::untrusted::path(path));
        match safe_read::text(path, safe_read::SMALL_MAX, Links::Follow) {
            Ok(t) => (origin, t),
            Err(err) => {
                return Probe::Invalid(ResolveError::Io { what: origin, err });
            }
        }
    } else if input.vars.not_utf8(["AZURE_CREDENTIALS"]).is_some() {
        return Probe::Invalid(ResolveError::not_utf8("AZURE_CREDENTIALS"));
    } else if let Some(v) = input.vars.get("AZURE_CREDENTIALS") {
        ("AZURE_CREDENTIALS".to_owned(), v.to_owned())
    } else {
        return Probe::Absent("AZURE_CREDENTIALS is not set and --creds-file not given".into());
    };
    match parse(&origin, &text) {
        Ok(fields) => fields.into_probe(),
        Err(e) => Probe::Invalid(e),
    }
}

pub(super) fn parse(origin: &str, text: &str) -> Result<Fields, ResolveError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ResolveError::MalformedJson {
        origin: origin.to_owned(),
        problem: match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            _ => "invalid data",
        },
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Object(map) = value else {
        return Err(ResolveError::Invalid {
            origin: origin.to_owned(),
            problem: "must be a JSON object with clientId, clientSecret, tenantId (and subscriptionId)".into(),
            hint: Some("use the output of `az ad sp create-for-rbac --sdk-auth`, or {\"clientId\": ..., \"clientSecret\": ..., \"tenantId\": ..., \"subscriptionId\": ...}".into()),
        });
    };
    // Today's `az ad sp create-for-rbac` output (without the deprecated
    // --sdk-auth): appId, password, tenant; displayName is ignored.
    if ["appId", "password", "tenant"]
        .iter()
        .any(|k| map.contains_key(*k))
        && !["clientId", "client_id"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return rbac_shape(origin, &map);
    }
    // Name missing keys in the shape the user wrote.
    let snake = ["client_id", "client_secret", "tenant_id", "subscription_id"]
        .iter()
        .any(|k| map.contains_key(*k));
    let key_name = |camel: &str, snake_name: &str| -> String {
        if snake {
            snake_name.into()
        } else {
            camel.into()
        }
    };
    let field = |camel: &str, snake_name: &str| -> Result<Option<(String, String)>, ResolveError> {
        string_key(origin, &map, camel, snake_name)
    };
    Ok(Fields {
        kind: SourceKind::AzureCredentials,
        client_id: field("clientId", "client_id")?,
        tenant_id: field("tenantId", "tenant_id")?,
        subscription_id: field("subscriptionId", "subscription_id")?,
        secret: field("clientSecret", "client_secret")?,
        missing_secret: format!("{origin} key {}", key_name("clientSecret", "client_secret")),
        missing_names: [
            format!("{origin} key {}", key_name("clientId", "client_id")),
            format!("{origin} key {}", key_name("tenantId", "tenant_id")),
        ],
        arm_endpoint: field(
            "resourceManagerEndpointUrl",
            "resource_manager_endpoint_url",
        )?
        .map(|(v, _)| v),
        oidc_capable: false,
    })
}

/// `az ad sp create-for-rbac` output: `appId`, `password`, `tenant` (and
/// `subscriptionId` when added by hand).
fn rbac_shape(origin: &str, map: &Map<String, Value>) -> Result<Fields, ResolveError> {
    let field = |key: &str| string_key(origin, map, key, key);
    Ok(Fields {
        kind: SourceKind::AzureCredentials,
        client_id: field("appId")?,
        tenant_id: field("tenant")?,
        subscription_id: field("subscriptionId")?,
        secret: field("password")?,
        missing_secret: format!("{origin} key password"),
        missing_names: [
            format!("{origin} key appId"),
            format!("{origin} key tenant"),
        ],
        arm_endpoint: None,
        oidc_capable: false,
    })
}

/// A string value under either spelling; `null` and `""` count as absent.
fn string_key(
    origin: &str,
    map: &Map<String, Value>,
    camel: &str,
    snake: &str,
) -> Result<Option<(String, String)>, ResolveError> {
    for key in [camel, snake] {
        match map.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) if s.trim().is_empty() => continue,
            Some(Value::String(s)) => return Ok(Some((s.clone(), format!("{origin} key {key}")))),
            Some(_) => {
                return Err(ResolveError::Invalid {
                    origin: format!("{origin} key {key}"),
                    problem: "must be a string".into(),
                    hint: None,
                });
            }
        }
    }
    Ok(None)
}
