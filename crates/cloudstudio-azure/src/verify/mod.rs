//! Verification against Azure: cloud endpoints, the shared HTTP client and
//! its retry policy, Entra ID tokens (through azure_identity), the Resource
//! Manager reads, what their errors mean, and the [`Report`].
//!
//! Access problems (token rejected, subscription unusable, role too weak)
//! are failed checks in the report (exit 3); network trouble, outages and
//! the deadline are [`VerifyError`]s (exit 1). Nothing here prints: tokens
//! to mask and `-v` lines go to the [`Observe`]r, warnings into the report.

mod all;
mod arm;
mod checks;
mod ci_token;
mod cloud;
mod common;
mod doctor;
mod error;
mod fixes;
mod http;
mod identity;
mod jwt;
pub mod mi_token;
#[cfg(any(test, fuzzing))]
pub(crate) mod props;
mod rbac;
mod report;
mod token;

pub use all::{CONCURRENCY, verify_all};
pub use ci_token::token_claims;
pub use cloud::{Cloud, Endpoints};
pub use common::Options;
pub use doctor::expiry;
pub use error::VerifyError;
pub use http::{Http, Reply};
pub use jwt::Claims;
pub use rbac::Require;
pub use report::{Check, Report, render_check};

use crate::observe::Observe;
use crate::resolve::Credentials;
use common::{backstop, endpoint_warning, finish};
use std::sync::Arc;

/// Runs the checks for `creds` on `subscription_id`. Every token obtained
/// is handed to `observe` to mask as soon as it exists.
pub async fn verify(
    creds: &Credentials,
    subscription_id: &str,
    opts: &Options<'_>,
    observe: Arc<dyn Observe>,
) -> Result<Report, VerifyError> {
    let warnings: Vec<String> = endpoint_warning(creds, opts).into_iter().collect();
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
    let mut report = backstop(opts, checks::run(&http, &target, observe.as_ref())).await??;
    finish(&mut report, creds, observe.as_ref(), warnings);
    Ok(report)
}
