//! Everything the tool says goes through here: GitHub masks first, then
//! warnings and progress on stderr, results on stdout.
//!
//! In GitHub Actions (`GITHUB_ACTIONS=true`) warnings and errors become
//! workflow-command annotations, and `::add-mask::` lines for every secret are
//! printed before any other output on either stream. Failures are printed
//! here and nowhere else ([`Ui::fail`]), so every command reports them the
//! same way. Every line passes [`untrusted::lines`] first: only the
//! workflow commands written here (masks, annotations) can reach the runner.

use crate::exit::Failure;
use crate::observe::Observe;
use crate::secret::Secret;
use crate::untrusted;
use crate::vars::Vars;
use std::io::Write;

/// `--output`: what stdout carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Ui {
    pub github: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub format: OutputFormat,
    /// `env` output is meant for `eval "$(...)"`: a mask line on stdout would
    /// be run as a command (and echo the secret in the error). The runner
    /// reads workflow commands from stderr as well.
    pub masks_on_stderr: bool,
}

impl Ui {
    pub fn new(vars: &Vars, quiet: bool, verbose: u8, format: OutputFormat) -> Ui {
        Ui {
            github: vars.in_github_actions(),
            quiet,
            verbose,
            format,
            masks_on_stderr: false,
        }
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// `::add-mask::` for each line of each secret (the runner masks line by
    /// line). No-op outside GitHub Actions. Call before printing anything.
    pub fn mask<'a>(&self, secrets: impl IntoIterator<Item = &'a Secret>) {
        if !self.github {
            return;
        }
        // `--output json`: stdout is exactly one JSON document, so masks go
        // to stderr, which the runner reads workflow commands from as well.
        let mut out: Box<dyn Write> = if self.masks_on_stderr || self.json() {
            Box::new(std::io::stderr().lock())
        } else {
            Box::new(std::io::stdout().lock())
        };
        for s in secrets {
            for line in s.expose().lines().map(str::trim).filter(|l| !l.is_empty()) {
                // The runner unescapes command data: a secret holding `%0A`
                // must be escaped, or a different string gets masked.
                // A write failure here is a closed stream; nothing to mask for.
                let _ = writeln!(out, "::add-mask::{}", escape_data(line));
            }
        }
        let _ = out.flush();
    }

    /// Where workflow commands other than the first masks go: stdout, unless
    /// stdout is data for a program (`--output json`, `env` for `eval`).
    /// The runner reads workflow commands from both streams.
    fn annotate(&self, line: &str) {
        if self.json() || self.masks_on_stderr {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }

    pub fn warn(&self, msg: &str) {
        let msg = &untrusted::lines(msg);
        if self.github {
            self.annotate(&format!(
                "::warning title=cloudstudio-azure::{}",
                escape_data(msg)
            ));
        } else {
            eprintln!("warning: {msg}");
        }
    }

    /// Progress and context on stderr; silenced by `-q`.
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}", untrusted::lines(msg));
        }
    }

    /// Detail for `-v`.
    pub fn debug(&self, msg: &str) {
        if self.verbose > 0 {
            eprintln!("debug: {}", untrusted::lines(msg));
        }
    }

    /// The run's failure, with its hint; in GitHub Actions also the one
    /// `::error` annotation. Only `main` calls this, once.
    pub fn fail(&self, failure: &Failure) {
        let Failure {
            title,
            message,
            hint,
        } = failure;
        let message = &untrusted::lines(message);
        let hint = &hint.as_deref().map(untrusted::lines);
        if self.github {
            let mut body = message.clone();
            if let Some(h) = hint {
                body.push_str("\nhint: ");
                body.push_str(h);
            }
            self.annotate(&format!(
                "::error title={}::{}",
                escape_property(title),
                escape_data(&body)
            ));
        }
        eprintln!("error: {message}");
        if let Some(h) = hint {
            eprintln!("hint: {h}");
        }
    }
}

impl Observe for Ui {
    fn secret(&self, secret: &Secret) {
        self.mask([secret]);
    }

    fn verbose(&self) -> bool {
        self.verbose > 0
    }

    fn debug(&self, line: &str) {
        Ui::debug(self, line);
    }
}

/// Workflow-command data escaping (actions/toolkit `escapeData`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property escaping (actions/toolkit `escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
