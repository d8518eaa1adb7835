//! `export --dotenv-report FILE`: GitLab's way to hand variables to later
//! jobs (`artifacts: reports: dotenv:`). GitLab keeps report artifacts and
//! shows them to anyone who can read the pipeline, so the report holds the
//! non-secret variables only; the output names what was left out and where
//! later jobs get it instead.

use crate::pipeline::{ArmVar, PipelineError, Shell, VarValue, render_shell};
use crate::untrusted;
use std::path::Path;

/// Refuses, before anything is written, a report path that is not (or
/// cannot become) a regular file: a directory, FIFO or device, or a
/// missing directory.
pub fn check(path: &Path) -> Result<(), PipelineError> {
    let refuse = |why: &str| PipelineError::Report {
        path: untrusted::path(path),
        why: why.to_owned(),
    };
    if let Some(e) = crate::safe_read::not_regular(path) {
        return Err(refuse(&e.to_string()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(refuse("its directory does not exist"));
    }
    Ok(())
}

/// What the report holds and what it leaves out.
struct Written {
    names: Vec<&'static str>,
    left_out: Vec<&'static str>,
}

/// Writes the non-secret `vars` to `path` (0600, atomically: a later job
/// never reads half a report).
fn write(path: &Path, vars: &[ArmVar<'_>]) -> Result<(), crate::error::Error> {
    check(path)?;
    let copies: Vec<ArmVar<'_>> = vars
        .iter()
        .filter(|v| !matches!(v.value, VarValue::Secret(_)))
        .map(|v| ArmVar {
            name: v.name,
            value: VarValue::Plain(v.value.expose().to_owned()),
        })
        .collect();
    let text = render_shell(Shell::Dotenv, &copies)?;
    crate::workdir::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// The report this run wrote (or, in a dry run, would write).
pub struct Report {
    path: std::path::PathBuf,
    written: Written,
    dry_run: bool,
    /// What the run prints about it.
    pub line: String,
}

impl Report {
    /// The report in `export --output json` (names only, never values).
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "path": untrusted::path(&self.path),
            "variables": self.written.names,
            "left_out": self.written.left_out,
            "written": !self.dry_run,
        })
    }
}

/// Writes the report (unless `dry_run`) and says what it holds.
pub fn run(path: &Path, vars: &[ArmVar<'_>], dry_run: bool) -> Result<Report, crate::error::Error> {
    let (secret, plain): (Vec<&ArmVar<'_>>, Vec<&ArmVar<'_>>) = vars
        .iter()
        .partition(|v| matches!(v.value, VarValue::Secret(_)));
    let written = Written {
        names: plain.iter().map(|v| v.name).collect(),
        left_out: secret.iter().map(|v| v.name).collect(),
    };
    let line = if dry_run {
        format!(
            "would write the dotenv report {} (without the secret variables)",
            untrusted::path(path)
        )
    } else {
        write(path, vars)?;
        describe(path, &written, vars)
    };
    Ok(Report {
        path: path.to_owned(),
        written,
        dry_run,
        line,
    })
}

/// The line the run prints about the report.
fn describe(path: &Path, w: &Written, vars: &[ArmVar<'_>]) -> String {
    let mut out = format!(
        "wrote {} to the dotenv report {}",
        w.names.join(", "),
        untrusted::path(path)
    );
    if !w.left_out.is_empty() {
        out.push_str(&format!(
            "\nleft out of the report (GitLab keeps report artifacts): {}; later jobs get the secret from the project's CI/CD variables (masked, protected), not from this job",
            w.left_out.join(", ")
        ));
    }
    let oidc = vars.iter().any(|v| v.name == "ARM_USE_OIDC");
    let file = vars.iter().any(|v| v.name == "ARM_OIDC_TOKEN_FILE_PATH");
    if oidc && !file {
        out.push_str("\nthe federated token is not in the report: each later job requests its own with `id_tokens:` (as ARM_OIDC_TOKEN)");
    }
    out
}
