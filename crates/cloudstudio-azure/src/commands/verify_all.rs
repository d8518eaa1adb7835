//! `verify --all`: every target the config can select (each environment's
//! default, each branch rule), checked with one token and the Resource
//! Manager reads for each distinct subscription run concurrently; one line
//! per target, a JSON document, a step-summary table in GitHub Actions.
//!
//! Exit: 0 when every target passes; 3 when any target's access is not
//! sufficient; else the exit of the first target that could not be checked
//! (1 network, 2 no subscription).

use super::ctx::Ctx;
use crate::cli::{ResolveArgs, VerifyArgs};
use crate::error::Error;
use crate::exit::{Diagnose, Exit, Failure, Outcome};
use crate::pipeline;
use crate::resolve::Credentials;
use crate::target::{Placement, Target, TargetError};
use crate::verify::{self, Report, VerifyError};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

/// One target and what became of it.
struct Line {
    placement: Placement,
    /// `None`: no subscription for it (the error says why).
    target: Option<Target>,
    result: LineResult,
}

enum LineResult {
    Checked(Report),
    /// Not checked: why, and the exit code that stands for it.
    Error {
        exit: Exit,
        message: String,
        hint: Option<String>,
    },
}

pub async fn run(
    ctx: &Ctx<'_>,
    resolve: &ResolveArgs,
    args: &VerifyArgs,
) -> Result<Outcome, Error> {
    refuse_one_target(resolve)?;
    let endpoints = resolve.cloud.endpoints(ctx.vars)?;
    let parts = ctx.resolve_parts(resolve).await?;
    ctx.announce(&parts.resolved);
    let creds = &parts.resolved.credentials;
    let placements = Placement::all(&parts.config)?;
    let targets: Vec<_> = placements
        .iter()
        .map(|p| p.clone().finish(creds.subscription_id.as_deref()))
        .collect();
    let mut subscriptions: Vec<String> = Vec::new();
    for t in targets.iter().flatten() {
        if !subscriptions.contains(&t.subscription_id) {
            subscriptions.push(t.subscription_id.clone());
        }
    }
    ctx.ui.info(&format!(
        "checking {} targets on {} subscriptions with one token ({} at a time)",
        placements.len(),
        subscriptions.len(),
        verify::CONCURRENCY
    ));
    let opts = verify::Options {
        endpoints: &endpoints,
        require: args.require,
        timeout: args.timeout(),
        ssl_cert_file: ctx.vars.get("SSL_CERT_FILE"),
    };
    let reports = verify::verify_all(creds, &subscriptions, &opts, ctx.observer()).await?;
    let by_sub: HashMap<&str, &Result<Report, VerifyError>> = subscriptions
        .iter()
        .map(String::as_str)
        .zip(reports.iter())
        .collect();
    let lines: Vec<Line> = placements
        .into_iter()
        .zip(targets)
        .map(|(placement, target)| line(placement, target, &by_sub))
        .collect();
    for w in warnings(&lines) {
        ctx.ui.warn(&w);
    }
    print(ctx, creds, &lines)?;
    Ok(outcome(&lines))
}

/// The flags (and their variables) that pick one target; empty counts as
/// absent, as everywhere.
fn refuse_one_target(r: &ResolveArgs) -> Result<(), TargetError> {
    let set = |v: Option<&str>| v.is_some_and(|s| !s.trim().is_empty());
    let picked = [
        ("--branch", set(r.branch.as_deref())),
        ("--environment", r.environment.is_some()),
        ("--subscription-id", set(r.subscription_id.as_deref())),
        ("--credential", r.credential.is_some()),
    ];
    match picked.iter().find(|(_, on)| *on) {
        Some((flag, _)) => Err(TargetError::AllWithOne { flag }),
        None => Ok(()),
    }
}

fn line(
    placement: Placement,
    target: Result<Target, TargetError>,
    by_sub: &HashMap<&str, &Result<Report, VerifyError>>,
) -> Line {
    let (target, result) = match target {
        Err(e) => (
            None,
            LineResult::Error {
                exit: e.exit(),
                message: e.to_string(),
                hint: e.hint(),
            },
        ),
        Ok(t) => {
            let result = match by_sub.get(t.subscription_id.as_str()) {
                Some(Ok(report)) => LineResult::Checked(report.clone()),
                Some(Err(e)) => LineResult::Error {
                    exit: e.exit(),
                    message: e.to_string(),
                    hint: e.hint(),
                },
                None => unreachable_result(),
            };
            (Some(t), result)
        }
    };
    Line {
        placement,
        target,
        result,
    }
}

/// Every subscription of a target was checked; kept total instead of a panic.
fn unreachable_result() -> LineResult {
    LineResult::Error {
        exit: Exit::Runtime,
        message: "the subscription was not checked".into(),
        hint: None,
    }
}

/// The warnings of the distinct reports (one subscription's warning once).
fn warnings(lines: &[Line]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in lines {
        if let LineResult::Checked(r) = &l.result {
            for w in &r.warnings {
                let w = match &l.target {
                    Some(t) => format!("{} ({w})", t.subscription_id),
                    None => w.clone(),
                };
                if !out.contains(&w) {
                    out.push(w);
                }
            }
        }
    }
    out
}

/// What selects the target: `environments.NAME` or `rule PATTERN`.
fn selected_by(p: &Placement) -> String {
    match &p.rule {
        Some(pattern) => format!("rule {pattern}"),
        None => format!("environments.{}", p.environment),
    }
}

