//! `export`: resolve -> verify (unless `--no-verify`) -> plan -> apply ->
//! pipeline. `--dry-run` stops after the plan and prints it; it refuses
//! and exits exactly as the real run would, and writes nothing anywhere.
//!
//! Refusals are decided before anything is written: the plan is computed
//! once without the lock (so a refused run creates not even the secrets
//! directory), then again under the lock and applied.

use super::ctx::{Ctx, Resolution, access_failure};
use crate::ci::Ci;
use crate::cli::{ExportArgs, ResolveArgs, VerifyArgs};
use crate::error::Error;
use crate::exit::Outcome;
use crate::pipeline::{self, ArmVar, Outputs, VarValue, arm_vars};
use crate::plan::{self, Plan, Wanted};
use crate::verify::Report;
use crate::workdir::{self, CredentialFile, SecretsDir};
use serde_json::json;
use std::path::{Path, PathBuf};

pub async fn run(
    ctx: &Ctx<'_>,
    resolve: &ResolveArgs,
    verify: &VerifyArgs,
    args: &ExportArgs,
) -> Result<Outcome, Error> {
    // A bad --cloud is an input error: say so before `az` runs.
    // The cloud is validated with --no-verify too: the variables name it.
    let endpoints = resolve.cloud.endpoints(ctx.vars)?;
    // Resolution masks the secret first; nothing is printed before it.
    let res = ctx.resolve(resolve).await?;
    run_resolved(ctx, &res, &endpoints, verify, args).await
}

/// Everything after resolution: verify, plan, write, pipeline. `init`
/// calls it with the credential it created (masked already).
pub async fn run_resolved(
    ctx: &Ctx<'_>,
    res: &Resolution,
    endpoints: &crate::verify::Endpoints,
    verify: &VerifyArgs,
    args: &ExportArgs,
) -> Result<Outcome, Error> {
    // A missing workdir is an input error: find it before any network call.
    let workdir = ctx.workdir(&res.config)?;
    let secrets = SecretsDir::new(&workdir);
    // Refusals that need no network (the git guard, a retarget without
    // --force, a bad existing file) come before any request.
    let first_look = preflight(ctx, res, &secrets, args).await?;
    if let Some(path) = &args.dotenv_report {
        super::dotenv_report::check(path)?;
    }

    let report = if args.no_verify {
        None
    } else {
        let report = ctx.verify(res, endpoints, verify).await?;
        if !report.passed() {
            print_failed_report(ctx, &report)?;
            return Ok(access_failure(&report, "; nothing was written"));
        }
        // The checks were printed as they completed.
        Some(report)
    };

    let plan = write_workdir(ctx, res, &secrets, args, first_look)?;
    let vars = arm_vars(&res.credentials, &res.target.subscription_id, endpoints);
    // The job's files follow the job's environment (GITHUB_ACTIONS=true);
    // workflow commands on stdout follow the Ui. They agree except in
    // `demo`, which simulates a job's files behind a plain terminal.
    let in_actions = Ci::detect(ctx.vars) == Some(Ci::GithubActions);
    if in_actions && !args.dry_run {
        let cred_path = secrets.credential_path(&res.target.placement.credential);
        write_pipeline(ctx, res, &vars, &cred_path, report.as_ref())?;
    }
    if Ci::detect(ctx.vars) == Some(Ci::AzureDevops) && !args.dry_run {
        for v in &vars {
            let secret = matches!(v.value, VarValue::Secret(_));
            ctx.ui.ado_set_variable(v.name, v.value.expose(), secret);
        }
    }
    // The report is written before anything is printed as done, so the
    // JSON document can describe it and a failed write ends the run
    // before its result is claimed.
    let dotenv = match args.dotenv_report.as_deref() {
        Some(path) => Some(super::dotenv_report::run(path, &vars, args.dry_run)?),
        None => None,
    };
    let done = Done {
        verified: report.is_some(),
        dotenv: dotenv.as_ref(),
    };
    print_result(ctx, res, &workdir, &plan, &vars, args, &done)?;
    if let Some(d) = &dotenv {
        ctx.ui.info(&d.line);
    }
    Ok(Outcome::Success)
}

