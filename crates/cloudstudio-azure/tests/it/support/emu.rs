//! The emulator for tests that verify against it: a running [`Emu`], the
//! worlds and arguments that point the binary at it, and the leak check
//! for every token it hands out.

use super::Run;
use super::world::World;
use azure_emulator::{Emulator, Route, Scenario, demo};
use serde_json::Value;
use std::time::{Duration, Instant};

/// A running emulator and the directory holding its CA.
pub struct Emu {
    pub emu: Emulator,
    _dir: tempfile::TempDir,
}

impl Emu {
    pub fn start(scenario: Scenario) -> Emu {
        let dir = tempfile::tempdir().expect("temp dir");
        let emu = Emulator::start(scenario, 0, dir.path()).expect("emulator starts");
        Emu { emu, _dir: dir }
    }

    pub fn demo() -> Emu {
        Emu::start(Scenario::demo())
    }

    /// A world trusting this emulator, with no credentials yet.
    pub fn world(&self) -> World {
        let mut w = World::new();
        w.env(
            "SSL_CERT_FILE",
            self.emu.ca_pem_path().to_str().expect("utf-8 path"),
        );
        w
    }

    /// Placeholders for this emulator's address and CA in snapshots.
    pub fn redact(&self, text: &str) -> String {
        text.replace(&self.emu.base_url(), "https://[EMULATOR]")
            .replace(&self.emu.ca_pem_path().display().to_string(), "[CA]")
    }

    /// A world with the `azure-env` source for `client_id`/`secret` in the
    /// demo tenant.
    pub fn app(&self, client_id: &str, secret: &str) -> World {
        self.app_in(client_id, secret, demo::TENANT_ID)
    }

    pub fn app_in(&self, client_id: &str, secret: &str, tenant: &str) -> World {
        let mut w = self.world();
        w.env("AZURE_CLIENT_ID", client_id)
            .env("AZURE_CLIENT_SECRET", secret)
            .env("AZURE_TENANT_ID", tenant);
        w
    }

    /// The arguments pointing `verify` at this emulator for `subscription`.
    pub fn args<'a>(&self, subscription: &'a str, extra: &[&'a str]) -> Vec<String> {
        let base = self.emu.base_url();
        let mut args: Vec<String> = [
            "verify",
            "--cloud",
            "custom",
            "--authority-host",
            &base,
            "--arm-endpoint",
            &base,
            "--subscription-id",
            subscription,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    /// Runs `verify` for `subscription`; asserts no secret leaked.
    pub fn verify(&self, w: &World, subscription: &str, extra: &[&str]) -> Run {
        let args = self.args(subscription, extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = w.run(&args);
        self.assert_no_leak(&run, &args);
        run
    }

    /// How many requests went to `route` so far.
    pub fn count(&self, route: Route) -> usize {
        self.emu
            .requests()
            .iter()
            .filter(|r| r.route == route)
            .count()
    }

    /// The routes and statuses of every request so far.
    pub fn log(&self) -> Vec<(Route, u16)> {
        self.emu
            .requests()
            .iter()
            .map(|r| (r.route, r.status))
            .collect()
    }

    /// No demo secret, request token, cli token, emulator-issued access
    /// token (`emu.` + base64) or JWT (`eyJ`) on stdout or stderr, except on
    /// GitHub's `::add-mask::` lines.
    pub fn assert_no_leak(&self, run: &Run, args: &[&str]) {
        let request_token = self.emu.oidc_request_token();
        let mut secrets = vec![
            demo::CLIENT_SECRET,
            demo::READER_SECRET,
            demo::EXPIRED_SECRET,
            demo::GITHUB_REQUEST_TOKEN,
            demo::CLI_ACCESS_TOKEN,
            demo::IDENTITY_HEADER,
            OWNER_SECRET,
        ];
        if !request_token.is_empty() {
            secrets.push(&request_token);
        }
        for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            for line in text.lines().filter(|l| !super::carries_secret(l)) {
                for s in &secrets {
                    assert!(
                        !line.contains(s),
                        "secret {s:?} leaked on {name} of {args:?}: {line}"
                    );
                }
                assert!(
                    !has_issued_token(line) && !line.contains("eyJ"),
                    "a token leaked on {name} of {args:?}: {line}"
                );
            }
        }
    }
}

/// Whether `line` holds an access token as the emulator issues them
/// (`emu.` followed by a long base64url run).
fn has_issued_token(line: &str) -> bool {
    line.match_indices("emu.").any(|(i, _)| {
        line[i + 4..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .count()
            >= 20
    })
}

/// Owner app for a scenario built on the demo (see `with_owner`).
pub const OWNER_CLIENT_ID: &str = "f0e1d2c3-b4a5-4968-8776-655443322110";
pub const OWNER_SECRET: &str = "Ow55Q~zX3cV8bN1mQ4wE7rT0yU2iO6pA9sDf5gHj";

/// The demo plus `ci-owner`, Owner on the production subscription.
pub fn with_owner(mut s: Scenario) -> Scenario {
    let yaml = format!(
        "tenants: [{{id: {t}}}]\n\
         apps:\n  - client_id: {OWNER_CLIENT_ID}\n    tenant: {t}\n    display_name: ci-owner\n    secrets: [{{value: \"{OWNER_SECRET}\"}}]\n\
         subscriptions: [{{id: {p}, tenant: {t}, name: x}}]\n\
         role_assignments: [{{principal: {OWNER_CLIENT_ID}, subscription: {p}, role: Owner}}]\n",
        t = demo::TENANT_ID,
        p = demo::PROD_SUBSCRIPTION_ID,
    );
    let extra = Scenario::from_yaml(&yaml).expect("owner scenario");
    s.apps.extend(extra.apps);
    s.role_assignments.extend(extra.role_assignments);
    s
}

/// Asserts the exit code, with both streams in the message.
#[track_caller]
pub fn assert_exit(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "exit code\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

/// The `--output json` check named `name`.
pub fn check<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {doc}"))
}

/// The status of every check, in order.
pub fn statuses(doc: &Value) -> Vec<(String, String)> {
    doc["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_owned(),
                c["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

/// Asserts `text` contains each of `parts` (case-sensitive).
#[track_caller]
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "expected {p:?} in:\n{text}");
    }
}

/// Elapsed time of `f`.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed())
}
