//! Verification against Azure: cloud endpoints, the shared HTTP client and
//! its retry policy, Entra ID tokens, Resource Manager checks, error mapping.
//!
//! Access problems (token rejected, subscription unusable, role too weak)
//! are failed checks in the [`Report`] (exit 3); network trouble, outages and
//! the deadline are [`AzureError`]s (exit 1).

use crate::cli::{CloudArgs, Require};
use crate::error::{Diagnose, Exit};
use crate::source::Credentials;
use crate::ui::Ui;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AzureError {
    #[error("verification is not built yet")]
    NotBuilt,
}

impl Diagnose for AzureError {
    fn exit(&self) -> Exit {
        Exit::Runtime
    }
}

/// How to verify.
pub struct VerifyOptions<'a> {
    pub cloud: &'a CloudArgs,
    pub require: Require,
    /// The deadline for the whole verification.
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Not run because an earlier check failed.
    Skip,
}

/// One line of the verification report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `token`, `subscription`, `tenant`, `role`.
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
    /// What to do about a failure or warning.
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != CheckStatus::Fail)
    }
}

/// Runs the checks for `creds` on `subscription_id`. Masks any token it
/// obtains (GitHub Actions) before returning.
pub async fn verify(
    creds: &Credentials,
    subscription_id: &str,
    opts: &VerifyOptions<'_>,
    ui: &Ui,
) -> Result<Report, AzureError> {
    let _ = (creds, subscription_id, opts, ui);
    Err(AzureError::NotBuilt)
}
