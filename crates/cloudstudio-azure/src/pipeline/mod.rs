//! Writing to the pipeline: the variables per auth kind, GitHub Actions'
//! files (env, outputs, summary) and shell snippets (`env --shell`).

mod error;
mod github;
mod shell;
pub(crate) mod variables;

pub use error::PipelineError;
pub use github::{Outputs, append, env_block, table};
pub use shell::{Shell, render as render_shell};
pub use variables::{ArmVar, VarValue, arm_vars};
