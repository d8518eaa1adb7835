//! Credential sources: one file per source, the precedence in `resolve.rs`.
//!
//! A source yields [`Credentials`]: the ids it carries and how to authenticate
//! ([`Auth`]). Fields never mix across sources.

mod az_cli;
mod creds_json;
mod env_vars;
mod flags;
pub mod resolve;

use crate::error::{Diagnose, Exit};
use crate::secret::Secret;
use serde::Serialize;
use std::fmt;

pub use resolve::{ResolveInput, Resolved, Skipped, resolve};

/// The six sources, in precedence order. Names are stable: they appear in
/// `explain`, step outputs and the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Flags,
        SourceKind::AzureCredentials,
        SourceKind::AzureEnv,
        SourceKind::ArmEnv,
        SourceKind::GithubOidc,
        SourceKind::AzCli,
    ];

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
    AzSession {
        access_token: Secret,
        /// Unix seconds, when `az` reported it.
        expires_on: Option<i64>,
    },
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
            Auth::AzSession { access_token, .. } => vec![access_token],
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
    /// `activeDirectoryEndpointUrl` from an sdk-auth JSON.
    pub authority_host: Option<String>,
}

/// Errors while reading credential sources. Messages name the source and
/// the variable or key; they never contain a secret value.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{which} is incomplete: missing {}", missing.join(", "))]
    Incomplete {
        which: SourceKind,
        missing: Vec<String>,
        hint: Option<String>,
    },
    #[error("{origin}: {problem}")]
    Invalid {
        /// Where the value came from: a variable, a flag, a JSON key.
        origin: String,
        problem: String,
        hint: Option<String>,
    },
    #[error(
        "{origin} is not valid JSON: {problem} at line {line}, column {column} (content not shown)"
    )]
    MalformedJson {
        origin: String,
        problem: &'static str,
        line: usize,
        column: usize,
    },
    #[error("no usable Azure credentials; tried:\n{}", tried.iter().map(|t| format!("  - {t}")).collect::<Vec<_>>().join("\n"))]
    NoneFound { tried: Vec<String> },
    #[error("`az account get-access-token` did not finish within {seconds} s; it was stopped")]
    AzTimeout { seconds: u64 },
    #[error("`az account get-access-token` failed (exit {code}): {stderr}")]
    AzFailed { code: String, stderr: String },
    #[error("`az account get-access-token` printed unexpected output: {problem}")]
    AzOutput { problem: String },
    #[error("could not read {what}: {err}")]
    Io { what: String, err: std::io::Error },
}

impl Diagnose for SourceError {
    fn exit(&self) -> Exit {
        match self {
            SourceError::AzTimeout { .. }
            | SourceError::AzFailed { .. }
            | SourceError::AzOutput { .. } => Exit::Runtime,
            _ => Exit::Input,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            SourceError::Incomplete { hint, .. } | SourceError::Invalid { hint, .. } => hint.clone(),
            SourceError::MalformedJson { .. } => Some(
                "paste the whole JSON object (e.g. the output of `az ad sp create-for-rbac --sdk-auth`) into the secret".into(),
            ),
            SourceError::NoneFound { .. } => Some(
                "set AZURE_CREDENTIALS or AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID, or run `az login`".into(),
            ),
            SourceError::AzTimeout { .. } => Some(
                "run `az account get-access-token` by hand to see what it waits for, or raise --az-timeout".into(),
            ),
            SourceError::AzFailed { .. } => Some("run `az login` again, then retry".into()),
            SourceError::AzOutput { .. } => Some("update the Azure CLI (`az upgrade`)".into()),
            SourceError::Io { .. } => None,
        }
    }

    fn title(&self) -> &'static str {
        "Azure credentials"
    }
}
