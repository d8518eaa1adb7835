//! The one way tests run the binary ([`Bin`]), and what every run gets:
//! an environment scrubbed of everything inherited (so `CI`, `GITHUB_*`,
//! `RUNNER_*`, `ACTIONS_*`, `AZURE_*`, `ARM_*` of the machine running the
//! tests never leak in), a check that no secret reached stdout or stderr,
//! and placeholders for temp paths and random values in snapshots. One
//! fake `az` ([`fake_az`]) serves every test that needs the CLI session.
#![allow(dead_code)]

pub mod emu;
pub mod work;
pub mod world;

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// Variables whose values are secrets: a run that prints one fails.
const SECRET_VARS: [&str; 4] = [
    "AZURE_CLIENT_SECRET",
    "ARM_CLIENT_SECRET",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ARM_OIDC_TOKEN",
];

/// The binary, about to run in a scrubbed environment.
pub struct Bin {
    cwd: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    stdin: Option<String>,
    /// A file (or device) as standard input instead.
    stdin_path: Option<PathBuf>,
    /// Values that must not appear in output (besides [`SECRET_VARS`]').
    secrets: Vec<String>,
    /// `env` prints the secret on purpose; everything else must not.
    allow_secret_output: bool,
    /// `(text, placeholder)` for [`Run::redacted`].
    placeholders: Vec<(String, String)>,
}

pub fn bin(cwd: &Path) -> Bin {
    Bin {
        cwd: cwd.to_path_buf(),
        args: Vec::new(),
        // A PATH with only the system's programs (git, sh) and HOME in the
        // test's own directory: nothing from the machine's user setup.
        envs: vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("HOME".into(), cwd.as_os_str().to_owned()),
        ],
        stdin: None,
        stdin_path: None,
        secrets: Vec::new(),
        allow_secret_output: false,
        placeholders: vec![(cwd.display().to_string(), "[TMP]".into())],
    }
}

