//! What stops a verification before it has a verdict: bad setup (input,
//! exit 2), the network, outages and the deadline (exit 1). A verdict of
//! "not sufficient" is a failed check in the report, not an error.

use crate::exit::{Diagnose, Exit};

#[derive(Debug, Clone, thiserror::Error)]
pub enum VerifyError {
    /// `--cloud` and its endpoints, `SSL_CERT_FILE`.
    #[error("{0}")]
    CloudConfig(String),
    #[error(
        "verification passed its deadline: it did not finish within {seconds} s (--timeout); it was waiting for {step}"
    )]
    Deadline { step: &'static str, seconds: u64 },
    #[error("{step} failed after {attempts} attempt(s): {detail}")]
    Network {
        step: &'static str,
        attempts: u32,
        detail: String,
    },
    #[error(
        "{step} sent a reply larger than {} KiB; it was abandoned and not retried",
        limit / 1024
    )]
    TooLarge { step: &'static str, limit: usize },
    #[error("{service} answered HTTP {status} after {attempts} attempt(s): {detail}")]
    Service {
        /// The endpoint: "the Entra ID token endpoint", "the Resource Manager permissions read".
        service: &'static str,
        status: u16,
        attempts: u32,
        detail: String,
    },
    /// GitHub refused the ID token request (reported as a failed check).
    #[error("GitHub refused the OIDC token request (HTTP {status})")]
    OidcRefused { status: u16, detail: String },
    /// The federated token file could not be read (missing, a FIFO, too big).
    #[error("{var}: could not read the federated token file {path}: {detail}")]
    TokenFile {
        var: &'static str,
        path: String,
        detail: String,
    },
    /// Azure DevOps refused the OIDC token request.
    #[error("Azure DevOps refused the OIDC token request (HTTP {status}): {detail}")]
    AdoRefused { status: u16, detail: String },
}

impl Diagnose for VerifyError {
    fn exit(&self) -> Exit {
        match self {
            VerifyError::CloudConfig(_) => Exit::Input,
            VerifyError::OidcRefused { .. } | VerifyError::AdoRefused { .. } => Exit::Access,
            VerifyError::TokenFile { .. } => Exit::Input,
            VerifyError::Deadline { .. }
            | VerifyError::Network { .. }
            | VerifyError::TooLarge { .. }
            | VerifyError::Service { .. } => Exit::Runtime,
        }
    }
    fn hint(&self) -> Option<String> {
        Some(match self {
            VerifyError::CloudConfig(_) => "see `--cloud`, `--authority-host`, `--arm-endpoint`; SSL_CERT_FILE must name a PEM bundle".into(),
            VerifyError::Deadline { .. } | VerifyError::Network { .. } => "check the network path to Entra ID and Resource Manager (a proxy needs HTTPS_PROXY, a TLS-inspecting one SSL_CERT_FILE); raise --timeout for slow links".into(),
            VerifyError::TooLarge { .. } => "a proxy or a misconfigured --authority-host/--arm-endpoint may be answering instead of Azure; check those endpoints".into(),
            VerifyError::Service { .. } => "Azure is throttling or having an outage; retry later (https://status.azure.com)".into(),
            VerifyError::OidcRefused { .. } => "give the job `permissions: id-token: write`".into(),
            VerifyError::TokenFile { var, .. } => format!("{var} must name a regular file holding the CI system's ID token (Kubernetes: the projected service account token the workload identity webhook mounts)"),
            VerifyError::AdoRefused { .. } => "map SYSTEM_ACCESSTOKEN (`env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`) and check that the service connection id names a workload identity federation connection this pipeline may use".into(),
        })
    }
    fn title(&self) -> &'static str {
        "Azure verification"
    }
}
