//! Export: the CloudStudio workdir (`workdir`, written through `fsio`),
//! the git guard, GitHub Actions (env, outputs, summary) and shell snippets.
//!
//! [`arm_vars`] is the one list of pipeline variables per auth kind; the
//! GitHub env file, `env --shell ...` and the plan all print it.

pub mod fsio;
pub mod gitguard;
pub mod github;
pub mod shell;
pub mod workdir;

use crate::error::{Diagnose, Exit};
use crate::secret::Secret;
use crate::source::{Auth, Credentials};
use std::path::PathBuf;

/// Everything that stops an export, cleanup or `env`. Messages name files
/// and keys, never values.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "credential `{credential}` is current for {other} with subscription {stored}; exporting subscription {wanted} for {environment} would silently retarget {other}"
    )]
    Retarget {
        credential: String,
        environment: String,
        other: String,
        stored: String,
        wanted: String,
    },
    #[error("{} is not a credential file this tool wrote: {problem}", path.display())]
    Malformed { path: PathBuf, problem: String },
    #[error(
        "{} {}: secrets must never be committable by accident",
        if note.is_some() { "could not confirm that git ignores" } else { "git would not ignore" },
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" and ")
    )]
    Unignored {
        paths: Vec<PathBuf>,
        rule: String,
        gitignore: PathBuf,
        note: Option<String>,
    },
    #[error("the value of {name} cannot be written for {format}: {problem}")]
    Unrepresentable {
        name: &'static str,
        format: &'static str,
        problem: &'static str,
    },
    #[error("could not {what} {}: {err}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        err: std::io::Error,
    },
}

impl ExportError {
    pub fn io(what: &'static str, path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        ExportError::Io {
            what,
            path: path.into(),
            err,
        }
    }
}

impl Diagnose for ExportError {
    fn exit(&self) -> Exit {
        match self {
            ExportError::Io { .. } => Exit::Runtime,
            _ => Exit::Input,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ExportError::Retarget { other, .. } => Some(format!(
                "give this environment its own credential (--credential, or `credential:` in cloudstudio.yml), or pass --force to retarget {other} too"
            )),
            ExportError::Malformed { .. } => {
                Some("move the file aside (or fix it), or pass --force to overwrite it".into())
            }
            ExportError::Unignored {
                rule,
                gitignore,
                note,
                ..
            } => {
                let mut h = format!(
                    "add `{rule}` to {}, or pass --allow-unignored",
                    gitignore.display()
                );
                if let Some(n) = note {
                    h.push_str(&format!(" ({n})"));
                }
                Some(h)
            }
            ExportError::Unrepresentable { format, .. } => Some(format!(
                "use `--shell json` or `--shell bash`, which carry any value; {format} cannot"
            )),
            ExportError::Io { .. } => None,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ExportError::Unignored { .. } => "Secrets not ignored by git",
            ExportError::Io { .. } => "cloudstudio-azure failed",
            _ => "Export refused",
        }
    }
}

/// A pipeline variable's value: the secret stays a [`Secret`] until a
/// writer that needs it calls `expose()`.
pub enum VarValue<'a> {
    Plain(String),
    Secret(&'a Secret),
}

impl VarValue<'_> {
    /// The value as shown to people: `***` for the secret.
    pub fn masked(&self) -> &str {
        match self {
            VarValue::Plain(s) => s,
            VarValue::Secret(_) => "***",
        }
    }

    /// The value itself. Only for GITHUB_ENV and `env` output.
    pub fn expose(&self) -> &str {
        match self {
            VarValue::Plain(s) => s,
            VarValue::Secret(s) => s.expose(),
        }
    }
}

/// One `ARM_*` variable for Terraform's azurerm provider.
pub struct ArmVar<'a> {
    pub name: &'static str,
    pub value: VarValue<'a>,
}

/// The variables per auth kind (DESIGN.md, "Pipeline export"): a client
/// secret gives the four ARM_* values; OIDC the ids and `ARM_USE_OIDC=true`;
/// the az session `ARM_USE_CLI=true` and the subscription only.
pub fn arm_vars<'a>(creds: &'a Credentials, subscription_id: &str) -> Vec<ArmVar<'a>> {
    let plain = |name, v: &str| ArmVar {
        name,
        value: VarValue::Plain(v.to_owned()),
    };
    let client_id = creds.client_id.as_deref().unwrap_or_default();
    match &creds.auth {
        Auth::ClientSecret(secret) => vec![
            plain("ARM_CLIENT_ID", client_id),
            ArmVar {
                name: "ARM_CLIENT_SECRET",
                value: VarValue::Secret(secret),
            },
            plain("ARM_TENANT_ID", &creds.tenant_id),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
        ],
        Auth::GithubOidc { .. } => vec![
            plain("ARM_CLIENT_ID", client_id),
            plain("ARM_TENANT_ID", &creds.tenant_id),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
            plain("ARM_USE_OIDC", "true"),
        ],
        Auth::AzSession { .. } => vec![
            plain("ARM_USE_CLI", "true"),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
        ],
    }
}
