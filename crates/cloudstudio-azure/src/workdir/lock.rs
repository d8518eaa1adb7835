//! The lock that serializes runs on one workdir. Every write happens under
//! it, so a temp file found while holding it was left by a killed run and
//! is removed ([`Lock::sweep`]).
//!
//! A held lock is waited for, saying so after a second, up to
//! `--lock-timeout`; then the run fails (exit 1) rather than hang a job.
//! The lock file is opened without following a symlink: a `.lock` planted
//! as a link must not create or touch its target.

use super::error::WorkdirError;
use super::io::TEMP_SUFFIX;
use crate::file_error::FileError;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const LOCK_FILE: &str = ".lock";
/// When the "waiting for the lock" message is printed.
const SAY_AFTER: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(100);

/// The exclusive advisory lock on `<dir>/.lock`, released on drop (and by
/// the OS when the process dies). The lock file itself is never removed:
/// removing it would let two runs lock two different files.
pub struct Lock {
    _file: File,
    dir: PathBuf,
}

impl Lock {
    /// Waits up to `timeout` for the lock; `waiting` is called once, after
    /// a second, with the lock file's path.
    pub fn acquire(
        dir: &Path,
        timeout: Duration,
        waiting: &dyn Fn(&Path),
    ) -> Result<Lock, WorkdirError> {
        let path = dir.join(LOCK_FILE);
        let file = open(&path)?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(FileError::new("lock", &path, e).into()),
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(WorkdirError::LockTimeout {
                    path,
                    seconds: timeout.as_secs(),
                });
            }
            if !said && waited >= SAY_AFTER {
                waiting(&path);
                said = true;
            }
            std::thread::sleep(POLL.min(timeout.saturating_sub(waited)));
        }
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

fn open(path: &Path) -> Result<File, WorkdirError> {
    let mut opts = OpenOptions::new();
    opts.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(WorkdirError::Symlink {
            path: path.to_path_buf(),
        });
    }
    opts.open(path).map_err(|e| {
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            WorkdirError::Symlink {
                path: path.to_path_buf(),
            }
        } else {
            FileError::new("open the lock file", path, e).into()
        }
    })
}
