//! The side effects around the pure plan: reading the current state for
//! [`crate::plan`], and applying a plan, file by file.

use super::error::WorkdirError;
use super::format::{CredentialFile, SecretsDir, parse_bindings};
use super::io;
use crate::config::CredentialName;
use crate::plan::{Action, Plan, State};

/// What is on disk for `credential`.
pub fn read_state(
    secrets: &SecretsDir,
    credential: &CredentialName,
) -> Result<State, WorkdirError> {
    let path = secrets.credential_path(credential);
    Ok(State {
        credential: io::read(&path, CredentialFile::parse)?,
        credential_mode: io::mode(&path),
        bindings: io::read(&secrets.environments_path(), parse_bindings)?,
    })
}

/// Executes the plan, file by file, in order. Call with the lock held.
pub fn apply(plan: &Plan) -> Result<(), WorkdirError> {
    for f in &plan.files {
        match (f.action, f.bytes()) {
            (Action::Create | Action::Update, Some(bytes)) => io::write_atomic(&f.path, bytes)?,
            (Action::Remove, _) => io::remove(&f.path)?,
            (Action::Unchanged, _) if f.fix_mode() => io::make_private(&f.path)?,
            _ => {}
        }
    }
    Ok(())
}
