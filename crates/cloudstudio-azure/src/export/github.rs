//! GitHub Actions files: `GITHUB_ENV`, `GITHUB_OUTPUT` (both in the runner's
//! multiline form `NAME<<DELIM\nvalue\nDELIM\n`) and `GITHUB_STEP_SUMMARY`.
//!
//! Each value gets a fresh random delimiter checked not to occur in it, so
//! no value can end its block early and inject another variable. Each file is
//! appended with one write, after everything else succeeded.

use super::{ArmVar, ExportError};
use std::io::Write;
use std::path::Path;

/// `NAME<<DELIM\nvalue\nDELIM\n`.
pub fn heredoc(name: &str, value: &str) -> Result<String, ExportError> {
    for _ in 0..8 {
        let delim = delimiter()?;
        // A value line equal to the delimiter would end the block; the
        // substring check is stricter and just as cheap.
        if !value.contains(&delim) {
            return Ok(format!("{name}<<{delim}\n{value}\n{delim}\n"));
        }
    }
    Err(ExportError::Unrepresentable {
        name: "a GitHub variable",
        format: "GITHUB_ENV",
        problem: "no delimiter that does not occur in the value",
    })
}

fn delimiter() -> Result<String, ExportError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        ExportError::io(
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
pub fn env_block(vars: &[ArmVar<'_>]) -> Result<String, ExportError> {
    vars.iter()
        .map(|v| heredoc(v.name, v.value.expose()))
        .collect()
}

/// The `GITHUB_OUTPUT` block for `(name, value)` pairs.
pub fn output_block(pairs: &[(&str, String)]) -> Result<String, ExportError> {
    pairs.iter().map(|(n, v)| heredoc(n, v)).collect()
}

/// The step summary: a Markdown table of `(label, value)` rows.
pub fn summary(title: &str, rows: &[(&str, String)]) -> String {
    let mut out = format!("### {title}\n\n| | |\n|---|---|\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {} |\n", md_cell(v)));
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

/// Appends `text` to `path` in one write.
pub fn append(path: &Path, text: &str) -> Result<(), ExportError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| ExportError::io("open", path, e))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.flush())
        .map_err(|e| ExportError::io("append to", path, e))
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
