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
use crate::safe_read::{self, Links};
use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

/// Temp files are `.<target>.<random>.tmp`: hidden, never `*.json`.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Refuses a secrets folder (`<workdir>/azure/secrets`) that is, or sits
/// in an `azure` folder that is, a symbolic link leaving the workdir:
/// secrets would be written wherever the link points.
pub fn check_secrets_dir(dir: &Path) -> Result<(), WorkdirError> {
    let azure = parent(dir);
    let workdir = parent(azure);
    for p in [azure, dir] {
        let is_link = fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            continue;
        }
        let inside = match (fs::canonicalize(p), fs::canonicalize(workdir)) {
            (Ok(target), Ok(root)) => target.starts_with(&root).then_some(target),
            _ => None,
        };
        if inside.is_none() {
            // Dangling or outside: name where it points.
            let target = fs::canonicalize(p)
                .or_else(|_| fs::read_link(p))
                .unwrap_or_default();
            return Err(WorkdirError::Escapes {
                path: p.to_path_buf(),
                target,
            });
        }
    }
    Ok(())
}

/// Creates `dir` (and its parents) when missing; `dir` itself gets 0700.
/// An existing `dir` open to the group or others is set to 0700; the note
/// returned says so.
pub fn ensure_private_dir(dir: &Path) -> Result<Option<String>, WorkdirError> {
    check_secrets_dir(dir)?;
    if dir.is_dir() {
        return make_dir_private(dir);
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
        Ok(()) => Ok(None),
        // A concurrent run created it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(None),
        Err(e) => Err(FileError::new("create", dir, e).into()),
    }
}

/// Sets 0700 on `dir` when the group or others have any access.
fn make_dir_private(dir: &Path) -> Result<Option<String>, WorkdirError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Some(m) = mode(dir).filter(|m| m & 0o077 != 0) else {
            return Ok(None);
        };
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
            .map_err(|e| FileError::new("set permissions on", dir, e))?;
        Ok(Some(format!(
            "{} was open to other users (mode {m:03o}); set it to 0700",
            crate::untrusted::path(dir)
        )))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(None)
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

/// Sets 0600 on an existing file (Unix); no-op elsewhere. A symbolic link
/// is refused, never followed: its target is not ours to change.
pub fn make_private(path: &Path) -> Result<(), WorkdirError> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(WorkdirError::Symlink {
            path: path.to_path_buf(),
        });
    }
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
    // The workdir's own files: a symlink or FIFO put there is refused.
    match safe_read::file(path, safe_read::SMALL_MAX, Links::Refuse) {
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
