//! What resolution yields: complete credentials from exactly one source
//! ([`Credentials`]), and how the principal proves who it is ([`Auth`]).

use crate::secret::Secret;
use serde::Serialize;
use std::fmt;

/// The sources, in precedence order. Names are stable: they appear in
/// `explain`, step outputs and the summary.
/// `--source NAME` picks one of them by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Flags,
    AzureCredentials,
    AzureEnv,
    ArmEnv,
    GithubOidc,
    AzCli,
}

impl SourceKind {
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Flags => "flags",
            SourceKind::AzureCredentials => "azure-credentials",
            SourceKind::AzureEnv => "azure-env",
            SourceKind::ArmEnv => "arm-env",
            SourceKind::GithubOidc => "github-oidc",
            SourceKind::AzCli => "az-cli",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the principal proves who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    /// A client secret (flags, AZURE_CREDENTIALS, AZURE_*, ARM_*).
    ClientSecret(Secret),
    /// GitHub OIDC: fetch an ID token from the runner and present it as a
    /// client assertion. No secret is stored anywhere.
    GithubOidc {
        request_url: String,
        request_token: Secret,
    },
    /// The `az login` session: the token came with the session's one `az`
    /// process; no client id is known.
    AzSession { access_token: Secret },
}

impl Auth {
    pub fn has_secret(&self) -> bool {
        matches!(self, Auth::ClientSecret(_))
    }

    /// Every secret value this run holds, for `::add-mask::`.
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            Auth::ClientSecret(s) => vec![s],
            Auth::GithubOidc { request_token, .. } => vec![request_token],
            Auth::AzSession { access_token } => vec![access_token],
        }
    }
}

/// Complete credentials from exactly one source.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub source: SourceKind,
    /// `None` only for the `az` session.
    pub client_id: Option<String>,
    pub tenant_id: String,
    /// The source's own subscription, if it carries one.
    pub subscription_id: Option<String>,
    pub auth: Auth,
    /// `resourceManagerEndpointUrl` from an azure/login or sdk-auth JSON.
    pub arm_endpoint: Option<String>,
}
