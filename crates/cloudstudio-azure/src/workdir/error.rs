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
}

impl Diagnose for WorkdirError {
    fn exit(&self) -> Exit {
        match self {
            WorkdirError::Unignored { .. } => Exit::Input,
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
            WorkdirError::Io(_) => None,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WorkdirError::Unignored { .. } => "Secrets not ignored by git",
            WorkdirError::Io(_) => "cloudstudio-azure failed",
        }
    }
}