impl LineResult {
    fn status(&self) -> &'static str {
        match self {
            LineResult::Checked(r) if !r.passed() => "fail",
            LineResult::Checked(r) if r.has_warnings() => "warn",
            LineResult::Checked(_) => "pass",
            LineResult::Error { .. } => "error",
        }
    }

    /// The one-line result and the fix or hint for the line under it.
    fn describe(&self) -> (String, Option<String>) {
        match self {
            LineResult::Checked(r) => match r.first_failure() {
                Some(c) => (format!("{}: {}", c.check.name(), c.detail), c.fix.clone()),
                None if r.has_warnings() => ("passed with warnings".into(), None),
                None => ("passed".into(), None),
            },
            LineResult::Error { message, hint, .. } => {
                (format!("not checked: {message}"), hint.clone())
            }
        }
    }
}

fn print(ctx: &Ctx<'_>, creds: &Credentials, lines: &[Line]) -> Result<(), Error> {
    if ctx.ui.json() {
        ctx.ui.document(document(creds, lines));
    } else {
        print!(
            "{}",
            crate::untrusted::lines(&render_text(lines, ctx.ui.quiet))
        );
    }
    if crate::ci::Ci::detect(ctx.vars) == Some(crate::ci::Ci::GithubActions)
        && let Some(path) = ctx.vars.get("GITHUB_STEP_SUMMARY")
    {
        pipeline::append(Path::new(path), &summary(lines))?;
    }
    Ok(())
}

fn subscription_of(l: &Line) -> &str {
    l.target
        .as_ref()
        .map_or("(none)", |t| t.subscription_id.as_str())
}

/// One line per target; `-q` keeps only those that did not pass.
fn render_text(lines: &[Line], quiet: bool) -> String {
    let width = lines
        .iter()
        .map(|l| selected_by(&l.placement).chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for l in lines {
        let status = l.result.status();
        if quiet && matches!(status, "pass" | "warn") {
            continue;
        }
        let mark = match status {
            "pass" => "✓",
            "warn" => "!",
            _ => "✗",
        };
        let (text, fix) = l.result.describe();
        out.push_str(&format!(
            "{mark} {:<12} {:<width$} {:<36} {text}\n",
            l.placement.environment.as_str(),
            selected_by(&l.placement),
            subscription_of(l),
        ));
        // A fix may be several lines (a command, then the portal's way).
        for (i, line) in fix.iter().flat_map(|f| f.lines()).enumerate() {
            let lead = if i == 0 { "  fix: " } else { "       " };
            out.push_str(&format!("{lead}{line}\n"));
        }
    }
    out
}

fn document(creds: &Credentials, lines: &[Line]) -> Value {
    let targets: Vec<Value> = lines
        .iter()
        .map(|l| {
            let (checks, error) = match &l.result {
                LineResult::Checked(r) => (json!(r.results()), Value::Null),
                LineResult::Error {
                    exit,
                    message,
                    hint,
                } => (
                    Value::Null,
                    json!({"message": message, "hint": hint, "exit": exit.code()}),
                ),
            };
            json!({
                "environment": l.placement.environment,
                "rule": l.placement.rule,
                "credential": l.placement.credential.as_str(),
                "subscription_id": l.target.as_ref().map(|t| &t.subscription_id),
                "subscription_from": l.target.as_ref().map(|t| t.subscription_from),
                "status": l.result.status(),
                "checks": checks,
                "error": error,
            })
        })
        .collect();
    // `main` adds the run's `error` when it failed.
    json!({
        "source": creds.source,
        "tenant_id": creds.tenant_id,
        "client_id": creds.client_id,
        "passed": lines.iter().all(|l| matches!(l.result.status(), "pass" | "warn")),
        "targets": targets,
    })
}

/// The step summary: a Markdown table, one row per target.
fn summary(lines: &[Line]) -> String {
    let rows: Vec<[String; 4]> = lines
        .iter()
        .map(|l| {
            let mark = match l.result.status() {
                "pass" => "✅",
                "warn" => "⚠️",
                _ => "❌",
            };
            [
                l.placement.environment.to_string(),
                selected_by(&l.placement),
                subscription_of(l).to_owned(),
                format!("{mark} {}", l.result.describe().0),
            ]
        })
        .collect();
    pipeline::table(
        "Azure credentials: every target (verify --all)",
        ["Environment", "Selected by", "Subscription", "Result"],
        &rows,
    )
}

/// Success, or the failure `main` prints once: how many failed, the first
/// one's cause and fix.
fn outcome(lines: &[Line]) -> Outcome {
    let failed: Vec<&Line> = lines
        .iter()
        .filter(|l| matches!(l.result.status(), "fail" | "error"))
        .collect();
    let Some(first) = failed
        .iter()
        .find(|l| l.result.status() == "fail")
        .or(failed.first())
    else {
        return Outcome::Success;
    };
    let (text, hint) = first.result.describe();
    let failure = Failure {
        title: "Azure access not sufficient",
        message: format!(
            "{} of {} targets failed; first: {} ({}) on {}: {text}",
            failed.len(),
            lines.len(),
            first.placement.environment,
            selected_by(&first.placement),
            subscription_of(first),
        ),
        hint,
    };
    match &first.result {
        LineResult::Checked(_) => Outcome::AccessNotSufficient(failure),
        LineResult::Error { exit, .. } => Outcome::Failed(
            *exit,
            Failure {
                title: exit.title(),
                ..failure
            },
        ),
    }
}
