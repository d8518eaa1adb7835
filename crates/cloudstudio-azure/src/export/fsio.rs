//! File-system primitives for `azure/secrets/`: the private directory, the
//! lock that serializes runs, atomic writes and removals.
//!
//! Every write happens under the lock, so a temp file found while holding
//! it was left by a killed run and is removed ([`Lock::sweep`]).
//!
//! Test hook (debug builds only): `CLOUDSTUDIO_AZURE_TEST_PAUSE_BEFORE_RENAME=<file>`
//! makes [`write_atomic`] create `<file>` once the temp file is complete and
//! fsynced, then sleep before the rename, so a test can kill the process at
//! the worst moment. Release builds do not contain it.

use super::ExportError;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Temp files are `.<target>.<random>.tmp`: hidden, never `*.json`.
const TEMP_SUFFIX: &str = ".tmp";
pub const LOCK_FILE: &str = ".lock";

/// Creates `dir` (and its parents) when missing; `dir` itself gets 0700.
pub fn ensure_private_dir(dir: &Path) -> Result<(), ExportError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).map_err(|e| ExportError::io("create", parent, e))?;
    }
    let mut b = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    match b.create(dir) {
        Ok(()) => Ok(()),
        // A concurrent run created it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(ExportError::io("create", dir, e)),
    }
}

/// The exclusive advisory lock on `<dir>/.lock`, released on drop (and by
/// the OS when the process dies). The lock file itself is never removed:
/// removing it would let two runs lock two different files.
pub struct Lock {
    _file: File,
    dir: PathBuf,
}

impl Lock {
    pub fn acquire(dir: &Path) -> Result<Lock, ExportError> {
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
            .map_err(|e| ExportError::io("open the lock file", &path, e))?;
        file.lock().map_err(|e| ExportError::io("lock", &path, e))?;
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

/// Writes `bytes` to `path` atomically: a temp file in the same directory
/// (0600), write, fsync, rename over `path`, fsync the directory. Readers see
/// the old file or the new one, never a partial one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let dir = parent(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // tempfile creates the file 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|e| ExportError::io("create a temp file in", dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| ExportError::io("write", tmp.path().to_path_buf(), e))?;
    pause_before_rename();
    tmp.persist(path)
        .map_err(|e| ExportError::io("rename into", path, e.error))?;
    sync_dir(dir)
}

/// Removes `path` (already gone is fine), then fsyncs its directory.
pub fn remove(path: &Path) -> Result<(), ExportError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(parent(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ExportError::io("remove", path, e)),
    }
}

/// Sets 0600 on an existing file (Unix); no-op elsewhere.
pub fn make_private(path: &Path) -> Result<(), ExportError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| ExportError::io("set permissions on", path, e))?;
    }
    let _ = path;
    Ok(())
}

/// The permission bits of `path`, when the platform has them.
pub fn mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// Makes a rename or removal durable. Windows cannot open directories for
/// syncing; the rename there is already as durable as it gets.
fn sync_dir(dir: &Path) -> Result<(), ExportError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| ExportError::io("sync", dir, e))?;
    }
    let _ = dir;
    Ok(())
}

#[cfg(debug_assertions)]
fn pause_before_rename() {
    if let Some(marker) = std::env::var_os("CLOUDSTUDIO_AZURE_TEST_PAUSE_BEFORE_RENAME") {
        let _ = fs::write(&marker, b"paused\n");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

#[cfg(not(debug_assertions))]
fn pause_before_rename() {}
