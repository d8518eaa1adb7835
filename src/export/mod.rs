//! Export: the CloudStudio workdir, GitHub Actions (masks, env, outputs,
//! summary) and shell snippets.

use crate::error::{Diagnose, Exit};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("export is not built yet")]
    NotBuilt,
}

impl Diagnose for ExportError {
    fn exit(&self) -> Exit {
        Exit::Runtime
    }
}
