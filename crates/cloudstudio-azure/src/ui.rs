//! Everything the tool says goes through here: GitHub masks first, then
//! warnings and progress on stderr, results on stdout.
//!
//! In GitHub Actions (`GITHUB_ACTIONS=true`) warnings and errors become
//! workflow-command annotations, and `::add-mask::` lines for every secret are
//! printed before any other output on either stream; in Azure DevOps
//! (`TF_BUILD=True`) the same as `##vso[task.setsecret]` and
//! `##vso[task.logissue]` logging commands. Failures are printed
//! here and nowhere else ([`Ui::fail`]), so every command reports them the
//! same way. Every line passes [`untrusted::lines`] first: only the
//! workflow commands written here (masks, annotations) can reach the runner.

use crate::ci::{Ci, vso_escape_data};
use crate::exit::Failure;
use crate::observe::{CheckStatus, Observe};
use crate::secret::Secret;
use crate::spinner::Spinner;
use crate::untrusted;
use crate::vars::Vars;
use crate::verify::render_check;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// `--color`: whether to colour what is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set (`CLICOLOR_FORCE` forces it)
    #[default]
    Auto,
    Always,
    Never,
}

/// What a coloured span means; the terminal colour follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    Good,
    Bad,
    Warn,
    Dim,
}

/// `--output`: what stdout carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Ui {
    pub github: bool,
    /// Azure DevOps (`TF_BUILD=True`): `##vso[...]` logging commands.
    pub ado: bool,
    pub quiet: bool,
    pub verbose: u8,
    pub format: OutputFormat,
    /// Colour on stdout / stderr (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`,
    /// a terminal).
    pub color_out: bool,
    pub color_err: bool,
    /// `--output json`: the run's one document, printed by `main` when the
    /// run ends, with the failure (if any) as its `error` key.
    document: Arc<Mutex<Option<serde_json::Value>>>,
    /// The status line on a terminal (shared by the clones handed out as
    /// the observer).
    spinner: Spinner,
    /// `env` output is meant for `eval "$(...)"`: a mask line on stdout would
    /// be run as a command (and echo the secret in the error). The runner
    /// reads workflow commands from stderr as well.
    pub masks_on_stderr: bool,
}

impl Ui {
    pub fn new(vars: &Vars, quiet: bool, verbose: u8, format: OutputFormat) -> Ui {
        let ci = Ci::detect(vars);
        Ui {
            github: ci == Some(Ci::GithubActions),
            ado: ci == Some(Ci::AzureDevops),
            quiet,
            verbose,
            format,
            color_out: false,
            color_err: false,
            document: Arc::default(),
            spinner: Spinner::default(),
            masks_on_stderr: false,
        }
    }

    /// Keeps `doc` as the run's JSON document (`--output json`); the last
    /// one given wins.
    pub fn document(&self, doc: serde_json::Value) {
        if let Ok(mut d) = self.document.lock() {
            *d = Some(doc);
        }
    }

    /// `--output json`: prints the run's one document on stdout, with
    /// `failure` as its `error` key beside what the command had established
    /// (`{"error": ...}` alone when it had nothing). Text: nothing.
    pub fn finish_document(&self, failure: Option<(&Failure, u8)>) {
        if !self.json() {
            return;
        }
        let doc = self.document.lock().ok().and_then(|mut d| d.take());
        let doc = match (doc, failure) {
            (doc, Some((f, code))) => {
                let mut doc = match doc {
                    Some(serde_json::Value::Object(map)) => map,
                    _ => serde_json::Map::new(),
                };
                doc.insert(
                    "error".into(),
                    serde_json::json!({"message": f.message, "hint": f.hint, "exit": code}),
                );
                serde_json::Value::Object(doc)
            }
            (Some(doc), None) => doc,
            (None, None) => return,
        };
        let mut out = std::io::stdout().lock();
        let text = crate::untrusted::json(&doc).unwrap_or_default();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Decides colour per stream: `--color always|never` first, then
    /// `NO_COLOR` (off), `CLICOLOR_FORCE` (on), then whether the stream is a
    /// terminal. JSON on stdout is never coloured.
    pub fn with_color(mut self, choice: ColorChoice, vars: &Vars) -> Ui {
        use std::io::IsTerminal;
        let set = |name: &str| vars.get(name).is_some_and(|v| !v.is_empty() && v != "0");
        let decide = |tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if set("NO_COLOR") => false,
            ColorChoice::Auto => set("CLICOLOR_FORCE") || tty,
        };
        self.color_out = !self.json() && decide(std::io::stdout().is_terminal());
        self.color_err = decide(std::io::stderr().is_terminal());
        self
    }

