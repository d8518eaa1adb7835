//! Verification against Azure: cloud endpoints, the shared HTTP client and
//! its retry policy, Entra ID tokens, Resource Manager checks, error mapping.

use crate::error::{Diagnose, Exit};

#[derive(Debug, thiserror::Error)]
pub enum AzureError {
    #[error("verification is not built yet")]
    NotBuilt,
}

impl Diagnose for AzureError {
    fn exit(&self) -> Exit {
        Exit::Runtime
    }
}
