//! An I/O failure on a named file: what was being done, to which file,
//! and the system's reason. Shared by the workdir and the pipeline writers.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error("could not {what} {}: {err}", crate::untrusted::path(path))]
pub struct FileError {
    pub what: &'static str,
    pub path: PathBuf,
    pub err: std::io::Error,
}

impl FileError {
    pub fn new(what: &'static str, path: impl Into<PathBuf>, err: std::io::Error) -> FileError {
        FileError {
            what,
            path: path.into(),
            err,
        }
    }
}
