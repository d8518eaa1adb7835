//! What resolution yields: complete credentials from exactly one source
//! ([`Credentials`]), and how the principal proves who it is ([`Auth`]).

use crate::secret::Secret;
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

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
    FederatedToken,
    AzureDevopsOidc,
    GithubOidc,
    ManagedIdentity,
    AzCli,
}

impl SourceKind {
    /// A source that lends a CI token to ids from another source.
    pub fn is_federation(self) -> bool {
        matches!(
            self,
            SourceKind::FederatedToken | SourceKind::AzureDevopsOidc | SourceKind::GithubOidc
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Flags => "flags",
            SourceKind::AzureCredentials => "azure-credentials",
            SourceKind::AzureEnv => "azure-env",
            SourceKind::ArmEnv => "arm-env",
            SourceKind::FederatedToken => "federated-token",
            SourceKind::AzureDevopsOidc => "azure-devops-oidc",
            SourceKind::GithubOidc => "github-oidc",
            SourceKind::ManagedIdentity => "managed-identity",
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
    /// A CI system's ID token from a variable or a file (GitLab, Kubernetes
    /// workload identity, any OIDC issuer), presented as a client assertion.
    FederatedToken(TokenFrom),
    /// Azure DevOps: the job asks its service connection for an ID token.
    AzureDevopsOidc {
        request_uri: String,
        access_token: Secret,
        service_connection_id: String,
    },
    /// The `az login` session: the token came with the session's one `az`
    /// process; no client id is known.
    AzSession { access_token: Secret },
    /// The machine's managed identity (Azure VM, App Service): like the az
    /// session, its token came with resolution (one request) and is used as
    /// is, never stored.
    ManagedIdentity {
        access_token: Secret,
        endpoint: MiEndpoint,
        /// A user-assigned identity, named by its client id (exported);
        /// `false`: the system-assigned one (no client id is exported).
        user_assigned: bool,
    },
}

/// Where a managed identity's token came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MiEndpoint {
    /// The instance metadata service; `moved_to`: its token URL when
    /// `IMDS_ENDPOINT` moved it (Terraform's `ARM_MSI_ENDPOINT`).
    Imds { moved_to: Option<String> },
    /// App Service / Functions: `IDENTITY_ENDPOINT` with `IDENTITY_HEADER`.
    AppService,
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
            Auth::FederatedToken(TokenFrom::Env { token, .. }) => vec![token],
            // The file is read when the token is needed; what it held is
            // masked by verification.
            Auth::FederatedToken(TokenFrom::File { .. }) => vec![],
            Auth::AzureDevopsOidc { access_token, .. } => vec![access_token],
            Auth::AzSession { access_token } => vec![access_token],
            // Masked by resolution the moment it came (`Observe::secret`),
            // with the App Service header that fetched it.
            Auth::ManagedIdentity { .. } => vec![],
        }
    }
}

/// Where a federated token is. A file is read each time the token is
/// needed, never kept: the kubelet rotates it.
#[derive(Debug, Clone)]
pub enum TokenFrom {
    Env { var: String, token: Secret },
    File { var: &'static str, path: PathBuf },
}

/// Complete credentials from exactly one source.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub source: SourceKind,
    /// `None` only for the `az` session. A system-assigned managed
    /// identity's is shown, never exported.
    pub client_id: Option<String>,
    pub tenant_id: String,
    /// The source's own subscription, if it carries one.
    pub subscription_id: Option<String>,
    pub auth: Auth,
    /// `resourceManagerEndpointUrl` from an azure/login or sdk-auth JSON.
    pub arm_endpoint: Option<String>,
}
