//! `env --shell ...`: the ARM_* and AZURE_* statements for the resolved credentials.
//!
//! The one command that prints the secret on purpose (its `--help` says
//! so): its output is for `eval`, `source` or an env file, never for a log.
//! It makes no network call and does not verify: it is a formatter of what
//! resolution found; run `verify` first when that matters. In GitHub Actions
//! the secret is masked before anything is printed, like everywhere else.

use super::ctx::Ctx;
use crate::cli::ResolveArgs;
use crate::error::Error;
use crate::exit::Outcome;
use crate::pipeline::{Shell, arm_vars, render_shell};
use std::io::Write;

pub async fn run(ctx: &Ctx<'_>, resolve: &ResolveArgs, sh: Shell) -> Result<Outcome, Error> {
    // The cloud names itself in the variables: validate it before `az` runs.
    let endpoints = resolve.cloud.endpoints(ctx.vars)?;
    let res = ctx.resolve(resolve).await?;
    let vars = arm_vars(&res.credentials, &res.target.subscription_id, &endpoints);
    // Rendered in full before printing: a refused value prints nothing.
    let text = render_shell(sh, &vars)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::io("write to standard output"))?;
    Ok(Outcome::Success)
}
