//! File-system primitives for `azure/secrets/`: the private directory,
//! atomic writes and removals, reads that tell "missing" from "malformed".
//!
//! Test hook (debug builds only): `CLOUDSTUDIO_AZURE_TEST_PAUSE_BEFORE_RENAME=<file>`
//! makes [`write_atomic`] create `<file>` once the temp file is complete and
//! fsynced, then sleep before the rename, so a test can kill the process at
//! the worst moment. Release builds do not contain it.

use super::error::WorkdirError;
use super::format::{Existing, SecretsDir};
use crate::config::CredentialName;
use crate::file_error::FileError;
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

/// Temp files are `.<target>.<random>.tmp`: hidden, never `*.json`.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Creates `dir` (and its parents) when missing; `dir` itself gets 0700.
pub fn ensure_private_dir(dir: &Path) -> Result<(), WorkdirError> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        fs::create_dir_all(parent).map_err(|e| FileError::new("create", parent, e))?;
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
        Err(e) => Err(FileError::new("create", dir, e).into()),
    }
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory
/// (0600), write, fsync, rename over `path`, fsync the directory. Readers see
/// the old file or the new one, never a partial one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WorkdirError> {
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
        .map_err(|e| FileError::new("create a temp file in", dir, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| FileError::new("write", tmp.path().to_path_buf(), e))?;
    pause_before_rename();
    tmp.persist(path)
        .map_err(|e| FileError::new("rename into", path, e.error))?;
    sync_dir(dir)
}

/// Removes `path` (already gone is fine), then fsyncs its directory.
pub fn remove(path: &Path) -> Result<(), WorkdirError> {
    match fs::remove_file(path) {
        Ok(()) => sync_dir(parent(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(FileError::new("remove", path, e).into()),
    }
}

/// Sets 0600 on an existing file (Unix); no-op elsewhere.
pub fn make_private(path: &Path) -> Result<(), WorkdirError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| FileError::new("set permissions on", path, e))?;
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

/// Reads and parses `path`; a missing file is not an error.
pub fn read<T>(
    path: &Path,
    parse: fn(&[u8]) -> Result<T, String>,
) -> Result<Existing<T>, WorkdirError> {
    match fs::read(path) {
        Ok(bytes) => Ok(match parse(&bytes) {
            Ok(value) => Existing::Valid { value, bytes },
            Err(problem) => Existing::Malformed { problem },
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Missing),
        Err(e) => Err(FileError::new("read", path, e).into()),
    }
}

/// Credential names with a `<name>.json` file, sorted.
pub fn credential_names(secrets: &SecretsDir) -> Result<Vec<CredentialName>, WorkdirError> {
    let entries = match fs::read_dir(&secrets.dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FileError::new("list", &secrets.dir, e).into()),
    };
    let mut names: Vec<CredentialName> = entries
        .flatten()
        .filter_map(|e| {
            let file = e.file_name().into_string().ok()?;
            let stem = file.strip_suffix(".json")?;
            CredentialName::parse(stem).ok()
        })
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(names)
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new("."))
}

/// Makes a rename or removal durable. Windows cannot open directories for
/// syncing; the rename there is already as durable as it gets.
fn sync_dir(dir: &Path) -> Result<(), WorkdirError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| FileError::new("sync", dir, e))?;
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
