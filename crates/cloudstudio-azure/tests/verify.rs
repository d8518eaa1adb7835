//! `verify` through the binary against the in-process emulator: every
//! documented failure maps to its cause and fix, the network policy holds,
//! and no secret or token reaches stdout or stderr.

use assert_cmd::Command;
use azure_emulator::scenario::RoleAssignment;
use azure_emulator::{Emulator, Fault, FaultRoute, Role, Route, Scenario, demo};
use std::process::Output;
use std::time::{Duration, Instant};

struct Env {
    emu: Emulator,
    dir: tempfile::TempDir,
}

fn start(scenario: Scenario) -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let emu = Emulator::start(scenario, 0, &dir.path().join("emu")).expect("emulator starts");
    Env { emu, dir }
}

/// The deployer's client-secret credentials.
const DEPLOYER: [(&str, &str); 3] = [
    ("AZURE_CLIENT_ID", demo::CLIENT_ID),
    ("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET),
    ("AZURE_TENANT_ID", demo::TENANT_ID),
];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
    fn assert(&self, code: i32, needles: &[&str]) -> &Run {
        assert_eq!(self.code, code, "exit code\n{}", self.all());
        for n in needles {
            assert!(self.all().contains(n), "missing {n:?} in\n{}", self.all());
        }
        self
    }
}

impl Env {
    /// `verify` on `subscription` with a clean environment: only PATH, HOME,
    /// SSL_CERT_FILE and `vars`.
    fn verify(&self, vars: &[(&str, &str)], subscription: &str, extra: &[&str]) -> Run {
        self.verify_at(
            vars,
            subscription,
            extra,
            "/usr/bin:/bin",
            &self.emu.base_url(),
        )
    }

    fn verify_path(
        &self,
        vars: &[(&str, &str)],
        subscription: &str,
        extra: &[&str],
        path: &str,
    ) -> Run {
        self.verify_at(vars, subscription, extra, path, &self.emu.base_url())
    }

    fn verify_at(
        &self,
        vars: &[(&str, &str)],
        subscription: &str,
        extra: &[&str],
        path: &str,
        arm: &str,
    ) -> Run {
        let base = self.emu.base_url();
        let mut cmd = Command::cargo_bin("cloudstudio-azure").expect("binary");
        cmd.env_clear()
            .current_dir(self.dir.path())
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("SSL_CERT_FILE", self.emu.ca_pem_path())
            .args(["verify", "--cloud", "custom", "--authority-host", &base])
            .args(["--arm-endpoint", arm, "--subscription-id", subscription])
            .args(extra)
            .timeout(Duration::from_secs(90));
        for (k, v) in vars {
            cmd.env(k, v);
        }
        let started = Instant::now();
        let out: Output = cmd.output().expect("runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            took: started.elapsed(),
        }
    }

    fn count(&self, route: Route) -> usize {
        self.emu
            .requests()
            .iter()
            .filter(|r| r.route == route)
            .count()
    }

    fn oidc_vars(&self, client_id: &'static str) -> Vec<(&'static str, String)> {
        vec![
            ("AZURE_CLIENT_ID", client_id.to_owned()),
            ("AZURE_TENANT_ID", demo::TENANT_ID.to_owned()),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", self.emu.oidc_request_url()),
            (
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                self.emu.oidc_request_token(),
            ),
        ]
    }
}

fn with(
    vars: &[(&'static str, &'static str)],
    over: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    let mut v: Vec<_> = vars
        .iter()
        .filter(|(k, _)| !over.iter().any(|(o, _)| o == k))
        .copied()
        .collect();
    v.extend_from_slice(over);
    v
}

fn borrow<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

fn fault(route: FaultRoute) -> Fault {
    Fault {
        route,
        ..Fault::default()
    }
}

#[test]
fn contributor_passes_with_one_token_request() {
    let env = start(Scenario::demo());
    let run = env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[]);
    run.assert(
        0,
        &[
            "✓ token",
            "✓ subscription",
            "Contoso Production",
            "✓ tenant",
            "✓ role",
            "Contributor-level",
        ],
    );
    assert_eq!(env.count(Route::Token), 1);
    assert_eq!(env.count(Route::Subscription), 1);
    assert_eq!(env.count(Route::Permissions), 1);
}

