//! Helpers for the export tests: temp workdirs, directory snapshots, the
//! GitHub runner's env-file parser, and the ids and secrets they share.

use super::{Az, Bin, fake_az as install_az, path_with};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub const CLIENT: &str = "11111111-1111-1111-1111-111111111111";
pub const TENANT: &str = "22222222-2222-2222-2222-222222222222";
pub const SUB: &str = "33333333-3333-3333-3333-333333333333";
pub const SUB2: &str = "44444444-4444-4444-4444-444444444444";
pub const SECRET: &str = "s3cr3t~Value.With_Chars-xyz";
/// Everything a shell could choke on.
pub const HOSTILE: &str = "a'b\"c$d`e!f%g^h&i|j;k l\\m";

/// The binary, to be pointed at a directory with `.current_dir()`.
pub fn bin() -> Bin {
    super::bin(&std::env::temp_dir())
}

/// A command in `cwd` with client-secret credentials in AZURE_*.
pub fn with_secret(cwd: &Path, secret: &str) -> Bin {
    let mut c = super::bin(cwd);
    c.current_dir(cwd)
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_CLIENT_SECRET", secret)
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_SUBSCRIPTION_ID", SUB);
    c
}

/// A fresh workdir (with `azure/`) in a temp dir.
pub struct Work {
    pub tmp: tempfile::TempDir,
}

impl Work {
    pub fn new() -> Work {
        let tmp = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(tmp.path().join("azure")).expect("azure/");
        Work { tmp }
    }
    pub fn root(&self) -> &Path {
        self.tmp.path()
    }
    /// The binary in the workdir, no credentials.
    pub fn bin(&self) -> Bin {
        super::bin(self.root())
    }
    pub fn secrets(&self) -> PathBuf {
        self.root().join("azure/secrets")
    }
    pub fn file(&self, name: &str) -> PathBuf {
        self.secrets().join(name)
    }
    pub fn json(&self, name: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.file(name)).expect("file");
        serde_json::from_str(&text).expect("valid JSON")
    }
    /// `export --no-verify` with client-secret credentials, extra args.
    pub fn export(&self, secret: &str, args: &[&str]) -> Bin {
        let mut c = with_secret(self.root(), secret);
        c.args(["export", "--no-verify"]).args(args);
        c
    }
}

/// Every file under `dir` with its bytes and mtime.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, Option<SystemTime>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            let meta = e.metadata().expect("metadata");
            if meta.is_dir() {
                out.insert(p.clone(), (Vec::new(), None));
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).expect("read");
                out.insert(p, (bytes, meta.modified().ok()));
            }
        }
    }
    out
}

/// Parses a GITHUB_ENV / GITHUB_OUTPUT file the way the runner does:
/// `NAME=value` lines, or `NAME<<DELIM` then lines up to one equal to DELIM,
/// joined with `\n`. Panics on anything the runner would reject.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let hd = line.find("<<");
        match (eq, hd) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                out.push((line[..e].to_owned(), line[e + 1..].to_owned()));
            }
            (_, Some(h)) => {
                let name = &line[..h];
                let delim = &line[h + 2..];
                assert!(!name.is_empty() && !delim.is_empty(), "bad heredoc: {line}");
                let mut value = Vec::new();
                loop {
                    let l = lines.next().expect("heredoc not terminated");
                    if l == delim {
                        break;
                    }
                    value.push(l);
                }
                out.push((name.to_owned(), value.join("\n")));
            }
            _ => panic!("runner would reject line {line:?}"),
        }
    }
    out
}

pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn has(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

#[cfg(unix)]
pub fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).expect("meta").permissions().mode() & 0o777
}

/// The fake `az` in `dir/fakebin`, printing a session for `sub`; returns
/// the PATH value (fake first).
pub fn fake_az(dir: &Path, sub: &str) -> String {
    let bin = dir.join("fakebin");
    install_az(
        &bin,
        Az::Session {
            token: "eyJfake.token.value",
            subscription: sub,
            tenant: TENANT,
        },
    );
    path_with(&bin)
}
