//! What each source saw ([`Probe`]), the raw values of a secret-bearing
//! source ([`Fields`]) and their validation into [`Credentials`]. Sources
//! produce probes; [`super::decide`] alone chooses between them.

use super::credentials::{Auth, Credentials, SourceKind};
use super::error::ResolveError;
use crate::ids::{is_guid, is_tenant};
use crate::secret::{Secret, Trimmed};
use crate::vars::Vars;
use std::path::Path;
use std::time::Duration;

/// Everything resolution reads. The secret from stdin is read by the caller.
pub struct Input<'a> {
    pub vars: &'a Vars,
    pub client_id: Option<&'a str>,
    pub tenant_id: Option<&'a str>,
    pub subscription_id: Option<&'a str>,
    pub secret_stdin: Option<String>,
    pub creds_file: Option<&'a Path>,
    pub az_timeout: Duration,
    /// Passed to `az --subscription` so the session's token is for the tenant
    /// of the subscription this run targets.
    pub az_subscription: Option<&'a str>,
    /// The `az` executable (tests put a fake one first on PATH).
    pub az_program: &'a str,
    /// `--federated-token-env`, `--service-connection-id`.
    pub federation: super::federation::FederationFlags<'a>,
    /// The selected cloud's Resource Manager, for the az session's and the
    /// managed identity's token (`None`: the cloud flags are invalid; the
    /// command reports that).
    pub az_cloud: Option<super::az_cli::AzCloud<'a>>,
    /// `--source NAME` / `CLOUDSTUDIO_SOURCE`: only this source is used.
    pub only: Option<SourceKind>,
    /// `--managed-identity [CLIENT_ID]`: `Some(None)` without a value.
    pub managed_identity: Option<Option<&'a str>>,
}

/// What one source saw.
pub enum Probe {
    /// Not present, and why.
    Absent(String),
    Present(Box<Fields>),
    /// Present but unreadable (bad JSON, an unreadable file).
    Invalid(ResolveError),
}

/// Raw values of a secret-bearing source, each with the name of where it came
/// from (a variable, a flag, a JSON key) for messages.
pub struct Fields {
    pub kind: SourceKind,
    pub client_id: Option<(String, String)>,
    pub tenant_id: Option<(String, String)>,
    pub subscription_id: Option<(String, String)>,
    pub secret: Option<(String, String)>,
    /// How to name the secret when it is missing.
    pub missing_secret: String,
    /// How to name the client id and tenant id when missing.
    pub missing_names: [String; 2],
    pub arm_endpoint: Option<String>,
    /// Whether its ids may be used for GitHub OIDC when it has no secret.
    pub oidc_capable: bool,
}

impl Fields {
    pub fn into_probe(self) -> Probe {
        Probe::Present(Box::new(self))
    }

    /// The names of the missing client id and tenant id.
    pub fn missing_ids(&self) -> Vec<String> {
        let [c, t] = &self.missing_names;
        let mut m = Vec::new();
        if self.client_id.is_none() {
            m.push(c.clone());
        }
        if self.tenant_id.is_none() {
            m.push(t.clone());
        }
        m
    }

    /// Validated credentials with the given auth (the secret is checked by
    /// the caller).
    pub fn validate(
        self,
        auth: Auth,
        warnings: &mut Vec<String>,
    ) -> Result<Credentials, ResolveError> {
        let client_id = check(
            self.client_id,
            is_guid,
            "a GUID (the app's Application (client) ID)",
            warnings,
        )?;
        let tenant_id = check(
            self.tenant_id,
            is_tenant,
            "a GUID or a domain such as contoso.onmicrosoft.com (the Directory (tenant) ID)",
            warnings,
        )?;
        let subscription_id = check(
            self.subscription_id,
            is_guid,
            "a GUID (the Subscription ID)",
            warnings,
        )?;
        Ok(Credentials {
            source: self.kind,
            client_id: client_id.map(|c| c.to_ascii_lowercase()),
            tenant_id: tenant_id.unwrap_or_default().to_ascii_lowercase(),
            subscription_id: subscription_id.map(|s| s.to_ascii_lowercase()),
            auth,
            arm_endpoint: self.arm_endpoint,
        })
    }
}

/// Trims an id, warns when that changed it, and checks its shape. The value
/// is not echoed: a secret pasted into the wrong field must not leak.
pub fn check(
    value: Option<(String, String)>,
    ok: fn(&str) -> bool,
    expected: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, ResolveError> {
    let Some((raw, origin)) = value else {
        return Ok(None);
    };
    let v = raw.trim();
    if v.len() != raw.len() {
        warnings.push(format!("{origin}: surrounding whitespace removed"));
    }
    if !ok(v) {
        return Err(ResolveError::Invalid {
            origin,
            problem: format!(
                "is not {expected} (value not shown, {} characters)",
                v.chars().count()
            ),
            hint: Some(
                "copy the value from the app registration's Overview page in the Azure portal"
                    .into(),
            ),
        });
    }
    Ok(Some(v.to_owned()))
}

/// The client secret from `raw`, trimmed (with a warning when that changed
/// it); `None` when nothing is left.
pub fn secret_of(raw: &str, origin: &str, warnings: &mut Vec<String>) -> Option<Secret> {
    let (secret, trimmed) = Secret::parse(raw)?;
    if trimmed == Trimmed::Yes {
        warnings.push(format!(
            "{origin}: whitespace or a line break around the client secret was removed"
        ));
    }
    Some(secret)
}
