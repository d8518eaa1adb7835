//! What stops writing to the pipeline: a value a format cannot carry
//! (input, exit 2) and I/O on the job's files (exit 1).

use crate::exit::{Diagnose, Exit};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("the value of {name} cannot be written for {format}: {problem}")]
    Unrepresentable {
        name: &'static str,
        format: &'static str,
        problem: &'static str,
    },
    #[error("could not {what} {}: {err}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        err: std::io::Error,
    },
}

impl PipelineError {
    pub fn io(what: &'static str, path: impl Into<PathBuf>, err: std::io::Error) -> Self {
        PipelineError::Io {
            what,
            path: path.into(),
            err,
        }
    }
}

impl Diagnose for PipelineError {
    fn exit(&self) -> Exit {
        match self {
            PipelineError::Unrepresentable { .. } => Exit::Input,
            PipelineError::Io { .. } => Exit::Runtime,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            PipelineError::Unrepresentable { format, .. } => Some(format!(
                "use `--shell json` or `--shell bash`, which carry any value; {format} cannot"
            )),
            PipelineError::Io { .. } => None,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            PipelineError::Unrepresentable { .. } => "Export refused",
            PipelineError::Io { .. } => "cloudstudio-azure failed",
        }
    }
}
