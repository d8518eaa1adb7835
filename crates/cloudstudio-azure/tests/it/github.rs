//! GitHub Actions: masks first, GITHUB_ENV / GITHUB_OUTPUT in the runner's
//! heredoc form, the step summary; dry runs write none of them.

use crate::support::work::*;
use std::path::PathBuf;

struct Gh {
    dir: tempfile::TempDir,
}

impl Gh {
    fn new() -> Gh {
        let g = Gh {
            dir: tempfile::tempdir().expect("tmp"),
        };
        std::fs::write(g.path("env"), "EARLIER=kept\n").expect("env");
        std::fs::write(g.path("output"), "").expect("output");
        std::fs::write(g.path("summary"), "").expect("summary");
        g
    }
    fn path(&self, n: &str) -> PathBuf {
        self.dir.path().join(n)
    }
    fn read(&self, n: &str) -> String {
        std::fs::read_to_string(self.path(n)).expect("read")
    }
    fn apply(&self, c: &mut crate::support::Bin) {
        c.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ENV", self.path("env"))
            .env("GITHUB_OUTPUT", self.path("output"))
            .env("GITHUB_STEP_SUMMARY", self.path("summary"));
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn env_output_summary_and_masks_first() {
    let w = Work::new();
    let gh = Gh::new();
    // Trimmed at the ends only; `=` and the inner newline survive.
    let raw = "\n  ab=c\nd=e \n";
    let secret = "ab=c\nd=e";
    let mut c = w.export(raw, &["--environment", "prod"]);
    gh.apply(&mut c);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));

    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("::add-mask::ab=c"), "{out}");
    assert_eq!(lines.next(), Some("::add-mask::d=e"), "{out}");

    let env = parse_env_file(&gh.read("env"));
    assert_eq!(lookup(&env, "EARLIER"), Some("kept"));
    assert_eq!(lookup(&env, "ARM_CLIENT_ID"), Some(CLIENT));
    assert_eq!(lookup(&env, "ARM_CLIENT_SECRET"), Some(secret));
    assert_eq!(lookup(&env, "ARM_TENANT_ID"), Some(TENANT));
    assert_eq!(lookup(&env, "ARM_SUBSCRIPTION_ID"), Some(SUB));
    assert_eq!(lookup(&env, "AZURE_CLIENT_SECRET"), Some(secret));
    assert_eq!(env.len(), 9);
    // A fresh delimiter per value.
    let text = gh.read("env");
    let delims: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.split_once("<<").map(|(_, d)| d))
        .collect();
    assert_eq!(delims.len(), 8);

    let outputs = parse_env_file(&gh.read("output"));
    assert_eq!(lookup(&outputs, "environment"), Some("production"));
    assert_eq!(lookup(&outputs, "subscription-id"), Some(SUB));
    assert_eq!(lookup(&outputs, "tenant-id"), Some(TENANT));
    assert_eq!(lookup(&outputs, "client-id"), Some(CLIENT));
    assert_eq!(lookup(&outputs, "credential"), Some("ci-production"));
    assert_eq!(lookup(&outputs, "source"), Some("azure-env"));

    let summary = gh.read("summary");
    for needle in [
        "| Environment | `production` |",
        SUB,
        TENANT,
        CLIENT,
        "`ci-production`",
        "`azure-env`",
        "ci-production.json",
        "skipped (--no-verify)",
    ] {
        assert!(summary.contains(needle), "{needle} missing in {summary}");
    }
    for f in ["output", "summary"] {
        assert!(!gh.read(f).contains("ab=c"), "secret in {f}");
    }
}

#[test]
fn oidc_and_az_session_variables() {
    let w = Work::new();
    let gh = Gh::new();
    let mut c = bin();
    c.current_dir(w.root())
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_SUBSCRIPTION_ID", SUB)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", "https://token.invalid/x")
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "req-token")
        .args(["export", "--no-verify"]);
    gh.apply(&mut c);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("::add-mask::req-token\n"));
    let env = parse_env_file(&gh.read("env"));
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "EARLIER",
            "ARM_CLIENT_ID",
            "ARM_TENANT_ID",
            "ARM_SUBSCRIPTION_ID",
            "ARM_USE_OIDC",
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_SUBSCRIPTION_ID",
        ]
    );
    assert_eq!(lookup(&env, "ARM_USE_OIDC"), Some("true"));

    #[cfg(unix)]
    {
        let gh = Gh::new();
        let mut c = bin();
        c.current_dir(w.root())
            .env("PATH", fake_az(w.root(), SUB2))
            .args(["export", "--no-verify", "--environment", "stage"]);
        gh.apply(&mut c);
        let o = c.output().expect("run");
        assert!(o.status.success(), "{}", stderr(&o));
        let env = parse_env_file(&gh.read("env"));
        assert_eq!(
            env,
            [
                ("EARLIER".to_owned(), "kept".to_owned()),
                ("ARM_USE_CLI".to_owned(), "true".to_owned()),
                ("ARM_SUBSCRIPTION_ID".to_owned(), SUB2.to_owned()),
                ("AZURE_SUBSCRIPTION_ID".to_owned(), SUB2.to_owned()),
            ]
        );
        assert_eq!(
            lookup(&parse_env_file(&gh.read("output")), "client-id"),
            Some("")
        );
    }
}

#[test]
fn dry_run_writes_no_github_file() {
    let w = Work::new();
    let gh = Gh::new();
    let before = snapshot(gh.dir.path());
    let mut c = w.export(SECRET, &["--dry-run"]);
    gh.apply(&mut c);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(snapshot(gh.dir.path()), before);
    assert!(stdout(&o).contains("would append to GITHUB_ENV"));
    assert!(!w.secrets().exists());
}

#[test]
fn outside_github_actions_nothing_is_written_outside_the_workdir() {
    let w = Work::new();
    let gh = Gh::new();
    let before = snapshot(gh.dir.path());
    let o = w
        .export(SECRET, &[])
        .env("GITHUB_ENV", gh.path("env"))
        .env("GITHUB_OUTPUT", gh.path("output"))
        .output()
        .expect("run");
    assert!(o.status.success());
    assert_eq!(snapshot(gh.dir.path()), before);
    assert!(!stdout(&o).contains("::add-mask::"));
}
