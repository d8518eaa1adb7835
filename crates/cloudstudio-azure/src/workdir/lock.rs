//! The lock that serializes runs on one workdir. Every write happens under
//! it, so a temp file found while holding it was left by a killed run and
//! is removed ([`Lock::sweep`]).

use super::error::WorkdirError;
use super::io::TEMP_SUFFIX;
use crate::file_error::FileError;
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = ".lock";

/// The exclusive advisory lock on `<dir>/.lock`, released on drop (and by
/// the OS when the process dies). The lock file itself is never removed:
/// removing it would let two runs lock two different files.
pub struct Lock {
    _file: File,
    dir: PathBuf,
}

impl Lock {
    pub fn acquire(dir: &Path) -> Result<Lock, WorkdirError> {
        let path = dir.join(LOCK_FILE);
        let mut opts = OpenOptions::new();
        opts.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let file = opts
            .open(&path)
            .map_err(|e| FileError::new("open the lock file", &path, e))?;
        file.lock().map_err(|e| FileError::new("lock", &path, e))?;
        Ok(Lock {
            _file: file,
            dir: dir.to_path_buf(),
        })
    }

    /// Removes temp files left by killed runs. Best effort: a leftover that
    /// cannot be removed is harmless (hidden, never read).
    pub fn sweep(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}