#[test]
fn owner_passes_and_json_is_stable() {
    let mut scenario = Scenario::demo();
    scenario.role_assignments.push(RoleAssignment {
        principal: demo::READER_CLIENT_ID.into(),
        subscription: demo::STAGE_SUBSCRIPTION_ID.into(),
        role: Role::Owner,
    });
    let env = start(scenario);
    let reader = [
        ("AZURE_CLIENT_ID", demo::READER_CLIENT_ID),
        ("AZURE_CLIENT_SECRET", demo::READER_SECRET),
        ("AZURE_TENANT_ID", demo::TENANT_ID),
    ];
    let run = env.verify(&reader, demo::STAGE_SUBSCRIPTION_ID, &["--output", "json"]);
    run.assert(0, &[]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json on stdout");
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["source"], "azure-env");
    assert_eq!(doc["environment"], "development");
    assert_eq!(doc["subscription_id"], demo::STAGE_SUBSCRIPTION_ID);
    let checks = doc["checks"].as_array().expect("checks");
    let names: Vec<_> = checks
        .iter()
        .map(|c| c["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["token", "subscription", "tenant", "role"]);
    assert!(
        checks[3]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("Owner-level")
    );
}

/// Variables for one run.
type Vars = Vec<(&'static str, &'static str)>;

#[test]
fn entra_refusals_name_cause_and_fix() {
    let env = start(Scenario::demo());
    let cases: Vec<(Vars, &[&str])> = vec![
        (
            with(
                &DEPLOYER,
                &[("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET_ID)],
            ),
            &[
                "✗ token",
                "secret *value* was expected",
                "AADSTS7000215",
                "Certificates & secrets",
                "AZURE_CLIENT_SECRET",
                "- role",
            ],
        ),
        (
            with(
                &DEPLOYER,
                &[
                    ("AZURE_CLIENT_ID", demo::EXPIRED_CLIENT_ID),
                    ("AZURE_CLIENT_SECRET", demo::EXPIRED_SECRET),
                ],
            ),
            &["client secret has expired", "New client secret"],
        ),
        (
            with(&DEPLOYER, &[("AZURE_TENANT_ID", demo::OTHER_TENANT_ID)]),
            &["was not found in the tenant", "AZURE_TENANT_ID"],
        ),
        (
            with(
                &DEPLOYER,
                &[("AZURE_TENANT_ID", "00000000-0000-4000-8000-000000000000")],
            ),
            &["was not found in this cloud", "AADSTS90002"],
        ),
    ];
    for (vars, needles) in cases {
        env.verify(&vars, demo::PROD_SUBSCRIPTION_ID, &[])
            .assert(3, needles);
    }
    // Every refusal stopped at the token: Resource Manager was never asked.
    assert_eq!(env.count(Route::Subscription), 0);
}

#[test]
fn malformed_tenant_and_wrong_resource() {
    let env = start(Scenario::demo().with_fault(Fault {
        code: Some("900023".into()),
        ..fault(FaultRoute::Token)
    }));
    env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(3, &["malformed", "Directory (tenant) ID"]);

    // A Resource Manager this tenant does not know (wrong cloud): AADSTS500011.
    let env = start(Scenario::demo());
    let run = env.verify_at(
        &DEPLOYER,
        demo::PROD_SUBSCRIPTION_ID,
        &[],
        "/usr/bin:/bin",
        "https://127.0.0.1:1",
    );
    run.assert(3, &["wrong cloud", "AADSTS500011", "--cloud"]);
}

#[test]
fn oidc_success_and_subject_mismatch() {
    let env = start(Scenario::demo());
    let vars = env.oidc_vars(demo::OIDC_CLIENT_ID);
    env.verify(&borrow(&vars), demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(0, &["GitHub OIDC token", demo::GITHUB_SUBJECT, "✓ role"]);
    assert_eq!(env.count(Route::Oidc), 1);
    assert_eq!(env.count(Route::Token), 1);

    for (subject, needles) in [
        (
            "repo:contoso/infra:ref:refs/heads/feature",
            &[
                "no federated credential",
                "repo:contoso/infra:ref:refs/heads/feature",
                "Federated credentials > Add credential",
            ][..],
        ),
        (
            "repo:Contoso/infra:ref:refs/heads/main",
            &["case-sensitive", "repo:Contoso/infra:ref:refs/heads/main"][..],
        ),
    ] {
        let mut scenario = Scenario::demo();
        if let Some(o) = scenario.github_oidc.as_mut() {
            o.subject = subject.into();
        }
        let env = start(scenario);
        let vars = env.oidc_vars(demo::OIDC_CLIENT_ID);
        env.verify(&borrow(&vars), demo::PROD_SUBSCRIPTION_ID, &[])
            .assert(3, needles);
    }

    let mut scenario = Scenario::demo();
    if let Some(o) = scenario.github_oidc.as_mut() {
        o.expired = true;
    }
    let env = start(scenario);
    let vars = env.oidc_vars(demo::OIDC_CLIENT_ID);
    env.verify(&borrow(&vars), demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(3, &["expired or not yet valid", "AADSTS700024"]);
}

#[test]
fn az_session_token_is_used_as_is() {
    let env = start(Scenario::demo());
    let bin = env.dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let az = bin.join("az");
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho '{{\"accessToken\":\"{}\",\"expires_on\":{expires},\"subscription\":\"{}\",\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}'\n",
            demo::CLI_ACCESS_TOKEN,
            demo::DEV_SUBSCRIPTION_ID,
            demo::TENANT_ID
        ),
    )
    .expect("fake az");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let run = env.verify_path(&[], demo::DEV_SUBSCRIPTION_ID, &[], &path);
    run.assert(0, &["az login", "✓ role"]);
    assert!(!run.all().contains(demo::CLI_ACCESS_TOKEN));
    assert_eq!(
        env.count(Route::Token),
        0,
        "no token request for an az session"
    );
}

#[path = "verify/arm.rs"]
mod arm;
#[path = "verify/network.rs"]
mod network;
