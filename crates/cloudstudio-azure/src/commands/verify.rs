//! `verify`: resolve, then check access against Azure; exit 3 when it is
//! not sufficient.

use super::Ctx;
use crate::azure::{self, VerifyOptions};
use crate::cli::{ResolveArgs, VerifyArgs};
use anyhow::Result;
use serde_json::json;
use std::time::Duration;

pub async fn run(ctx: &Ctx<'_>, resolve: &ResolveArgs, verify: &VerifyArgs) -> Result<u8> {
    // A bad --cloud is an input error: say so before `az` runs.
    azure::cloud::Endpoints::for_cloud(&resolve.cloud)?;
    let res = ctx.resolve(resolve).await?;
    let opts = VerifyOptions {
        cloud: &resolve.cloud,
        require: verify.require,
        timeout: Duration::from_secs(verify.timeout.max(1)),
        vars: ctx.vars,
    };
    let report =
        azure::verify(&res.credentials, &res.target.subscription_id, &opts, ctx.ui).await?;
    if ctx.ui.json() {
        let doc = json!({
            "source": res.credentials.source,
            "environment": res.target.placement.environment,
            "subscription_id": res.target.subscription_id,
            "tenant_id": res.credentials.tenant_id,
            "client_id": res.credentials.client_id,
            "passed": report.passed(),
            "checks": report.checks,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        if !ctx.ui.quiet || !report.passed() {
            print!("{}", report.render_text());
        }
        if report.passed() {
            ctx.ui.info(&format!(
                "access is sufficient for {} on subscription {}",
                res.target.placement.environment, res.target.subscription_id
            ));
        }
    }
    Ok(if report.passed() { 0 } else { 3 })
}