/// What the run did besides the workdir, for its result.
struct Done<'a> {
    verified: bool,
    dotenv: Option<&'a super::dotenv_report::Report>,
}

/// What the run wants written.
fn wanted<'a>(res: &'a Resolution, file: &'a CredentialFile, args: &ExportArgs) -> Wanted<'a> {
    let placement = &res.target.placement;
    Wanted {
        credential: &placement.credential,
        environment: placement.environment,
        file,
        force: args.force,
    }
}

/// The git guard, then the plan from a first look at the files: every
/// refusal that needs no network.
async fn preflight(
    ctx: &Ctx<'_>,
    res: &Resolution,
    secrets: &SecretsDir,
    args: &ExportArgs,
) -> Result<Plan, Error> {
    guard(ctx, secrets, &res.target.placement.credential, args).await?;
    let file = CredentialFile::for_credentials(&res.credentials, &res.target.subscription_id);
    let want = wanted(res, &file, args);
    let state = workdir::read_state(secrets, want.credential)?;
    Ok(plan::export(secrets, &state, &want)?)
}

/// The git guard and the secrets folder's checks for `credential`'s files
/// (`init` runs them before it creates anything in Azure).
pub async fn guard(
    ctx: &Ctx<'_>,
    secrets: &SecretsDir,
    credential: &crate::config::CredentialName,
    args: &ExportArgs,
) -> Result<(), Error> {
    let guarded = [
        secrets.credential_path(credential),
        secrets.environments_path(),
    ];
    if let Err(e) = workdir::git_guard(&secrets.dir, &guarded).await {
        if !args.allow_unignored {
            return Err(e.into());
        }
        ctx.ui
            .warn(&format!("{e} (written anyway: --allow-unignored)"));
    }
    Ok(workdir::check_secrets_dir(&secrets.dir)?)
}

/// The plan, applied under the lock unless dry run.
fn write_workdir(
    ctx: &Ctx<'_>,
    res: &Resolution,
    secrets: &SecretsDir,
    args: &ExportArgs,
    first_look: Plan,
) -> Result<Plan, Error> {
    let file = CredentialFile::for_credentials(&res.credentials, &res.target.subscription_id);
    let want = wanted(res, &file, args);
    let mut plan = first_look;
    if !args.dry_run {
        if let Some(note) = workdir::ensure_private_dir(&secrets.dir)? {
            ctx.ui.info(&format!("note: {note}"));
        }
        let lock = ctx.lock(&secrets.dir, args.lock.timeout())?;
        lock.sweep();
        // Another run may have changed the files since the first look.
        let state = workdir::read_state(secrets, want.credential)?;
        plan = plan::export(secrets, &state, &want)?;
        workdir::apply(&plan)?;
        drop(lock);
    }
    if args.dry_run && workdir::mode(&secrets.dir).is_some_and(|m| m & 0o077 != 0) {
        ctx.ui.warn(&format!(
            "{} is open to other users; the export sets it to 0700",
            crate::untrusted::path(&secrets.dir)
        ));
    }
    for w in &plan.warnings {
        ctx.ui.warn(w);
    }
    Ok(plan)
}

/// GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY. A missing variable is a
/// warning: the runner always sets them, so it means an unusual setup.
fn write_pipeline(
    ctx: &Ctx<'_>,
    res: &Resolution,
    vars: &[ArmVar<'_>],
    cred_path: &Path,
    report: Option<&Report>,
) -> Result<(), Error> {
    let verification = match report {
        None => "skipped (--no-verify)",
        Some(r) if r.has_warnings() => "passed with warnings",
        Some(_) => "passed",
    };
    let outputs = outputs(res);
    let extra = [
        ("Workdir file", cred_path.display().to_string()),
        ("Verification", verification.to_owned()),
    ];
    let targets = [
        ("GITHUB_ENV", pipeline::env_block(vars)?),
        ("GITHUB_OUTPUT", outputs.output_block()?),
        (
            "GITHUB_STEP_SUMMARY",
            outputs.summary("Azure credentials exported", &extra),
        ),
    ];
    for (var, text) in targets {
        match ctx.vars.get(var) {
            Some(path) => pipeline::append(Path::new(path), &text)?,
            None => ctx
                .ui
                .warn(&format!("{var} is not set; nothing written there")),
        }
    }
    Ok(())
}

fn outputs(res: &Resolution) -> Outputs {
    let creds = &res.credentials;
    let placement = &res.target.placement;
    Outputs {
        environment: placement.environment.to_string(),
        subscription_id: res.target.subscription_id.clone(),
        tenant_id: creds.tenant_id.clone(),
        client_id: creds.client_id.clone().unwrap_or_default(),
        credential: placement.credential.to_string(),
        source: creds.source.to_string(),
    }
}

fn print_result(
    ctx: &Ctx<'_>,
    res: &Resolution,
    workdir: &PathBuf,
    plan: &Plan,
    vars: &[ArmVar<'_>],
    args: &ExportArgs,
    done: &Done<'_>,
) -> Result<(), Error> {
    let creds = &res.credentials;
    let placement = &res.target.placement;
    if ctx.ui.json() {
        let doc = json!({
            "environment": placement.environment,
            "subscription_id": res.target.subscription_id,
            "tenant_id": creds.tenant_id,
            "client_id": creds.client_id,
            "credential": placement.credential.as_str(),
            "source": creds.source,
            "workdir": workdir,
            "files": plan.files_json(),
            "dry_run": args.dry_run,
            "verified": done.verified,
            "dotenv_report": done.dotenv.map(super::dotenv_report::Report::json),
        });
        ctx.ui.document(doc);
    } else if !ctx.ui.quiet {
        print!(
            "{}",
            crate::untrusted::lines(&plan.render(args.dry_run, ctx.ui.verbose > 0))
        );
        let in_actions = Ci::detect(ctx.vars) == Some(Ci::GithubActions);
        if args.dry_run {
            print!(
                "{}",
                crate::untrusted::lines(&render_vars(vars, in_actions))
            );
        } else if in_actions {
            let names: Vec<&str> = vars.iter().map(|v| v.name).collect();
            println!("exported {} to GITHUB_ENV", names.join(", "));
        } else if Ci::detect(ctx.vars) == Some(Ci::AzureDevops) {
            println!("{}", ado_note(vars));
        }
    }
    Ok(())
}

/// What later Azure DevOps steps get; secret variables reach a script
/// only through its `env:` mapping (the agent's rule).
fn ado_note(vars: &[ArmVar<'_>]) -> String {
    let (secret, plain): (Vec<&ArmVar<'_>>, Vec<&ArmVar<'_>>) = vars
        .iter()
        .partition(|v| matches!(v.value, VarValue::Secret(_)));
    let names = |l: &[&ArmVar<'_>]| l.iter().map(|v| v.name).collect::<Vec<_>>().join(", ");
    let mut out = format!(
        "exported {} as Azure DevOps pipeline variables",
        names(&plain)
    );
    if !secret.is_empty() {
        out.push_str(&format!(
            "; secret ones ({}) reach a later step only through its env: mapping, e.g. env: {{ {}: $({}) }}",
            names(&secret),
            secret[0].name,
            secret[0].name
        ));
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

/// The checks of a run refused for access; `main` prints the failure.
fn print_failed_report(ctx: &Ctx<'_>, report: &Report) -> Result<(), Error> {
    if ctx.ui.json() {
        let doc = json!({"verified": false, "checks": report.results()});
        ctx.ui.document(doc);
    }
    // Text: the checks were printed as they completed.
    Ok(())
}
