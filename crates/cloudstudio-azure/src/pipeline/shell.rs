//! `env --shell ...`: the ARM_* variables as statements a shell or tool
//! reads back byte for byte. The quoting rules per format:
//!
//! - **bash** (and any POSIX sh): `export NAME='value'`. Inside single quotes
//!   nothing is special but `'` itself, written `'\''` (close, escaped quote,
//!   reopen). Newlines are literal.
//! - **powershell**: `$env:NAME = 'value'`. Inside single quotes only the
//!   quote is special, escaped by doubling; PowerShell also treats the
//!   typographic quotes U+2018..U+201B as single quotes, so those are doubled
//!   too. Newlines are literal.
//! - **cmd** (for a `.cmd`/`.bat` file run with `call`): `@set "NAME=value"`.
//!   The `@` keeps cmd from echoing the line (and the secret) into the log.
//!   The surrounding quotes make `& | < > ( ) ^` literal; `%` is doubled,
//!   because percent expansion happens first, even inside quotes. Refused:
//!   `"` (it would end the quoting and expose the rest to the parser), line
//!   breaks (they end the command), other control characters and non-ASCII
//!   (a batch file is read in the OEM code page). `!` and `^` are literal
//!   with delayed expansion off, cmd's default; with it on, `!` starts a
//!   variable and carets on a line with `!` are consumed, and no escaping is
//!   right in both modes. So values are written for the default, and when a
//!   value holds a `!` the file starts with a check that stops (exit /b 1)
//!   if delayed expansion is on, instead of setting a corrupted value.
//! - **dotenv**: `NAME=value`, unquoted, as Docker's `--env-file` and
//!   GitLab's dotenv report read it: everything after the first `=` is the
//!   value. Refused: line breaks (both readers are line-based) and a value
//!   wrapped in matching quotes (GitLab strips them, Docker keeps them).
//! - **json**: one object, names to values.
//!
//! NUL is refused everywhere: no environment can hold it.

use super::error::PipelineError;
use super::variables::ArmVar;

/// `env --shell`: what the statements are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shell {
    // POSIX shells: zsh and sh read the same statements.
    #[value(alias = "zsh", alias = "sh")]
    Bash,
    #[value(alias = "pwsh")]
    Powershell,
    Cmd,
    Dotenv,
    Json,
}

/// The statements for `vars` in `shell`, each line ending in `\n`. Contains
/// the secret: print it only where the user asked for it.
pub fn render(shell: Shell, vars: &[ArmVar<'_>]) -> Result<String, PipelineError> {
    let fmt = format_name(shell);
    let mut out = String::new();
    for v in vars {
        let value = v.value.expose();
        if value.contains('\0') {
            return Err(refuse(v.name, fmt, "it contains a NUL character"));
        }
        match shell {
            Shell::Bash => {
                out.push_str(&format!(
                    "export {}='{}'\n",
                    v.name,
                    value.replace('\'', "'\\''")
                ));
            }
            Shell::Powershell => {
                let mut q = String::with_capacity(value.len());
                for c in value.chars() {
                    q.push(c);
                    if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
                        q.push(c);
                    }
                }
                out.push_str(&format!("$env:{} = '{}'\n", v.name, q));
            }
            Shell::Cmd => {
                if value.contains(['\n', '\r']) {
                    return Err(refuse(v.name, fmt, "it contains a line break"));
                }
                if value.contains('"') {
                    return Err(refuse(v.name, fmt, "it contains a double quote"));
                }
                if value.chars().any(|c| c.is_control() || !c.is_ascii()) {
                    return Err(refuse(
                        v.name,
                        fmt,
                        "it contains control or non-ASCII characters",
                    ));
                }
                out.push_str(&format!(
                    "@set \"{}={}\"\n",
                    v.name,
                    value.replace('%', "%%")
                ));
            }
            Shell::Dotenv => {
                if value.contains(['\n', '\r']) {
                    return Err(refuse(v.name, fmt, "it contains a line break"));
                }
                let b = value.as_bytes();
                if b.len() >= 2 && matches!(b[0], b'"' | b'\'') && b[b.len() - 1] == b[0] {
                    return Err(refuse(
                        v.name,
                        fmt,
                        "it is wrapped in quotes, which dotenv readers disagree about",
                    ));
                }
                out.push_str(&format!("{}={}\n", v.name, value));
            }
            Shell::Json => {}
        }
    }
    match shell {
        Shell::Json => {
            let map: serde_json::Map<String, serde_json::Value> = vars
                .iter()
                .map(|v| (v.name.to_owned(), v.value.expose().into()))
                .collect();
            let mut s = serde_json::to_string_pretty(&map).unwrap_or_default();
            s.push('\n');
            Ok(s)
        }
        Shell::Cmd if vars.iter().any(|v| v.value.expose().contains('!')) => Ok(format!(
            "@if \"!!\"==\"\" (echo error: run this file with delayed expansion disabled 1>&2 & exit /b 1)\n{out}"
        )),
        _ => Ok(out),
    }
}

fn format_name(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "bash",
        Shell::Powershell => "powershell",
        Shell::Cmd => "cmd",
        Shell::Dotenv => "dotenv",
        Shell::Json => "json",
    }
}

fn refuse(name: &'static str, format: &'static str, problem: &'static str) -> PipelineError {
    PipelineError::Unrepresentable {
        name,
        format,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::variables::VarValue;

    fn one(value: &str) -> Vec<ArmVar<'static>> {
        vec![ArmVar {
            name: "ARM_X",
            value: VarValue::Plain(value.to_owned()),
        }]
    }

    #[test]
    fn quoting() {
        let r = |s, v| render(s, &one(v)).expect("ok");
        assert_eq!(r(Shell::Bash, "a'b"), "export ARM_X='a'\\''b'\n");
        assert_eq!(
            r(Shell::Powershell, "a'b\u{2019}"),
            "$env:ARM_X = 'a''b\u{2019}\u{2019}'\n"
        );
        assert_eq!(r(Shell::Cmd, "50%&^"), "@set \"ARM_X=50%%&^\"\n");
        assert!(r(Shell::Cmd, "a!b").starts_with("@if \"!!\"==\"\""));
        assert_eq!(r(Shell::Dotenv, "a=b 'c"), "ARM_X=a=b 'c\n");
        assert!(render(Shell::Dotenv, &one("a\nb")).is_err());
        assert!(render(Shell::Dotenv, &one("'ab'")).is_err());
        assert!(render(Shell::Cmd, &one("a\"b")).is_err());
        assert!(render(Shell::Bash, &one("a\0b")).is_err());
    }
}
