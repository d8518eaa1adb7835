//! Files in the state directory (the CA, its key, the token-signing key):
//! read with a size cap and only when they are regular files; written
//! atomically (temp file in the same directory, fsync, rename), private
//! keys with mode 0600.

use anyhow::{Context as _, bail};
use std::io::{Read as _, Write as _};
use std::path::Path;

/// Keys and certificates are a few KiB; anything larger is not ours.
const MAX_FILE: u64 = 64 * 1024;

/// The file's bytes, `None` when it does not exist.
pub fn read(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("could not read {}", path.display())),
    };
    if !meta.is_file() {
        bail!(
            "{} is not a regular file (a directory, FIFO or device); remove it so the emulator can write its own",
            path.display()
        );
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("could not open {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("could not read {}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE {
        bail!(
            "{} is larger than {} KiB: not a key or certificate the emulator wrote",
            path.display(),
            MAX_FILE / 1024
        );
    }
    Ok(Some(bytes))
}

/// Writes `bytes` to `path` atomically; `private` files get mode 0600.
pub fn write(path: &Path, bytes: &[u8], private: bool) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{}.tmp",
        crate::state::random_b64(6).replace(['-', '_'], "x")
    ));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(if private { 0o600 } else { 0o644 });
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("could not write {}", path.display()))
}

/// PEM-encodes DER under `label` (`PRIVATE KEY`, `CERTIFICATE`).
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The DER inside the first `label` block of a PEM text.
pub fn pem_decode(label: &str, pem: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    let body: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trips() {
        let der: Vec<u8> = (0..=255u8).cycle().take(700).collect();
        let pem = pem_encode("PRIVATE KEY", &der);
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        assert_eq!(pem_decode("PRIVATE KEY", &pem), Some(der));
        assert_eq!(pem_decode("CERTIFICATE", &pem), None);
    }

    #[test]
    fn writes_private_files_atomically_and_refuses_special_files() {
        let dir = std::env::temp_dir().join(format!("emu-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let f = dir.join("key.pem");
        write(&f, b"one", true).expect("write");
        write(&f, b"two", true).expect("overwrite");
        assert_eq!(read(&f).expect("read"), Some(b"two".to_vec()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&f).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(read(&dir.join("missing")).expect("missing is fine"), None);
        let err = read(&dir).expect_err("a directory is refused");
        assert!(format!("{err:#}").contains("not a regular file"));
        let leftovers = std::fs::read_dir(&dir).expect("list").count();
        assert_eq!(leftovers, 1, "no temp files left behind");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
