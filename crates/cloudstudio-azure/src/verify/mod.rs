//! Verification against Azure: cloud endpoints, the shared HTTP client and
//! its retry policy, Entra ID tokens (through azure_identity), the Resource
//! Manager reads, what their errors mean, and the [`Report`].
//!
//! Access problems (token rejected, subscription unusable, role too weak)
//! are failed checks in the report (exit 3); network trouble, outages and
//! the deadline are [`VerifyError`]s (exit 1). Nothing here prints: tokens
//! to mask and `-v` lines go to the [`Observe`]r, warnings into the report.

mod arm;
mod checks;
mod ci_token;
mod cloud;
mod doctor;
mod error;
mod fixes;
mod http;
mod identity;
mod jwt;
mod rbac;
mod report;
mod token;

pub use ci_token::token_claims;
pub use cloud::{Cloud, Endpoints};
pub use doctor::expiry;
pub use error::VerifyError;
pub use http::{Http, Reply};
pub use jwt::Claims;
pub use rbac::Require;
pub use report::{Check, Report, render_check};

use crate::observe::Observe;
use crate::resolve::Credentials;
use std::sync::Arc;
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

/// Runs the checks for `creds` on `subscription_id`. Every token obtained
/// is handed to `observe` to mask as soon as it exists.
pub async fn verify(
    creds: &Credentials,
    subscription_id: &str,
    opts: &Options<'_>,
    observe: Arc<dyn Observe>,
) -> Result<Report, VerifyError> {
    let mut warnings = Vec::new();
    if let Some(arm) = &creds.arm_endpoint
        && !opts.endpoints.same_arm(arm)
    {
        warnings.push(format!(
            "the credentials' resourceManagerEndpointUrl ({arm}) is not this cloud's Resource Manager ({}); pass --cloud to match",
            opts.endpoints.arm
        ));
    }
    let http = Arc::new(http::Http::new(
        opts.ssl_cert_file,
        opts.timeout,
        Arc::clone(&observe),
    )?);
    let target = checks::Target {
        creds,
        subscription_id,
        endpoints: opts.endpoints,
        wanted: opts.require.level(),
    };
    let run = checks::run(&http, &target, observe.as_ref());
    // The policy never waits past the deadline; this is the backstop for
    // anything that would (a hung TLS handshake inside a library).
    let mut report =
        match tokio::time::timeout(opts.timeout.saturating_add(Duration::from_millis(500)), run)
            .await
        {
            Ok(result) => result?,
            Err(_) => {
                return Err(VerifyError::Deadline {
                    step: "Azure to answer",
                    seconds: opts.timeout.as_secs(),
                });
            }
        };
    checks::emit(&mut report, creds, observe.as_ref(), report::Check::Role);
    for r in report.results() {
        if r.status == report::CheckStatus::Warn {
            warnings.push(format!("{}: {}", r.check.name(), r.detail));
        }
    }
    report.warnings = warnings;
    Ok(report)
}
