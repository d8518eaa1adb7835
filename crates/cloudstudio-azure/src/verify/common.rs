//! What a single verification and `verify --all` share: the options, the
//! deadline's backstop, and finishing a report (scrubbed, warnings).

use super::checks;
use super::cloud::Endpoints;
use super::error::VerifyError;
use super::rbac::Require;
use super::report::{Check, CheckStatus, Report};
use crate::observe::Observe;
use crate::resolve::Credentials;
use std::time::Duration;

/// How to verify.
pub struct Options<'a> {
    pub endpoints: &'a Endpoints,
    pub require: Require,
    /// The deadline for the whole verification.
    pub timeout: Duration,
    /// `SSL_CERT_FILE`: extra trusted roots.
    pub ssl_cert_file: Option<&'a str>,
}

/// The policy never waits past the deadline; this is the backstop for
/// anything that would (a hung TLS handshake inside a library).
pub(super) async fn backstop<T>(
    opts: &Options<'_>,
    run: impl Future<Output = T>,
) -> Result<T, VerifyError> {
    tokio::time::timeout(opts.timeout.saturating_add(Duration::from_millis(500)), run)
        .await
        .map_err(|_| VerifyError::Deadline {
            step: "Azure to answer",
            seconds: opts.timeout.as_secs(),
        })
}

/// The credentials name another Resource Manager than the cloud's.
pub(super) fn endpoint_warning(creds: &Credentials, opts: &Options<'_>) -> Option<String> {
    let arm = creds.arm_endpoint.as_ref()?;
    (!opts.endpoints.same_arm(arm)).then(|| {
        format!(
            "the credentials' resourceManagerEndpointUrl ({arm}) is not this cloud's Resource Manager ({}); pass --cloud to match",
            opts.endpoints.arm
        )
    })
}

/// Hands the report to `observe` (scrubbed: the rest of its live lines)
/// and collects its warnings after `warnings`.
pub(super) fn finish(
    report: &mut Report,
    creds: &Credentials,
    observe: &dyn Observe,
    mut warnings: Vec<String>,
) {
    checks::emit(report, creds, observe, Check::Role);
    for r in report.results() {
        if r.status == CheckStatus::Warn {
            warnings.push(format!("{}: {}", r.check.name(), r.detail));
        }
    }
    report.warnings = warnings;
}