impl Bin {
    pub fn arg(&mut self, a: impl AsRef<OsStr>) -> &mut Bin {
        self.args.push(a.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut Bin
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets (or replaces) a variable.
    pub fn env(&mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> &mut Bin {
        let k = k.as_ref().to_owned();
        self.envs.retain(|(n, _)| *n != k);
        self.envs.push((k, v.as_ref().to_owned()));
        self
    }

    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Bin {
        self.cwd = dir.as_ref().to_path_buf();
        self.placeholders[0] = (self.cwd.display().to_string(), "[TMP]".into());
        self
    }

    pub fn stdin(&mut self, s: &str) -> &mut Bin {
        self.stdin = Some(s.to_owned());
        self
    }

    /// Standard input from a file or device (`/dev/zero`).
    pub fn stdin_path(&mut self, p: impl AsRef<Path>) -> &mut Bin {
        self.stdin_path = Some(p.as_ref().to_path_buf());
        self
    }

    /// Runs to completion, failing the test (and killing the process) if it
    /// takes longer than `limit`: for inputs that used to hang the tool.
    pub fn run_within(&mut self, limit: std::time::Duration) -> Run {
        use std::io::Read;
        let mut child = self.spawn();
        let mut so = child.stdout.take().expect("stdout");
        let mut se = child.stderr.take().expect("stderr");
        let out = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = so.read_to_end(&mut b);
            b
        });
        let err = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = se.read_to_end(&mut b);
            b
        });
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{:?} did not finish within {limit:?}", self.args);
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let stdout = String::from_utf8_lossy(&out.join().expect("stdout")).into_owned();
        let stderr = String::from_utf8_lossy(&err.join().expect("stderr")).into_owned();
        self.check(&stdout, "stdout");
        self.check(&stderr, "stderr");
        Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
            placeholders: self.placeholders.clone(),
        }
    }

    /// Another value that must never be printed.
    pub fn secret(&mut self, s: &str) -> &mut Bin {
        self.secrets.push(s.to_owned());
        self
    }

    pub fn allow_secret_output(&mut self) -> &mut Bin {
        self.allow_secret_output = true;
        self
    }

    /// Replace `text` by `placeholder` in [`Run::redacted`].
    pub fn placeholder(&mut self, text: &str, placeholder: &str) -> &mut Bin {
        self.placeholders
            .push((text.to_owned(), placeholder.to_owned()));
        self
    }

    fn command(&self, program: &OsStr) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.cwd)
            .env_clear()
            .envs(self.envs.iter().map(|(k, v)| (k, v)))
            .stdin(if let Some(p) = &self.stdin_path {
                Stdio::from(std::fs::File::open(p).expect("stdin file"))
            } else if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn exe() -> &'static OsStr {
        OsStr::new(env!("CARGO_BIN_EXE_cloudstudio-azure"))
    }

    pub fn spawn(&mut self) -> Child {
        let mut child = self
            .command(Self::exe())
            .args(&self.args)
            .spawn()
            .expect("spawn the binary");
        if let Some(input) = &self.stdin {
            let mut si = child.stdin.take().expect("stdin");
            si.write_all(input.as_bytes()).expect("write stdin");
        }
        child
    }

    /// Runs to completion; fails the test if a secret was printed.
    pub fn output(&mut self) -> std::io::Result<Output> {
        let out = self.spawn().wait_with_output()?;
        self.check(&String::from_utf8_lossy(&out.stdout), "stdout");
        self.check(&String::from_utf8_lossy(&out.stderr), "stderr");
        Ok(out)
    }

    pub fn run(&mut self) -> Run {
        let out = self.output().expect("run the binary");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            placeholders: self.placeholders.clone(),
        }
    }

    /// stdout and stderr on one pipe, in the order they were written.
    pub fn run_merged(&mut self) -> Run {
        let mut cmd = self.command(OsStr::new("/bin/sh"));
        cmd.arg("-c")
            .arg("exec \"$0\" \"$@\" 2>&1")
            .arg(Self::exe())
            .args(&self.args);
        let out = cmd.output().expect("run the binary");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        self.check(&text, "stdout+stderr");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: text,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            placeholders: self.placeholders.clone(),
        }
    }

    /// No secret on any line but the lines whose whole point is to carry it:
    /// GitHub's `::add-mask::`, Azure DevOps' `##vso[task.setsecret]` and
    /// `##vso[task.setvariable ...;issecret=true]` (the agent masks both).
    fn check(&self, text: &str, stream: &str) {
        if self.allow_secret_output {
            return;
        }
        let from_env = self
            .envs
            .iter()
            .filter(|(k, _)| SECRET_VARS.iter().any(|s| OsStr::new(s) == k))
            .map(|(_, v)| v.to_string_lossy().into_owned());
        let secrets: Vec<String> = world::SECRET_FRAGMENTS
            .iter()
            .map(|s| s.to_string())
            .chain(from_env)
            .chain(self.stdin.iter().map(|s| s.trim().to_owned()))
            .chain(self.secrets.iter().cloned())
            .filter(|s| s.len() >= 6)
            .collect();
        for line in text.lines().filter(|l| !carries_secret(l)) {
            for s in &secrets {
                assert!(
                    !line.contains(s.as_str()),
                    "secret {s:?} leaked on {stream} of {:?}: {line}",
                    self.args
                );
            }
        }
    }
}

/// A finished run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    placeholders: Vec<(String, String)>,
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

    /// `text` with temp paths, ports and random values replaced by
    /// placeholders, for snapshots.
    pub fn redacted(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (from, to) in &self.placeholders {
            if !from.is_empty() {
                out = out.replace(from.as_str(), to);
            }
        }
        redact_random(&out)
    }
}

