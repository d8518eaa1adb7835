//! The CloudStudio workdir's Azure files (DESIGN.md, "Workdir format"):
//!
//! ```text
//! <workdir>/azure/secrets/<credential>.json   client_id, client_secret, tenant_id, subscription_id
//!                                             (OIDC: no client_secret; az session: subscription_id only;
//!                                             managed identity: client_id if user-assigned, subscription_id)
//! <workdir>/azure/secrets/environments.json   {"development": "<credential>", "stage": ..., "production": ...}
//! ```
//!
//! Files are pretty JSON with a trailing newline and a fixed key order, so
//! identical content means identical bytes (idempotent runs compare bytes).
//! Parsing is strict: a file with other keys or non-string values is the
//! user's, not ours, and is reported rather than overwritten. Pure: reading
//! and writing are `io.rs`'s.

use crate::config::CredentialName;
use crate::ids::Environment;
use crate::resolve::{Auth, Credentials};
use crate::secret::Secret;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const ENVIRONMENTS_FILE: &str = "environments.json";
const CREDENTIAL_KEYS: [&str; 4] = ["client_id", "client_secret", "tenant_id", "subscription_id"];

/// `<workdir>/azure/secrets`.
#[derive(Debug, Clone)]
pub struct SecretsDir {
    pub dir: PathBuf,
}

impl SecretsDir {
    pub fn new(workdir: &Path) -> SecretsDir {
        SecretsDir {
            dir: workdir.join("azure").join("secrets"),
        }
    }

    pub fn credential_path(&self, name: &CredentialName) -> PathBuf {
        self.dir.join(format!("{}.json", name.as_str()))
    }

    pub fn environments_path(&self) -> PathBuf {
        self.dir.join(ENVIRONMENTS_FILE)
    }
}

/// One credential file. Every field but the subscription is optional so
/// the three auth kinds share it.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialFile {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub tenant_id: Option<String>,
    pub subscription_id: String,
}

/// The on-disk shape, in the documented key order.
#[derive(Serialize)]
struct OnDisk<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_secret: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_id: Option<&'a str>,
    subscription_id: &'a str,
}

impl CredentialFile {
    /// What export stores for these credentials (the az session: only the
    /// subscription; CloudStudio uses the session itself).
    pub fn for_credentials(creds: &Credentials, subscription_id: &str) -> CredentialFile {
        let (client_id, client_secret, tenant_id) = match &creds.auth {
            Auth::ClientSecret(s) => (
                creds.client_id.clone(),
                Some(s.clone()),
                Some(creds.tenant_id.clone()),
            ),
            Auth::GithubOidc { .. } | Auth::FederatedToken(_) | Auth::AzureDevopsOidc { .. } => {
                (creds.client_id.clone(), None, Some(creds.tenant_id.clone()))
            }
            Auth::AzSession { .. } => (None, None, None),
            // No secret and no tenant: the machine holds the identity. A
            // system-assigned identity is used without a client id.
            Auth::ManagedIdentity { user_assigned, .. } => (
                creds.client_id.clone().filter(|_| *user_assigned),
                None,
                None,
            ),
        };
        CredentialFile {
            client_id,
            client_secret,
            tenant_id,
            subscription_id: subscription_id.to_owned(),
        }
    }

    /// The file's bytes. Contains the secret: write it, never print it.
    pub fn render(&self) -> Vec<u8> {
        self.render_with(self.client_secret.as_ref().map(Secret::expose))
    }

    /// The file as shown to people: the secret as `secret_shown`.
    pub fn render_masked(&self, secret_shown: &str) -> String {
        let shown = self.client_secret.as_ref().map(|_| secret_shown);
        String::from_utf8_lossy(&self.render_with(shown)).into_owned()
    }

    fn render_with(&self, secret: Option<&str>) -> Vec<u8> {
        pretty(&OnDisk {
            client_id: self.client_id.as_deref(),
            client_secret: secret,
            tenant_id: self.tenant_id.as_deref(),
            subscription_id: &self.subscription_id,
        })
    }

