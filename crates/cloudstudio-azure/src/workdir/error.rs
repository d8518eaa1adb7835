//! What stops writing the workdir: the git guard (input, exit 2) and I/O
//! (exit 1). Messages name files, never their content.

use crate::exit::{Diagnose, Exit};
use crate::file_error::FileError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum WorkdirError {
    #[error(
        "{} {}: secrets must never be committable by accident",
        if note.is_some() { "could not confirm that git ignores" } else { "git would not ignore" },
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(" and ")
    )]
    Unignored {
        paths: Vec<PathBuf>,
        rule: String,
        gitignore: PathBuf,
        note: Option<String>,
    },
    #[error(transparent)]
    Io(#[from] FileError),
    #[error(
        "another run held the lock on {} for {seconds} s (--lock-timeout); gave up",
        crate::untrusted::path(path)
    )]
    LockTimeout { path: PathBuf, seconds: u64 },
    #[error(
        "{} is a symbolic link; the workdir's secret files and lock are never reached through one",
        crate::untrusted::path(path)
    )]
    Symlink { path: PathBuf },
    #[error(
        "{} is a symbolic link to {}, outside the workdir; secrets are not written there",
        crate::untrusted::path(path),
        crate::untrusted::path(target)
    )]
    Escapes { path: PathBuf, target: PathBuf },
}

impl Diagnose for WorkdirError {
    fn exit(&self) -> Exit {
        match self {
            WorkdirError::Unignored { .. }
            | WorkdirError::Symlink { .. }
            | WorkdirError::Escapes { .. } => Exit::Input,
            WorkdirError::LockTimeout { .. } => Exit::Runtime,
            WorkdirError::Io(e) if crate::safe_read::is_refusal(&e.err) => Exit::Input,
            WorkdirError::Io(_) => Exit::Runtime,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            WorkdirError::Unignored {
                rule,
                gitignore,
                note,
                ..
            } => {
                let mut h = format!(
                    "add `{rule}` to {}, or pass --allow-unignored",
                    gitignore.display()
                );
                if let Some(n) = note {
                    h.push_str(&format!(" ({n})"));
                }
                Some(h)
            }
            WorkdirError::LockTimeout { .. } => Some("another export or cleanup is running on this workdir (or hung); wait for it, or raise --lock-timeout".into()),
            WorkdirError::Symlink { path } => Some(format!("replace {} with a regular file (or remove it)", crate::untrusted::path(path))),
            WorkdirError::Escapes { path, .. } => Some(format!("make {} a real folder inside the workdir (`rm` the link, then rerun)", crate::untrusted::path(path))),
            WorkdirError::Io(_) => None,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WorkdirError::Unignored { .. } => "Secrets not ignored by git",
            WorkdirError::LockTimeout { .. } => "Workdir locked",
            WorkdirError::Symlink { .. } | WorkdirError::Escapes { .. } => "Unsafe secrets folder",
            WorkdirError::Io(_) => "cloudstudio-azure failed",
        }
    }
}
