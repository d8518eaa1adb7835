//! Exit codes and the one place that maps any error to one.
//!
//! Every module has its own `thiserror` enum implementing [`Diagnose`]; `main`
//! walks the `anyhow` chain with [`classify`] to find the documented exit code
//! and a `hint:` line. Anything unclassified is a runtime failure (exit 1).

use std::fmt;

/// The documented exit codes (DESIGN.md, "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Network, Azure outage, I/O.
    Runtime = 1,
    /// Usage, config, missing or malformed credentials, guard refusals.
    Input = 2,
    /// Token rejected, subscription missing/disabled/wrong tenant, role too weak.
    Access = 3,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// What `main` needs from an error: its exit code, a hint, a short title for
/// the GitHub `::error title=...::` annotation.
pub trait Diagnose: std::error::Error {
    fn exit(&self) -> Exit;
    fn hint(&self) -> Option<String> {
        None
    }
    fn title(&self) -> &'static str {
        match self.exit() {
            Exit::Runtime => "cloudstudio-azure failed",
            Exit::Input => "Invalid input",
            Exit::Access => "Azure access not sufficient",
        }
    }
}

/// A plain classified error for the odd case that has no module enum.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Failure {
            exit,
            message: message.into(),
            hint: None,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl Diagnose for Failure {
    fn exit(&self) -> Exit {
        self.exit
    }
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

/// Classified view of an error chain.
pub struct Classified {
    pub exit: Exit,
    pub hint: Option<String>,
    pub title: &'static str,
}

/// Finds the first error in the chain that knows its exit code.
pub fn classify(err: &anyhow::Error) -> Classified {
    for cause in err.chain() {
        if let Some(d) = as_diagnose(cause) {
            return Classified {
                exit: d.exit(),
                hint: d.hint(),
                title: d.title(),
            };
        }
    }
    Classified {
        exit: Exit::Runtime,
        hint: None,
        title: "cloudstudio-azure failed",
    }
}

/// The list of error types that carry an exit code. A module adding an error
/// enum adds one line here.
fn as_diagnose<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a dyn Diagnose> {
    macro_rules! try_types {
        ($($t:ty),* $(,)?) => {
            $(if let Some(d) = e.downcast_ref::<$t>() { return Some(d); })*
        };
    }
    try_types!(
        Failure,
        crate::config::ConfigError,
        crate::source::SourceError,
        crate::target::TargetError,
        crate::azure::AzureError,
        crate::export::ExportError,
    );
    None
}