    /// Strict parse; the problem never quotes a value.
    pub fn parse(bytes: &[u8]) -> Result<CredentialFile, String> {
        let obj = object(bytes)?;
        let mut fields: BTreeMap<&str, String> = BTreeMap::new();
        for (k, v) in &obj {
            if !CREDENTIAL_KEYS.contains(&k.as_str()) {
                return Err(format!(
                    "unexpected key `{}` (expected only {})",
                    printable(k),
                    CREDENTIAL_KEYS.join(", ")
                ));
            }
            let s = v.as_str().ok_or_else(|| format!("`{k}` is not a string"))?;
            fields.insert(k.as_str(), s.to_owned());
        }
        let subscription_id = fields
            .remove("subscription_id")
            .ok_or("no `subscription_id`")?;
        Ok(CredentialFile {
            client_id: fields.remove("client_id"),
            client_secret: fields.remove("client_secret").map(Secret::new),
            tenant_id: fields.remove("tenant_id"),
            subscription_id,
        })
    }
}

/// `environments.json`: which credential is current for each environment.
pub type Bindings = BTreeMap<Environment, CredentialName>;

pub fn render_bindings(b: &Bindings) -> Vec<u8> {
    if b.is_empty() {
        return b"{}\n".to_vec();
    }
    // Environment's order is the app's: development, stage, production.
    let items: Vec<String> = b
        .iter()
        .map(|(e, c)| format!("  {}: {}", json_str(e.as_str()), json_str(c.as_str())))
        .collect();
    format!("{{\n{}\n}}\n", items.join(",\n")).into_bytes()
}

/// Strict parse of `environments.json` (the short spellings are accepted and
/// written back long).
pub fn parse_bindings(bytes: &[u8]) -> Result<Bindings, String> {
    let obj = object(bytes)?;
    let mut out = Bindings::new();
    for (k, v) in &obj {
        let env = Environment::parse(k).ok_or_else(|| {
            format!(
                "unexpected key `{}` (expected development, stage, production)",
                printable(k)
            )
        })?;
        let name = v
            .as_str()
            .and_then(|s| CredentialName::parse(s).ok())
            .ok_or_else(|| format!("`{k}` is not a credential name"))?;
        if out.insert(env, name).is_some() {
            return Err(format!("{env} is listed twice"));
        }
    }
    Ok(out)
}

/// What is on disk at one path.
pub enum Existing<T> {
    Missing,
    Valid { value: T, bytes: Vec<u8> },
    Malformed { problem: String },
}

impl<T> Existing<T> {
    pub fn value(&self) -> Option<&T> {
        match self {
            Existing::Valid { value, .. } => Some(value),
            _ => None,
        }
    }
}

fn object(bytes: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    // serde_json's message could quote content; report the position only.
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "not valid JSON (line {}, column {}; content not shown)",
            e.line(),
            e.column()
        )
    })?;
    match v {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err("not a JSON object".into()),
    }
}

fn pretty<T: Serialize>(v: &T) -> Vec<u8> {
    // Serializing plain strings into a Vec cannot fail.
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// A key from a user file, safe to put in a message (keys are short names;
/// anything odd is cut).
fn printable(k: &str) -> String {
    crate::untrusted::text_capped(k, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_documented_order() {
        let f = CredentialFile {
            client_id: Some("c".into()),
            client_secret: Some(Secret::new("s\"\n".into())),
            tenant_id: Some("t".into()),
            subscription_id: "u".into(),
        };
        let text = String::from_utf8(f.render()).expect("utf8");
        let keys: Vec<usize> = CREDENTIAL_KEYS
            .iter()
            .map(|k| text.find(&format!("\"{k}\"")).expect("key"))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.ends_with("}\n"));
        assert!(CredentialFile::parse(text.as_bytes()).expect("parse") == f);
        assert!(!f.render_masked("***").contains("s\\\""));
    }

    #[test]
    fn strict_parsing() {
        assert!(CredentialFile::parse(b"{\"subscription_id\":\"x\",\"extra\":\"y\"}").is_err());
        assert!(CredentialFile::parse(b"{\"subscription_id\":1}").is_err());
        assert!(CredentialFile::parse(b"not json").is_err());
        let b = parse_bindings(b"{\"prod\":\"a\",\"development\":\"b\"}").expect("ok");
        assert_eq!(
            String::from_utf8(render_bindings(&b)).expect("utf8"),
            "{\n  \"development\": \"b\",\n  \"production\": \"a\"\n}\n"
        );
        assert!(parse_bindings(b"{\"prod\":\"a\",\"production\":\"b\"}").is_err());
        assert!(parse_bindings(b"{\"qa\":\"a\"}").is_err());
        assert!(parse_bindings(b"{\"dev\":\"../x\"}").is_err());
    }
}
