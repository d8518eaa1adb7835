//! GitHub Actions files: `GITHUB_ENV`, `GITHUB_OUTPUT` (both in the runner's
//! multiline form `NAME<<DELIM\nvalue\nDELIM\n`) and `GITHUB_STEP_SUMMARY`.
//!
//! Each value gets a fresh random delimiter checked not to occur in it, so
//! no value can end its block early and inject another variable. Each file is
//! appended with one write, after everything else succeeded.

use super::error::PipelineError;
use super::variables::ArmVar;
use crate::file_error::FileError;
use std::io::Write;
use std::path::Path;

/// `NAME<<DELIM\nvalue\nDELIM\n`.
pub fn heredoc(name: &str, value: &str) -> Result<String, PipelineError> {
    for _ in 0..8 {
        let delim = delimiter()?;
        // A value line equal to the delimiter would end the block; the
        // substring check is stricter and just as cheap.
        if !value.contains(&delim) {
            return Ok(format!("{name}<<{delim}\n{value}\n{delim}\n"));
        }
    }
    Err(PipelineError::Unrepresentable {
        name: "a GitHub variable",
        format: "GITHUB_ENV",
        problem: "no delimiter that does not occur in the value",
    })
}

fn delimiter() -> Result<String, PipelineError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        FileError::new(
            "get random bytes for",
            "the GITHUB_ENV delimiter",
            std::io::Error::other(e.to_string()),
        )
    })?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("ghadelimiter_{hex}"))
}

/// The `GITHUB_ENV` block for the ARM_* variables (the secret included:
/// that is the point of the file; the runner masks it, we masked it first).
pub fn env_block(vars: &[ArmVar<'_>]) -> Result<String, PipelineError> {
    vars.iter()
        .map(|v| heredoc(v.name, v.value.expose()))
        .collect()
}

/// What the step tells the job: each value with its output name and its
/// label in the step summary, so the two can never be paired wrongly.
pub struct Outputs {
    pub environment: String,
    pub subscription_id: String,
    pub tenant_id: String,
    pub client_id: String,
    pub credential: String,
    pub source: String,
}

impl Outputs {
    /// `(output name, summary label, value)`, in the documented order.
    fn rows(&self) -> [(&'static str, &'static str, &str); 6] {
        [
            ("environment", "Environment", &self.environment),
            ("subscription-id", "Subscription", &self.subscription_id),
            ("tenant-id", "Tenant", &self.tenant_id),
            ("client-id", "Client ID", &self.client_id),
            ("credential", "Credential", &self.credential),
            ("source", "Source", &self.source),
        ]
    }

    /// The `GITHUB_OUTPUT` block.
    pub fn output_block(&self) -> Result<String, PipelineError> {
        self.rows()
            .iter()
            .map(|(name, _, value)| heredoc(name, value))
            .collect()
    }

    /// The step summary: the outputs, then `extra` rows.
    pub fn summary(&self, title: &str, extra: &[(&str, String)]) -> String {
        let mut rows: Vec<(&str, String)> = self
            .rows()
            .iter()
            .map(|(_, label, value)| (*label, (*value).to_owned()))
            .collect();
        rows.extend(extra.iter().cloned());
        summary(title, &rows)
    }
}

/// A Markdown table of `(label, value)` rows under `title`.
fn summary(title: &str, rows: &[(&str, String)]) -> String {
    let mut out = format!("### {title}\n\n| | |\n|---|---|\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {} |\n", md_cell(v)));
    }
    out.push('\n');
    out
}

/// A Markdown table with a header row under `title` (`verify --all`).
pub fn table<const N: usize>(title: &str, header: [&str; N], rows: &[[String; N]]) -> String {
    let mut out = format!(
        "### {title}\n\n| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(N)
    );
    for row in rows {
        let cells: Vec<String> = row.iter().map(|c| md_cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    out
}

/// A table cell: pipes escaped, line breaks flattened, code-formatted.
fn md_cell(v: &str) -> String {
    let flat = v.replace(['\r', '\n'], " ").replace('|', "\\|");
    if flat.is_empty() {
        "(none)".into()
    } else {
        format!("`{}`", flat.replace('`', "'"))
    }
}

/// Appends `text` to `path` in one write. Opened without blocking (a FIFO
/// with no reader fails instead of hanging the job) and written only when
/// it is a regular file.
pub fn append(path: &Path, text: &str) -> Result<(), PipelineError> {
    if let Some(e) = crate::safe_read::not_regular(path) {
        return Err(FileError::new("append to", path, e).into());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| FileError::new("open", path, e))?;
    if !f.metadata().is_ok_and(|m| m.is_file()) {
        let e = std::io::Error::new(std::io::ErrorKind::InvalidInput, "is not a regular file");
        return Err(FileError::new("append to", path, e).into());
    }
    f.write_all(text.as_bytes())
        .and_then(|()| f.flush())
        .map_err(|e| FileError::new("append to", path, e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_shape() {
        let h = heredoc("X", "a=b\nc").expect("ok");
        let mut lines = h.lines();
        let first = lines.next().expect("line");
        let delim = first.strip_prefix("X<<").expect("prefix");
        assert!(delim.starts_with("ghadelimiter_") && delim.len() == 13 + 32);
        assert_eq!(lines.collect::<Vec<_>>(), ["a=b", "c", delim]);
    }

    #[test]
    fn summary_escapes_cells() {
        let s = summary("t", &[("a", "x|y\nz".into()), ("b", String::new())]);
        assert!(s.contains("| a | `x\\|y z` |"));
        assert!(s.contains("| b | (none) |"));
    }
}
