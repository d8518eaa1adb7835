//! The CloudStudio workdir's Azure files: their format (pure), atomic I/O,
//! the lock that serializes runs, the git guard, and applying a plan.

mod apply;
mod error;
pub(crate) mod format;
mod gitguard;
mod io;
mod lock;

pub use apply::{apply, read_state};
pub use error::WorkdirError;
pub use format::{CredentialFile, Existing, SecretsDir, parse_bindings};
pub use gitguard::check as git_guard;
pub use io::{check_secrets_dir, credential_names, ensure_private_dir, mode, read, write_atomic};
pub use lock::Lock;
