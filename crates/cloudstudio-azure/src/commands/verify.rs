//! `verify`: resolve, then check access against Azure; exit 3 when it is
//! not sufficient.

use super::ctx::{Ctx, access_failure};
use crate::cli::{ResolveArgs, VerifyArgs};
use crate::error::Error;
use crate::exit::Outcome;
use serde_json::json;

pub async fn run(
    ctx: &Ctx<'_>,
    resolve: &ResolveArgs,
    verify: &VerifyArgs,
) -> Result<Outcome, Error> {
    // A bad --cloud is an input error: say so before `az` runs.
    let endpoints = resolve.cloud.endpoints(ctx.vars)?;
    let res = ctx.resolve(resolve).await?;
    let report = ctx.verify(&res, &endpoints, verify).await?;
    if ctx.ui.json() {
        let doc = json!({
            "source": res.credentials.source,
            "environment": res.target.placement.environment,
            "subscription_id": res.target.subscription_id,
            "tenant_id": res.credentials.tenant_id,
            "client_id": res.credentials.client_id,
            "passed": report.passed(),
            "checks": report.results(),
        });
        ctx.ui.document(doc);
    } else {
        // The checks were printed as they completed.
        if report.passed() {
            ctx.ui.info(&format!(
                "access is sufficient for {} on subscription {}",
                res.target.placement.environment, res.target.subscription_id
            ));
        }
    }
    Ok(if report.passed() {
        Outcome::Success
    } else {
        access_failure(&report, "")
    })
}
