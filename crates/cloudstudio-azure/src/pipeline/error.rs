//! What stops writing to the pipeline: a value a format cannot carry
//! (input, exit 2) and I/O on the job's files (exit 1).

use crate::exit::{Diagnose, Exit};
use crate::file_error::FileError;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("the value of {name} cannot be written for {format}: {problem}")]
    Unrepresentable {
        name: &'static str,
        format: &'static str,
        problem: &'static str,
    },
    #[error("--dotenv-report {path}: {why}")]
    Report { path: String, why: String },
    #[error(transparent)]
    Io(#[from] FileError),
}

impl Diagnose for PipelineError {
    fn exit(&self) -> Exit {
        match self {
            PipelineError::Unrepresentable { .. } | PipelineError::Report { .. } => Exit::Input,
            PipelineError::Io(_) => Exit::Runtime,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            PipelineError::Unrepresentable { format, .. } => Some(format!(
                "use `--shell json` or `--shell bash`, which carry any value; {format} cannot"
            )),
            PipelineError::Report { .. } => Some(
                "give --dotenv-report a regular file in an existing directory, e.g. `--dotenv-report azure.env` with `artifacts: reports: dotenv: azure.env`".to_owned(),
            ),
            PipelineError::Io(_) => None,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            PipelineError::Unrepresentable { .. } | PipelineError::Report { .. } => {
                "Export refused"
            }
            PipelineError::Io(_) => "cloudstudio-azure failed",
        }
    }
}