    /// `text` in the colour for `paint`, on stdout (`err`: stderr) when
    /// that stream is coloured.
    pub fn paint(&self, paint: Paint, text: &str, err: bool) -> String {
        if !(if err { self.color_err } else { self.color_out }) {
            return text.to_owned();
        }
        let code = match paint {
            Paint::Good => "32",
            Paint::Bad => "31",
            Paint::Warn => "33",
            Paint::Dim => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    /// A check's mark, coloured for stdout.
    fn mark(&self, status: CheckStatus, mark: &str) -> String {
        let paint = match status {
            CheckStatus::Pass => Paint::Good,
            CheckStatus::Fail => Paint::Bad,
            CheckStatus::Warn => Paint::Warn,
            CheckStatus::Skip => Paint::Dim,
        };
        self.paint(paint, mark, false)
    }

    /// Whether a transient status line may be drawn: stderr is a terminal,
    /// not a CI log, and not silenced.
    fn live(&self) -> bool {
        use std::io::IsTerminal;
        !self.quiet && !self.github && !self.ado && std::io::stderr().is_terminal()
    }

    /// Draws (or replaces) the status line on stderr, with a spinner.
    fn status_line(&self, line: &str) {
        self.spinner.set(&untrusted::lines(line));
    }

    /// Clears the status line before a permanent line is printed.
    fn clear_status(&self) {
        self.spinner.clear();
    }

    pub fn json(&self) -> bool {
        self.format == OutputFormat::Json
    }

    /// `::add-mask::` for each line of each secret (the runner masks line by
    /// line). No-op outside GitHub Actions. Call before printing anything.
    pub fn mask<'a>(&self, secrets: impl IntoIterator<Item = &'a Secret>) {
        if !self.github && !self.ado {
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
                let _ = if self.ado {
                    // Azure DevOps' mask-only command: registers the value
                    // with the agent's secret masker, sets no variable.
                    writeln!(out, "{}", crate::ci::vso_set_secret(line))
                } else {
                    writeln!(out, "::add-mask::{}", escape_data(line))
                };
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

    /// Azure DevOps: `name` as a pipeline variable for the job's later
    /// steps (`issecret=true`: masked, and only in the `env:` a step maps
    /// it to). The value is the tool's own (ids, paths, the secret), escaped
    /// so it stays on this one command line.
    pub fn ado_set_variable(&self, name: &str, value: &str, secret: bool) {
        self.annotate(&crate::ci::vso_set_variable(name, value, secret));
    }

    pub fn warn(&self, msg: &str) {
        self.clear_status();
        let msg = &untrusted::lines(msg);
        if self.github {
            self.annotate(&format!(
                "::warning title=cloudstudio-azure::{}",
                escape_data(msg)
            ));
        } else if self.ado {
            self.annotate(&format!(
                "##vso[task.logissue type=warning]{}",
                vso_escape_data(msg)
            ));
        } else {
            eprintln!("{} {msg}", self.paint(Paint::Warn, "warning:", true));
        }
    }

    /// Progress and context on stderr; silenced by `-q`.
    pub fn info(&self, msg: &str) {
        self.clear_status();
        if !self.quiet {
            eprintln!("{}", untrusted::lines(msg));
        }
    }

    /// Detail for `-v`.
    pub fn debug(&self, msg: &str) {
        if self.verbose > 0 {
            self.clear_status();
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
        self.clear_status();
        let message = &untrusted::lines(message);
        let hint = &hint.as_deref().map(untrusted::lines);
        let mut body = message.clone();
        if let Some(h) = hint {
            body.push_str("\nhint: ");
            body.push_str(h);
        }
        if self.ado {
            self.annotate(&format!(
                "##vso[task.logissue type=error]{}",
                vso_escape_data(&body)
            ));
        }
        if self.github {
            self.annotate(&format!(
                "::error title={}::{}",
                escape_property(title),
                escape_data(&body)
            ));
        }
        eprintln!("{} {message}", self.paint(Paint::Bad, "error:", true));
        if let Some(h) = hint {
            eprintln!("hint: {h}");
        }
    }
}

impl Observe for Ui {
    fn secret(&self, secret: &Secret) {
        self.mask([secret]);
    }

    /// Each check on stdout as it completes (text output); with `-q` only
    /// failures.
    fn check(&self, status: CheckStatus, name: &str, detail: &str, fix: Option<&str>) {
        if self.json() || (self.quiet && status != CheckStatus::Fail) {
            return;
        }
        self.clear_status();
        let text = render_check(status, name, detail, fix, &|s, m| self.mark(s, m));
        let text = untrusted::lines(&text);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    /// An empty line: the step is over, the status line goes.
    fn status(&self, line: &str) {
        if line.is_empty() {
            self.clear_status();
        } else if self.live() {
            self.status_line(line);
        }
    }

    fn waiting(&self, line: &str) {
        if self.live() {
            self.status_line(line);
        } else if !self.quiet {
            eprintln!("{}", untrusted::lines(line));
        }
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
