//! `export`: resolve -> verify (unless `--no-verify`) -> plan -> apply ->
//! pipeline. `--dry-run` stops after the plan and prints it; it refuses
//! and exits exactly as the real run would, and writes nothing anywhere.
//!
//! Refusals are decided before anything is written: the plan is computed
//! once without the lock (so a refused run creates not even the secrets
//! directory), then again under the lock and applied.

use super::Ctx;
use crate::azure::{self, CheckStatus, Report, VerifyOptions};
use crate::cli::{ExportArgs, ResolveArgs, VerifyArgs};
use crate::export::workdir::{CredentialFile, SecretsDir};
use crate::export::{ArmVar, arm_vars, fsio, gitguard, github};
use crate::plan::{self, Plan, State, Wanted};
use anyhow::Result;
use serde_json::json;
use std::time::Duration;

pub async fn run(
    ctx: &Ctx<'_>,
    resolve: &ResolveArgs,
    verify: &VerifyArgs,
    args: &ExportArgs,
) -> Result<u8> {
    // Resolution masks the secret first; nothing is printed before it.
    // A bad --cloud is an input error: say so before `az` runs.
    if !args.no_verify {
        crate::azure::cloud::Endpoints::for_cloud(&resolve.cloud)?;
    }
    let res = ctx.resolve(resolve).await?;
    let creds = &res.credentials;
    let subscription = &res.target.subscription_id;
    // A missing workdir is an input error: find it before any network call.
    let workdir = ctx.workdir(&res.config)?;

    let report = if args.no_verify {
        None
    } else {
        let opts = VerifyOptions {
            cloud: &resolve.cloud,
            require: verify.require,
            timeout: Duration::from_secs(verify.timeout.max(1)),
            vars: ctx.vars,
        };
        let report = azure::verify(creds, subscription, &opts, ctx.ui).await?;
        if !report.passed() {
            print_failed_report(ctx, &report);
            return Ok(3);
        }
        if !ctx.ui.json() && !ctx.ui.quiet {
            print!("{}", report.render_text());
        }
        Some(report)
    };

    let secrets = SecretsDir::new(&workdir);
    let placement = &res.target.placement;
    let file = CredentialFile::for_credentials(creds, subscription);
    let want = Wanted {
        credential: &placement.credential,
        environment: placement.environment,
        file: &file,
        force: args.force,
    };

    let guarded = [
        secrets.credential_path(&placement.credential),
        secrets.environments_path(),
    ];
    if let Err(e) = gitguard::check(&secrets.dir, &guarded).await {
        if !args.allow_unignored {
            return Err(e.into());
        }
        ctx.ui
            .warn(&format!("{e} (written anyway: --allow-unignored)"));
    }

    let mut plan = plan::export(&secrets, &State::read(&secrets, want.credential)?, &want)?;
    if !args.dry_run {
        fsio::ensure_private_dir(&secrets.dir)?;
        let lock = fsio::Lock::acquire(&secrets.dir)?;
        lock.sweep();
        // Another run may have changed the files since the first look.
        plan = plan::export(&secrets, &State::read(&secrets, want.credential)?, &want)?;
        plan::apply(&plan)?;
        drop(lock);
    }
    if fsio::mode(&secrets.dir).is_some_and(|m| m & 0o077 != 0) {
        ctx.ui.warn(&format!(
            "{} is readable by other users; `chmod 700` it",
            secrets.dir.display()
        ));
    }
    for w in &plan.warnings {
        ctx.ui.warn(w);
    }

    let vars = arm_vars(creds, subscription);
    let verification = match &report {
        None => "skipped (--no-verify)",
        Some(r) if r.checks.iter().any(|c| c.status == CheckStatus::Warn) => "passed with warnings",
        Some(_) => "passed",
    };
    let outputs: Vec<(&str, String)> = vec![
        ("environment", placement.environment.to_string()),
        ("subscription-id", subscription.clone()),
        ("tenant-id", creds.tenant_id.clone()),
        ("client-id", creds.client_id.clone().unwrap_or_default()),
        ("credential", placement.credential.to_string()),
        ("source", creds.source.to_string()),
    ];
    // The job's files follow the job's environment (GITHUB_ACTIONS=true);
    // workflow commands on stdout follow the Ui. They agree except in
    // `demo`, which simulates a job's files behind a plain terminal.
    let in_actions = ctx.vars.in_github_actions();
    if in_actions && !args.dry_run {
        let cred_path = secrets.credential_path(&placement.credential);
        let labels = [
            "Environment",
            "Subscription",
            "Tenant",
            "Client ID",
            "Credential",
            "Source",
        ];
        let mut rows: Vec<(&str, String)> = labels
            .into_iter()
            .zip(outputs.iter().map(|(_, v)| v.clone()))
            .collect();
        rows.push(("Workdir file", cred_path.display().to_string()));
        rows.push(("Verification", verification.to_owned()));
        write_pipeline(ctx, &vars, &outputs, &rows)?;
    }

    if ctx.ui.json() {
        let files = plan.files_json();
        let doc = json!({
            "environment": placement.environment,
            "subscription_id": subscription,
            "tenant_id": creds.tenant_id,
            "client_id": creds.client_id,
            "credential": placement.credential.as_str(),
            "source": creds.source,
            "workdir": workdir,
            "files": files,
            "dry_run": args.dry_run,
            "verified": report.is_some(),
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else if !ctx.ui.quiet {
        print!("{}", render_plan(&plan, args.dry_run, ctx.ui.verbose > 0));
        if args.dry_run {
            print!("{}", render_vars(&vars, in_actions));
        } else if in_actions {
            let names: Vec<&str> = vars.iter().map(|v| v.name).collect();
            println!("exported {} to GITHUB_ENV", names.join(", "));
        }
    }
    Ok(0)
}

/// GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY. A missing variable is a
/// warning: the runner always sets them, so it means an unusual setup.
fn write_pipeline(
    ctx: &Ctx<'_>,
    vars: &[ArmVar<'_>],
    outputs: &[(&str, String)],
    summary_rows: &[(&str, String)],
) -> Result<()> {
    let targets = [
        ("GITHUB_ENV", github::env_block(vars)?),
        ("GITHUB_OUTPUT", github::output_block(outputs)?),
        (
            "GITHUB_STEP_SUMMARY",
            github::summary("Azure credentials exported", summary_rows),
        ),
    ];
    for (var, text) in targets {
        match ctx.vars.get(var) {
            Some(path) => github::append(std::path::Path::new(path), &text)?,
            None => ctx
                .ui
                .warn(&format!("{var} is not set; nothing written there")),
        }
    }
    Ok(())
}

/// The plan as text: one line per file (`created <path>`), the masked diff
/// for dry runs (and `-v`), then the bindings.
pub fn render_plan(plan: &Plan, dry_run: bool, verbose: bool) -> String {
    let mut out = String::new();
    if dry_run {
        out.push_str("dry run: nothing was written\n");
    }
    for f in &plan.files {
        out.push_str(&format!(
            "{} {}",
            f.action.describe(dry_run),
            f.path.display()
        ));
        if let Some(n) = &f.note {
            out.push_str(&format!(" ({n})"));
        }
        out.push('\n');
        if dry_run || verbose {
            for l in &f.diff {
                out.push_str(&format!("    {l}\n"));
            }
        }
    }
    for b in &plan.bindings {
        let verb = if dry_run { "would " } else { "" };
        let line = match (&b.credential, &b.previous) {
            (Some(c), Some(p)) if p == c => format!("{c} is already current for {}", b.environment),
            (Some(c), Some(p)) => {
                format!("{verb}set current for {}: {c} (was {p})", b.environment)
            }
            (Some(c), None) => format!("{verb}set current for {}: {c}", b.environment),
            (None, p) => format!(
                "{verb}unset {} (was {})",
                b.environment,
                p.as_deref().unwrap_or("nothing")
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn render_vars(vars: &[ArmVar<'_>], github: bool) -> String {
    let mut out = if github {
        "would append to GITHUB_ENV:\n".to_owned()
    } else {
        "pipeline variables (written to GITHUB_ENV in GitHub Actions only):\n".to_owned()
    };
    for v in vars {
        out.push_str(&format!("    {}={}\n", v.name, v.value.masked()));
    }
    out
}

/// Prints the checks and the first failure as the run's error.
fn print_failed_report(ctx: &Ctx<'_>, report: &Report) {
    if ctx.ui.json() {
        let doc = json!({"verified": false, "checks": report.checks});
        if let Ok(s) = serde_json::to_string_pretty(&doc) {
            println!("{s}");
        }
    } else {
        print!("{}", report.render_text());
    }
    if let Some(c) = report.checks.iter().find(|c| c.status == CheckStatus::Fail) {
        ctx.ui.error(
            "Azure access not sufficient",
            &format!("{}: {}; nothing was written", c.name, c.detail),
            c.fix.as_deref(),
        );
    }
}
