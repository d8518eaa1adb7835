//! Exit codes and how a run ends. Imports nothing, so every module may use
//! it without pulling in any other.

/// The documented exit codes (DESIGN.md, "Exit codes"); success is 0.
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
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The annotation title for a failure that has no more specific one.
    pub fn title(self) -> &'static str {
        match self {
            Exit::Runtime => "cloudstudio-azure failed",
            Exit::Input => "Invalid input",
            Exit::Access => "Azure access not sufficient",
        }
    }
}

/// What each module's error enum tells `main`: its exit code, a hint, and a
/// short title for the GitHub `::error title=...::` annotation.
pub trait Diagnose {
    fn exit(&self) -> Exit;
    fn hint(&self) -> Option<String> {
        None
    }
    fn title(&self) -> &'static str {
        self.exit().title()
    }
}

/// A failure as the user sees it: printed once by `main` (`error:` and
/// `hint:` lines, and one annotation in GitHub Actions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub title: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

/// How a run that did not fail with an error ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 3: the run completed and found the credentials' access not
    /// sufficient (a failed check), which is a result, not an error.
    AccessNotSufficient(Failure),
    /// The run completed and reported its results (`verify --all`), some
    /// of which failed with this exit code.
    Failed(Exit, Failure),
}

impl Outcome {
    pub fn exit_code(&self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::AccessNotSufficient(_) => Exit::Access.code(),
            Outcome::Failed(exit, _) => exit.code(),
        }
    }
}
