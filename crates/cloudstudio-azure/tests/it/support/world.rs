//! One test's world for resolution tests: a temp dir used as cwd, HOME and
//! fake-bin dir, variables and stdin for the run, and the ids and hostile
//! secrets those tests share.

use super::{Az, Bin, Run, bin, fake_az, path_with};
use std::path::{Path, PathBuf};

pub const CLIENT_ID: &str = "0a1b2c3d-1111-4a4a-8b8b-000000000001";
pub const TENANT_ID: &str = "0a1b2c3d-2222-4a4a-8b8b-000000000002";
pub const SUB_ID: &str = "0a1b2c3d-3333-4a4a-8b8b-000000000003";
pub const SUB_2: &str = "0a1b2c3d-4444-4a4a-8b8b-000000000004";
pub const SUB_3: &str = "0a1b2c3d-5555-4a4a-8b8b-000000000005";
/// A hostile secret: every quoting hazard, and a value distinctive enough
/// that finding it anywhere in output is certainly a leak.
pub const SECRET: &str = "Zq8~s3cr3t'\"$x`y!%^&|;\\ VALUE-dd21";
/// The distinctive tail of the fake az session token.
pub const SECRET_TOKEN: &str = "CliTokenValue-77ab";
/// The runner's OIDC request token in tests (a secret too).
pub const OIDC_REQUEST_TOKEN: &str = "runner-request-token";

/// Fragments of the secrets that must never be printed, not even in part;
/// every run checks them ([`Bin::output`]).
pub const SECRET_FRAGMENTS: [&str; 5] = [
    SECRET,
    "s3cr3t",
    "VALUE-dd21",
    SECRET_TOKEN,
    OIDC_REQUEST_TOKEN,
];

pub struct World {
    pub dir: tempfile::TempDir,
    envs: Vec<(String, String)>,
    stdin: Option<String>,
    /// `env` prints the secret on purpose; everything else must not.
    pub allow_secret_output: bool,
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

    /// The fake `az` on PATH: `ok` (a session for SUB_ID), `login` (not
    /// logged in), `fail`, `garbage`, `hang`.
    pub fn fake_az(&self, mode: &str) -> &World {
        let token = format!("eyJfakeCliToken.{SECRET_TOKEN}");
        let az = match mode {
            "ok" => Az::Session {
                token: &token,
                subscription: SUB_ID,
                tenant: TENANT_ID,
            },
            "login" => Az::Login,
            "fail" => Az::Fail,
            "garbage" => Az::Garbage,
            "hang" => Az::Hang,
            "flood" => Az::Flood,
            "other-cloud" => Az::OtherCloud,
            other => panic!("unknown fake az mode {other}"),
        };
        fake_az(&self.path().join("bin"), az);
        self
    }

    /// Lines `az` was invoked with.
    pub fn az_calls(&self) -> Vec<String> {
        super::az_calls(self.path())
    }

    /// The run as configured, not started: in `cwd`, with PATH (the
    /// fake-bin dir first), HOME and this world's variables.
    pub fn bin_in(&self, cwd: &Path, args: &[&str]) -> Bin {
        let mut b = bin(self.path());
        b.current_dir(cwd)
            .env("PATH", path_with(&self.path().join("bin")))
            .args(args);
        for (k, v) in &self.envs {
            b.env(k, v);
        }
        if let Some(s) = &self.stdin {
            b.stdin(s);
        }
        if self.allow_secret_output {
            b.allow_secret_output();
        }
        b
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(self.path(), args)
    }

    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        self.bin_in(cwd, args).run()
    }
}

/// Environment for a complete `azure-env` source.
pub fn azure_env(w: &mut World) -> &mut World {
    w.env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", SECRET)
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("AZURE_SUBSCRIPTION_ID", SUB_ID)
}
