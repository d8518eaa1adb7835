//! Errors while reading credential sources. Messages name the source and
//! the variable or key; they never contain a secret value.

use super::credentials::SourceKind;
use crate::exit::{Diagnose, Exit};

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
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
    #[error(
        "the `az login` session is for another cloud: it has no token for {resource}: {stderr}"
    )]
    AzCloud {
        resource: String,
        set_cloud: String,
        stderr: String,
    },
    #[error("`az account get-access-token` printed unexpected output: {problem}")]
    AzOutput { problem: String },
    #[error("could not read {what}: {err}")]
    Io { what: String, err: std::io::Error },
    /// The managed identity's endpoint: unreachable or failing (exit 1),
    /// refusing the token (exit 3), or set up wrong (exit 2).
    #[error("{problem}")]
    ManagedIdentity {
        problem: String,
        hint: String,
        exit: Exit,
    },
}

impl ResolveError {
    /// A variable whose value is not valid UTF-8: present, and unusable.
    pub fn not_utf8(name: &str) -> ResolveError {
        ResolveError::Invalid {
            origin: name.to_owned(),
            problem: "is set to a value that is not valid UTF-8 (value not shown)".into(),
            hint: Some(format!(
                "set {name} to the plain text value, or unset it; check how the job writes it"
            )),
        }
    }
}

impl Diagnose for ResolveError {
    fn exit(&self) -> Exit {
        match self {
            ResolveError::AzTimeout { .. }
            | ResolveError::AzFailed { .. }
            | ResolveError::AzOutput { .. } => Exit::Runtime,
            ResolveError::Incomplete { .. }
            | ResolveError::Invalid { .. }
            | ResolveError::MalformedJson { .. }
            | ResolveError::NoneFound { .. }
            | ResolveError::AzCloud { .. }
            | ResolveError::Io { .. } => Exit::Input,
            ResolveError::ManagedIdentity { exit, .. } => *exit,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ResolveError::Incomplete { hint, .. } | ResolveError::Invalid { hint, .. } => hint.clone(),
            ResolveError::MalformedJson { .. } => Some(
                "paste the whole JSON object (e.g. the output of `az ad sp create-for-rbac --sdk-auth`) into the secret".into(),
            ),
            ResolveError::NoneFound { .. } => Some(
                "set AZURE_CREDENTIALS or AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID, or run `az login`".into(),
            ),
            ResolveError::AzTimeout { .. } => Some(
                "run `az account get-access-token` by hand to see what it waits for, or raise --az-timeout".into(),
            ),
            ResolveError::AzFailed { .. } => Some("run `az login` again, then retry".into()),
            ResolveError::AzOutput { .. } => Some("update the Azure CLI (`az upgrade`)".into()),
            ResolveError::AzCloud { set_cloud, .. } => Some(format!(
                "point az at this run's cloud, then log in again: `{set_cloud}` and `az login`; or pass the --cloud the session is for"
            )),
            ResolveError::Io { .. } => None,
            ResolveError::ManagedIdentity { hint, .. } => Some(hint.clone()),
        }
    }

    fn title(&self) -> &'static str {
        "Azure credentials"
    }
}
