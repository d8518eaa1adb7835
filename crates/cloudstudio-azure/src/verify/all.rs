//! `verify --all`: one token for the credentials' tenant, then the
//! Resource Manager checks for every subscription, [`CONCURRENCY`] at a
//! time. A subscription whose reads fail for network reasons gets its own
//! error; the others are still checked.

use super::checks::{self, Target};
use super::common::{Options, backstop, endpoint_warning, finish};
use super::error::VerifyError;
use super::http::Http;
use super::report::Report;
use crate::observe::Observe;
use crate::resolve::Credentials;
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
    let mut reports = backstop(
        opts,
        run(&http, creds, subscriptions, opts, observe.as_ref()),
    )
    .await??;
    let warnings: Vec<String> = endpoint_warning(creds, opts).into_iter().collect();
    for report in reports.iter_mut().flatten() {
        finish(report, creds, warnings.clone());
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
                    (i, checks::resource_checks(http, &target, token, base).await)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    done.sort_by_key(|(i, _)| *i);
    Ok(done.into_iter().map(|(_, r)| r).collect())
}
