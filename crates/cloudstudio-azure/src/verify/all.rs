//! `verify --all`: one token for the credentials' tenant, then the
//! Resource Manager checks for every subscription, [`CONCURRENCY`] at a
//! time. A subscription whose reads fail for network reasons gets its own
//! error; the others are still checked.

use super::checks::{self, Target};
use super::common::{Options, backstop, endpoint_warning, finish};
use super::error::VerifyError;
use super::http::Http;
use super::report::Report;
use crate::observe::{CheckStatus, Observe};
use crate::resolve::Credentials;
use crate::secret::Secret;
use futures_util::stream::{self, StreamExt};
use std::sync::Arc;

/// Subscriptions checked at once: enough to hide the latency of a few
/// dozen, few enough not to look like a burst to Resource Manager's
/// throttling (12,000 reads per hour per principal).
pub const CONCURRENCY: usize = 16;

/// The report for each of `subscriptions` (distinct ids), in their order.
/// Only a failure to start (HTTPS set-up, the token request's own network
/// errors, the deadline) is an error of the whole run.
pub async fn verify_all(
    creds: &Credentials,
    subscriptions: &[String],
    opts: &Options<'_>,
    observe: Arc<dyn Observe>,
) -> Result<Vec<Result<Report, VerifyError>>, VerifyError> {
    let http = Arc::new(Http::new(
        opts.ssl_cert_file,
        opts.timeout,
        Arc::clone(&observe),
    )?);
    let quiet = Quiet(observe.as_ref());
    let reports = backstop(opts, run(&http, creds, subscriptions, opts, &quiet)).await;
    quiet.status("");
    let mut reports = reports??;
    let warnings: Vec<String> = endpoint_warning(creds, opts).into_iter().collect();
    for report in reports.iter_mut().flatten() {
        finish(report, creds, &quiet, warnings.clone());
    }
    Ok(reports)
}

async fn run(
    http: &Arc<Http>,
    creds: &Credentials,
    subscriptions: &[String],
    opts: &Options<'_>,
    observe: &dyn Observe,
) -> Result<Vec<Result<Report, VerifyError>>, VerifyError> {
    let (token, base) = match checks::token_step(http, creds, opts.endpoints, observe).await? {
        Ok(pair) => pair,
        // Refused once, refused for every subscription.
        Err(refused) => return Ok(subscriptions.iter().map(|_| Ok(refused.clone())).collect()),
    };
    let wanted = opts.require.level();
    let mut done: Vec<(usize, Result<Report, VerifyError>)> =
        stream::iter(subscriptions.iter().enumerate())
            .map(|(i, subscription_id)| {
                let (token, base) = (&token, base.clone());
                async move {
                    let target = Target {
                        creds,
                        subscription_id,
                        endpoints: opts.endpoints,
                        wanted,
                    };
                    let report = checks::resource_checks(http, &target, token, base, observe).await;
                    (i, report)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}

/// The observer for `verify --all`: masks, `-v` lines, the status line and
/// waits go through; the live per-check lines do not (one line per target
/// is printed at the end, not four per subscription as they complete).
struct Quiet<'a>(&'a dyn Observe);

impl Observe for Quiet<'_> {
    fn secret(&self, secret: &Secret) {
        self.0.secret(secret);
    }
    fn verbose(&self) -> bool {
        self.0.verbose()
    }
    fn debug(&self, line: &str) {
        self.0.debug(line);
    }
    fn check(&self, _: CheckStatus, _: &str, _: &str, _: Option<&str>) {}
    fn status(&self, line: &str) {
        self.0.status(line);
    }
    fn waiting(&self, line: &str) {
        self.0.waiting(line);
    }
}
