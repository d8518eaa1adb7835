//! Reading inputs that must be regular files, and standard input, with a
//! size cap. A FIFO would block the open (or the read) forever, a device
//! such as `/dev/zero` never ends, and a huge file fills memory: each is
//! refused with a message that says what the path is.
//!
//! Files are opened with `O_NONBLOCK` (opening a FIFO returns at once) and,
//! for files this tool owns (the workdir's), `O_NOFOLLOW`; then the open
//! file itself is checked to be regular, so nothing can be swapped in
//! between the check and the read. The errors are `std::io::Error`s (kind
//! `InvalidInput` or `FileTooLarge`) so every module's existing "could not
//! read <path>: <reason>" error carries them; [`is_refusal`] tells them from
//! real I/O failures (they are bad input: exit 2).

use std::fs::{File, OpenOptions};
use std::io::{self, ErrorKind, Read};
use std::path::Path;

/// `cloudstudio.yml` (a few hundred rules at most).
pub const CONFIG_MAX: usize = 256 * 1024;
/// Credentials JSON, a client secret, workdir secret files, `.git/HEAD`.
pub const SMALL_MAX: usize = 64 * 1024;
/// A CA bundle (`SSL_CERT_FILE`); the system bundles are ~200 KiB.
pub const CERTS_MAX: usize = 4 * 1024 * 1024;
/// A GitHub event payload (`GITHUB_EVENT_PATH`); pull request bodies make
/// these larger than anything else read here.
pub const EVENT_MAX: usize = 8 * 1024 * 1024;

/// Whether a symbolic link at the path itself is followed. User-named
/// inputs follow (Kubernetes mounts secrets as symlinks); the workdir's
/// own files do not.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Links {
    Follow,
    Refuse,
}

/// The whole of the regular file at `path`, at most `max` bytes.
pub fn file(path: &Path, max: usize, links: Links) -> io::Result<Vec<u8>> {
    let f = open(path, links)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(refused(what(&meta.file_type())));
    }
    if meta.len() > max as u64 {
        return Err(too_large(max));
    }
    capped(f, max)
}

/// [`file`] as UTF-8 text.
pub fn text(path: &Path, max: usize, links: Links) -> io::Result<String> {
    String::from_utf8(file(path, max, links)?)
        .map_err(|_| io::Error::new(ErrorKind::InvalidData, "is not UTF-8 text"))
}

/// Everything `r` yields, at most `max` bytes (standard input, a pipe).
pub fn capped(r: impl Read, max: usize) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(max as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > max {
        return Err(too_large(max));
    }
    Ok(buf)
}

/// A refusal by this module (not a regular file, too large): bad input,
/// exit 2, rather than an I/O failure.
pub fn is_refusal(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::InvalidInput | ErrorKind::FileTooLarge)
}

fn open(path: &Path, links: Links) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    #[cfg(not(unix))]
    {
        // No O_NONBLOCK: check first (a race here can only make the open
        // block, not read anything unexpected).
        let meta = if links == Links::Refuse {
            std::fs::symlink_metadata(path)?
        } else {
            std::fs::metadata(path)?
        };
        if !meta.is_file() {
            return Err(refused(what(&meta.file_type())));
        }
    }
    opts.open(path).map_err(|e| {
        // ELOOP (a symlink under O_NOFOLLOW), ENXIO (a socket): say what it is.
        match std::fs::symlink_metadata(path) {
            Ok(m) if e.kind() != ErrorKind::NotFound && !m.is_file() => {
                refused(what(&m.file_type()))
            }
            _ => e,
        }
    })
}

/// The refusal for `path` when it exists and is not a regular file (for
/// writers, which open differently).
pub fn not_regular(path: &Path) -> Option<io::Error> {
    let m = std::fs::metadata(path).ok()?;
    (!m.is_file()).then(|| refused(what(&m.file_type())))
}

fn what(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "is a FIFO (named pipe), not a regular file";
        }
        if t.is_char_device() || t.is_block_device() {
            return "is a device, not a regular file";
        }
        if t.is_socket() {
            return "is a socket, not a regular file";
        }
    }
    if t.is_dir() {
        "is a directory, not a regular file"
    } else if t.is_symlink() {
        "is a symbolic link, which is not followed here"
    } else {
        "is not a regular file"
    }
}

fn refused(what: &'static str) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, what)
}

fn too_large(max: usize) -> io::Error {
    io::Error::new(
        ErrorKind::FileTooLarge,
        format!("is larger than the {} KiB allowed", max / 1024),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_kinds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("f");
        std::fs::write(&f, b"12345").expect("write");
        assert_eq!(file(&f, 5, Links::Follow).expect("read"), b"12345");
        let e = file(&f, 4, Links::Follow).expect_err("too large");
        assert!(is_refusal(&e) && e.to_string().contains("larger"), "{e}");
        let e = file(dir.path(), 4, Links::Follow).expect_err("dir");
        assert!(e.to_string().contains("directory"), "{e}");
        let e = capped(std::io::repeat(b'x'), 10).expect_err("endless");
        assert!(is_refusal(&e), "{e}");
        #[cfg(unix)]
        {
            let l = dir.path().join("l");
            std::os::unix::fs::symlink(&f, &l).expect("symlink");
            assert!(file(&l, 9, Links::Follow).is_ok());
            let e = file(&l, 9, Links::Refuse).expect_err("symlink");
            assert!(e.to_string().contains("symbolic link"), "{e}");
            let e = file(Path::new("/dev/zero"), 9, Links::Follow).expect_err("device");
            assert!(e.to_string().contains("device"), "{e}");
        }
    }
}
