//! Shared test helpers: run the real binary in a scrubbed environment, with
//! a private temp dir as the current directory and a fake `az` when asked.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const CLIENT_ID: &str = "0a1b2c3d-1111-4a4a-8b8b-000000000001";
pub const TENANT_ID: &str = "0a1b2c3d-2222-4a4a-8b8b-000000000002";
pub const SUB_ID: &str = "0a1b2c3d-3333-4a4a-8b8b-000000000003";
pub const SUB_2: &str = "0a1b2c3d-4444-4a4a-8b8b-000000000004";
pub const SUB_3: &str = "0a1b2c3d-5555-4a4a-8b8b-000000000005";
/// A hostile secret: every quoting hazard, and a value distinctive enough
/// that finding it anywhere in output is certainly a leak.
pub const SECRET: &str = "Zq8~s3cr3t'\"$x`y!%^&|;\\ VALUE-dd21";

/// One test's world: a temp dir used as cwd, HOME and fake-bin dir.
pub struct World {
    pub dir: tempfile::TempDir,
    envs: Vec<(String, String)>,
    stdin: Option<String>,
    /// `env` prints the secret on purpose; everything else must not.
    pub allow_secret_output: bool,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn both(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("bin")).expect("bin dir");
        World {
            dir,
            envs: Vec::new(),
            stdin: None,
            allow_secret_output: false,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn env(&mut self, k: &str, v: &str) -> &mut World {
        self.envs.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn stdin(&mut self, s: &str) -> &mut World {
        self.stdin = Some(s.to_owned());
        self
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    /// A fake `az` on PATH. It appends one line per invocation to
    /// `az.log` and behaves per `mode`: `ok`, `login` (not logged in),
    /// `fail`, `garbage`, `hang`.
    pub fn fake_az(&self, mode: &str) -> &World {
        let log = self.path().join("az.log");
        let body = match mode {
            "ok" => format!(
                "echo '{{\"accessToken\":\"eyJfakeCliToken.{SECRET_TOKEN}\",\"expiresOn\":\"2030-01-01 00:00:00.000000\",\"expires_on\":1893456000,\"subscription\":\"{SUB_ID}\",\"tenant\":\"{TENANT_ID}\",\"tokenType\":\"Bearer\"}}'"
            ),
            "login" => {
                "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1".to_owned()
            }
            "fail" => {
                "printf '\\033[31mERROR: AADSTS50173: the grant expired\\033[0m\\n' >&2; exit 3"
                    .to_owned()
            }
            "garbage" => "echo 'this is not json'".to_owned(),
            // A child that would outlive a wrapper-only kill, like az's Python.
            "hang" => format!(
                "sleep 30 & echo $! > '{}'; wait",
                self.path().join("az-child.pid").display()
            ),
            other => panic!("unknown fake az mode {other}"),
        };
        let script = format!("#!/bin/sh\necho \"$@\" >> '{}'\n{body}\n", log.display());
        let p = self.path().join("bin/az");
        std::fs::write(&p, script).expect("write az");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        self
    }

    /// Lines `az` was invoked with.
    pub fn az_calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path().join("az.log"))
            .map(|s| s.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Runs the binary from `self.path()` with only PATH (the fake-bin dir
    /// and the system dirs), HOME and the variables set on this world.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.path(), args)
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloudstudio-azure"));
        cmd.args(args)
            .current_dir(cwd)
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path().join("bin").display()),
            )
            .env("HOME", self.path())
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn binary");
        if let Some(input) = &self.stdin {
            let mut si = child.stdin.take().expect("stdin");
            si.write_all(input.as_bytes()).expect("write stdin");
        }
        let out: Output = child.wait_with_output().expect("wait");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        if !self.allow_secret_output {
            assert_no_leak(&run, args);
        }
        run
    }
}

/// The distinctive tail of the fake az session token.
pub const SECRET_TOKEN: &str = "CliTokenValue-77ab";

/// Environment for a complete `azure-env` source.
pub fn azure_env(w: &mut World) -> &mut World {
    w.env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", SECRET)
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("AZURE_SUBSCRIPTION_ID", SUB_ID)
}

/// Fragments of the secrets that must never be printed, not even in part.
pub const SECRET_FRAGMENTS: [&str; 5] = [
    SECRET,
    "s3cr3t",
    "VALUE-dd21",
    SECRET_TOKEN,
    OIDC_REQUEST_TOKEN,
];

/// The runner's OIDC request token in tests (a secret too).
pub const OIDC_REQUEST_TOKEN: &str = "runner-request-token";

/// Every run of the binary goes through this (unless the test opted out
/// for `env`): no secret fragment on stdout or stderr. The one exception
/// is GitHub's `::add-mask::` line, whose whole point is to carry it.
pub fn assert_no_leak(run: &Run, args: &[&str]) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        for line in text.lines().filter(|l| !l.starts_with("::add-mask::")) {
            for frag in SECRET_FRAGMENTS {
                assert!(
                    !line.contains(frag),
                    "secret fragment {frag:?} leaked on {name} of {args:?}: {line}"
                );
            }
        }
    }
}
