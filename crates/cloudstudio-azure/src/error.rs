//! The one top-level error: every module's error enum converts into it
//! (`?`), and its exit code, hint and title are an exhaustive `match`, so
//! an error cannot lose its documented exit code on the way to `main`.

use crate::config::ConfigError;
use crate::exit::{Diagnose, Exit, Failure};
use crate::pipeline::PipelineError;
use crate::plan::PlanError;
use crate::provision::ProvisionError;
use crate::resolve::ResolveError;
use crate::target::TargetError;
use crate::verify::VerifyError;
use crate::workdir::WorkdirError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Workdir(#[from] WorkdirError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// `init`'s Graph and role-assignment writes.
    #[error(transparent)]
    Provision(#[from] ProvisionError),
    /// An emulator scenario file that cannot be used (`emulator serve`).
    #[cfg(feature = "emulator")]
    #[error("{message}")]
    Scenario { message: String },
    /// The built-in emulator failed (`demo`, `emulator serve`).
    #[cfg(feature = "emulator")]
    #[error("{message}")]
    Emulator { message: String },
    /// `emulator serve` arguments that cannot work together.
    #[cfg(feature = "emulator")]
    #[error("{message}")]
    ServeUsage {
        message: &'static str,
        hint: &'static str,
    },
    /// A flag the command has no use for (it is refused, never ignored).
    #[error("{message}")]
    Usage { message: String, hint: String },
    /// I/O outside the workdir: the current directory, stdout, temp files.
    #[error("could not {what}: {source}")]
    Io {
        what: &'static str,
        source: std::io::Error,
    },
    #[error("could not render JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl Error {
    pub fn io(what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        move |source| Error::Io { what, source }
    }

    /// The emulator's own (anyhow) error, with its causes.
    #[cfg(feature = "emulator")]
    pub fn emulator(e: anyhow::Error) -> Error {
        Error::Emulator {
            message: format!("{e:#}"),
        }
    }

    /// What `main` prints.
    pub fn failure(&self) -> Failure {
        Failure {
            title: self.title(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }

    /// The module error inside, if any; `None` for this enum's own variants.
    fn module(&self) -> Option<&dyn Diagnose> {
        match self {
            Error::Config(e) => Some(e),
            Error::Resolve(e) => Some(e),
            Error::Target(e) => Some(e),
            Error::Verify(e) => Some(e),
            Error::Plan(e) => Some(e),
            Error::Workdir(e) => Some(e),
            Error::Pipeline(e) => Some(e),
            Error::Provision(e) => Some(e),
            #[cfg(feature = "emulator")]
            Error::Scenario { .. } | Error::Emulator { .. } | Error::ServeUsage { .. } => None,
            Error::Io { .. } | Error::Json(_) | Error::Usage { .. } => None,
        }
    }
}

impl Diagnose for Error {
    fn exit(&self) -> Exit {
        match self {
            Error::Config(e) => e.exit(),
            Error::Resolve(e) => e.exit(),
            Error::Target(e) => e.exit(),
            Error::Verify(e) => e.exit(),
            Error::Plan(e) => e.exit(),
            Error::Workdir(e) => e.exit(),
            Error::Pipeline(e) => e.exit(),
            Error::Provision(e) => e.exit(),
            #[cfg(feature = "emulator")]
            Error::Scenario { .. } | Error::ServeUsage { .. } => Exit::Input,
            #[cfg(feature = "emulator")]
            Error::Emulator { .. } => Exit::Runtime,
            Error::Io { .. } | Error::Json(_) => Exit::Runtime,
            Error::Usage { .. } => Exit::Input,
        }
    }

    fn hint(&self) -> Option<String> {
        #[cfg(feature = "emulator")]
        match self {
            Error::Scenario { .. } => {
                return Some("see examples/emulator-scenario.yml for the format".into());
            }
            Error::ServeUsage { hint, .. } => return Some((*hint).into()),
            _ => {}
        }
        if let Error::Usage { hint, .. } = self {
            return Some(hint.clone());
        }
        self.module().and_then(Diagnose::hint)
    }

    fn title(&self) -> &'static str {
        self.module()
            .map_or_else(|| self.exit().title(), Diagnose::title)
    }
}
