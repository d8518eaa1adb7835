//! `cleanup`: remove what `export` wrote for a credential (self-hosted
//! runners keep their workdir between jobs): its file and every environment
//! binding that points to it. No credentials needed: the credential name is
//! `--credential`, else the one `export` would use on this branch.

use super::ctx::Ctx;
use crate::branch;
use crate::cli::CleanupArgs;
use crate::error::Error;
use crate::exit::Outcome;
use crate::plan;
use crate::target::Placement;
use crate::workdir::{self, SecretsDir};
use serde_json::json;

/// On a terminal, outside CI, without `--yes`: shows what would go and
/// asks. Anything but yes keeps everything.
fn confirmed(ctx: &Ctx<'_>, args: &CleanupArgs, plan: &plan::Plan) -> Result<bool, Error> {
    use std::io::{BufRead, IsTerminal, Write};
    if args.yes || ctx.vars.in_ci() || !std::io::stdin().is_terminal() {
        return Ok(true);
    }
    // The dry-run listing, without its "nothing was written" headline.
    let listing: String = plan
        .render(true, false)
        .lines()
        .skip(1)
        .map(|l| format!("{l}\n"))
        .collect();
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{listing}delete these? [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(Error::io("read the answer from the terminal"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

pub async fn run(ctx: &Ctx<'_>, args: &CleanupArgs) -> Result<Outcome, Error> {
    let config = ctx.config()?;
    let credential = match &args.credential {
        Some(c) => c.clone(),
        None => {
            let detection = branch::detect(args.branch.as_deref(), ctx.vars, &ctx.cwd);
            let placement = Placement::compute(&config, detection, args.environment, None, None)?;
            if let Some(why) = &placement.untrusted_branch {
                ctx.ui.warn(why);
            }
            placement.credential
        }
    };
    let workdir = ctx.workdir(&config)?;
    let secrets = SecretsDir::new(&workdir);

    workdir::check_secrets_dir(&secrets.dir)?;
    let state = workdir::read_state(&secrets, &credential)?;
    let mut plan = plan::cleanup(&secrets, &state, &credential);
    if !args.dry_run && !plan.files.is_empty() && !confirmed(ctx, args, &plan)? {
        ctx.ui.info("nothing removed");
        return Ok(Outcome::Success);
    }
    if !args.dry_run && !plan.files.is_empty() {
        let lock = ctx.lock(&secrets.dir, args.lock.timeout())?;
        lock.sweep();
        let state = workdir::read_state(&secrets, &credential)?;
        plan = plan::cleanup(&secrets, &state, &credential);
        workdir::apply(&plan)?;
        drop(lock);
    }
    for w in &plan.warnings {
        ctx.ui.warn(w);
    }

    if ctx.ui.json() {
        let files = plan.files_json();
        let doc = json!({
            "credential": credential.as_str(),
            "workdir": workdir,
            "files": files,
            "unbound": plan.bindings.iter().map(|b| b.environment).collect::<Vec<_>>(),
            "dry_run": args.dry_run,
        });
        ctx.ui.document(doc);
    } else if !ctx.ui.quiet {
        if plan.files.is_empty() {
            println!(
                "nothing to clean: no {} and no environment bound to `{credential}`",
                crate::untrusted::text(&secrets.credential_path(&credential).display().to_string())
            );
        } else {
            print!(
                "{}",
                crate::untrusted::lines(&plan.render(args.dry_run, ctx.ui.verbose > 0))
            );
        }
    }
    Ok(Outcome::Success)
}
