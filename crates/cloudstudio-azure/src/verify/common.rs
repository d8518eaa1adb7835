//! What a single verification and `verify --all` share: the options, the
//! deadline's backstop, and finishing a report (scrubbed, warnings).

use super::cloud::Endpoints;
use super::error::VerifyError;
use super::rbac::Require;
use super::report::{CheckStatus, Report};
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

/// Scrubs the report and collects its warnings after `warnings`.
pub(super) fn finish(report: &mut Report, creds: &Credentials, mut warnings: Vec<String>) {
    scrub(report, creds);
    for r in report.results() {
        if r.status == CheckStatus::Warn {
            warnings.push(format!("{}: {}", r.check.name(), r.detail));
        }
    }
    report.warnings = warnings;
}

/// Service text is shown as detail; should a service ever echo a credential
/// back, it is replaced here (defence in depth: nothing we send is echoed
/// by Entra ID or Resource Manager today).
fn scrub(report: &mut Report, creds: &Credentials) {
    let secrets: Vec<&str> = creds
        .auth
        .secrets()
        .into_iter()
        .map(|s| s.expose())
        .filter(|s| s.len() >= 4)
        .collect();
    for r in report.results_mut() {
        for text in std::iter::once(&mut r.detail).chain(r.fix.as_mut()) {
            for s in &secrets {
                if text.contains(s) {
                    *text = text.replace(s, "***");
                }
            }
        }
    }
}