/// Heredoc delimiters, emulator tokens, JWTs and millisecond timings.
fn redact_random(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut words: Vec<String> = line.split(' ').map(redact_word).collect();
        for i in 1..words.len().saturating_sub(1) {
            let digits = words[i].bytes().all(|b| b.is_ascii_digit()) && !words[i].is_empty();
            if digits && words[i - 1] == "in" && words[i + 1] == "ms" {
                words[i] = "[N]".into();
            }
        }
        out.push_str(&words.join(" "));
    }
    out
}

fn redact_word(word: &str) -> String {
    for (prefix, placeholder) in [
        ("ghadelimiter_", "ghadelimiter_[RANDOM]"),
        ("::add-mask::emu.", "::add-mask::[TOKEN]"),
        ("::add-mask::eyJ", "::add-mask::[JWT]"),
    ] {
        if let Some(i) = word.find(prefix) {
            return format!("{}{placeholder}", &word[..i]);
        }
    }
    word.to_owned()
}

/// What the fake `az` does.
pub enum Az<'a> {
    /// Prints a session: its access token, subscription and tenant.
    Session {
        token: &'a str,
        subscription: &'a str,
        tenant: &'a str,
    },
    /// Not logged in.
    Login,
    /// Fails with a coloured AADSTS error.
    Fail,
    /// Prints something that is not JSON.
    Garbage,
    /// Hangs, with a child that would outlive a wrapper-only kill.
    Hang,
    /// Prints without end (`yes`), as a broken wrapper might.
    Flood,
    /// Logged in to another cloud: no token for the Resource Manager asked
    /// for (AADSTS500011).
    OtherCloud,
}

/// Puts the one fake `az` into `bin_dir` (first on the run's PATH). Each
/// invocation appends its arguments to `bin_dir/../az.log`.
pub fn fake_az(bin_dir: &Path, mode: Az<'_>) {
    std::fs::create_dir_all(bin_dir).expect("bin dir");
    let home = bin_dir.parent().expect("bin dir has a parent");
    let body = match mode {
        Az::Session {
            token,
            subscription,
            tenant,
        } => {
            let json = serde_json::json!({
                "accessToken": token,
                "expiresOn": "2030-01-01 00:00:00.000000",
                "expires_on": 1_893_456_000,
                "subscription": subscription,
                "tenant": tenant,
                "tokenType": "Bearer",
            });
            format!("cat <<'EOF'\n{json}\nEOF")
        }
        Az::Login => "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1".into(),
        Az::Fail => {
            "printf '\\033[31mERROR: AADSTS50173: the grant expired\\033[0m\\n' >&2; exit 3".into()
        }
        Az::Garbage => "echo 'this is not json'".into(),
        Az::Flood => "yes '{\"accessToken\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'".into(),
        Az::OtherCloud => "echo \"ERROR: AADSTS500011: The resource principal named https://management.chinacloudapi.cn was not found in the tenant named Contoso.\" >&2; exit 1".into(),
        Az::Hang => format!(
            "sleep 30 & echo $! > '{}'; wait",
            home.join("az-child.pid").display()
        ),
    };
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{}'\n{body}\n",
        home.join("az.log").display()
    );
    let p = bin_dir.join("az");
    std::fs::write(&p, script).expect("write az");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
}

/// The lines the fake `az` in `home/bin` was invoked with.
pub fn az_calls(home: &Path) -> Vec<String> {
    std::fs::read_to_string(home.join("az.log"))
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A PATH with `bin_dir` first.
pub fn path_with(bin_dir: &Path) -> String {
    format!("{}:/usr/bin:/bin", bin_dir.display())
}

/// A workflow/logging command meant to hand a secret to the CI system.
pub(crate) fn carries_secret(line: &str) -> bool {
    line.starts_with("::add-mask::")
        || line.starts_with("##vso[task.setsecret]")
        || line
            .strip_prefix("##vso[task.setvariable variable=")
            .is_some_and(|rest| {
                rest.split_once(']')
                    .is_some_and(|(props, _)| props.ends_with(";issecret=true"))
            })
}
