//! `init` through the binary against the emulator, over a fake `az`
//! session handing out the demo user's token: a fresh create, the re-run
//! that changes nothing, `--dry-run`, partial states completed, the
//! replication wait, each permission failure, federation; no secret (the
//! session token, the new client secret) in any output.

mod federated;
mod partial;

use crate::support::emu::{Emu, assert_exit};
use crate::support::world::World;
use crate::support::{Az, Run, fake_az};
use azure_emulator::demo;
use serde_json::Value;
use std::path::PathBuf;

/// A world trusting `emu`, with a CloudStudio workdir (`azure/`) as its
/// current directory and a fake `az` logged in as the demo user.
pub fn world(emu: &Emu) -> World {
    let w = emu.world();
    std::fs::create_dir(w.path().join("azure")).expect("workdir");
    fake_az(
        &w.path().join("bin"),
        Az::Session {
            token: demo::CLI_ACCESS_TOKEN,
            subscription: demo::PROD_SUBSCRIPTION_ID,
            tenant: demo::TENANT_ID,
        },
    );
    w
}

/// `init` pointed at `emu` for `subscription`, production, then `extra`.
pub fn args(emu: &Emu, subscription: &str, extra: &[&str]) -> Vec<String> {
    let base = emu.emu.base_url();
    let graph = format!("{base}/graph");
    let mut a: Vec<String> = [
        "init",
        "--subscription-id",
        subscription,
        "--environment",
        "production",
        "--cloud",
        "custom",
        "--authority-host",
        &base,
        "--arm-endpoint",
        &base,
        "--graph-endpoint",
        &graph,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Runs `init`; asserts that neither the session token nor any secret in
/// the exported credential file reached stdout or stderr.
pub fn init(emu: &Emu, w: &World, subscription: &str, extra: &[&str]) -> Run {
    let args = args(emu, subscription, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = w.run(&args);
    emu.assert_no_leak(&run, &args);
    if let Some(secret) = credential(w)["client_secret"].as_str() {
        // Only GitHub's mask command may carry it.
        let printed = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .any(|l| l.contains(secret) && !l.starts_with("::add-mask::"));
        assert!(
            !printed,
            "the new client secret was printed:\n{}",
            run.both()
        );
    }
    run
}

pub fn credential_path(w: &World) -> PathBuf {
    w.path().join("azure/secrets/ci-production.json")
}

/// The exported credential file (`Null` when there is none).
pub fn credential(w: &World) -> Value {
    std::fs::read(credential_path(w))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null)
}

/// Graph and Resource Manager writes the emulator received so far.
pub fn writes(emu: &Emu) -> Vec<String> {
    emu.emu
        .requests()
        .iter()
        .filter(|r| ["POST", "PUT", "PATCH", "DELETE"].contains(&r.method.as_str()))
        .filter(|r| !r.path.contains("/oauth2/"))
        .map(|r| format!("{} {} {}", r.method, r.path, r.status))
        .collect()
}

/// The step lines (`  <action> <object> <detail>`) of a run's stdout,
/// action and object only: the ids are random.
pub fn steps(run: &Run) -> Vec<String> {
    steps_in(&run.stdout)
}

pub fn steps_in(stdout: &str) -> Vec<String> {
    const OBJECTS: [&str; 6] = [
        "application",
        "service principal",
        "client secret",
        "federated credential",
        "role assignment",
        "credential file",
    ];
    stdout
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("  ")?;
            let action = l.get(..14)?.trim();
            let object = l.get(15..36)?.trim();
            OBJECTS
                .contains(&object)
                .then(|| format!("{action} {object}"))
        })
        .collect()
}

#[test]
fn fresh_create_then_rerun_changes_nothing() {
    let emu = Emu::demo();
    let w = world(&emu);
    let first = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-infra-prod"],
    );
    assert_exit(&first, 0);
    assert_eq!(
        steps(&first),
        [
            "created application",
            "created service principal",
            "assigned role assignment",
            "added client secret",
        ],
        "{}",
        first.both()
    );
    let file = credential(&w);
    let client_id = file["client_id"].as_str().expect("client id");
    assert_eq!(file["tenant_id"], demo::TENANT_ID);
    assert_eq!(file["subscription_id"], demo::PROD_SUBSCRIPTION_ID);
    assert!(
        file["client_secret"]
            .as_str()
            .is_some_and(|s| s.len() >= 30)
    );
    // Verified with the new credential, exported, then the next steps.
    for line in [
        "✓ role         Contributor-level",
        "set current for production: ci-production",
        "gh secret set AZURE_CREDENTIALS < ",
        "creds: ${{ secrets.AZURE_CREDENTIALS }}",
    ] {
        assert!(first.stdout.contains(line), "{line}:\n{}", first.both());
    }
    assert!(
        first.stderr.contains("init: app 'ci-infra-prod' (--name)"),
        "{}",
        first.stderr
    );
    // One token per resource, from the az session.
    let calls = w.az_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls[1].contains("--resource https://") && calls[1].contains("/graph"));

    let before = writes(&emu);
    let bytes = std::fs::read(credential_path(&w)).expect("file");
    let again = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-infra-prod"],
    );
    assert_exit(&again, 0);
    assert_eq!(
        steps(&again),
        [
            "reused application",
            "reused service principal",
            "present role assignment",
            "reused client secret",
        ],
        "{}",
        again.both()
    );
    assert_eq!(writes(&emu), before, "the re-run wrote to Azure");
    assert_eq!(std::fs::read(credential_path(&w)).expect("file"), bytes);
    assert!(again.stdout.contains("unchanged "), "{}", again.stdout);
    assert!(again.stdout.contains(client_id));
}

#[test]
fn rerun_without_the_exported_file_adds_a_secret_and_says_why() {
    let emu = Emu::demo();
    let w = world(&emu);
    assert_exit(
        &init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &["--name", "ci-x"]),
        0,
    );
    let old = credential(&w)["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    // Another app's secret in the file: not reusable for this app.
    std::fs::write(
        credential_path(&w),
        format!(
            r#"{{"client_id":"{}","client_secret":"{}","tenant_id":"{}","subscription_id":"{}"}}"#,
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            demo::TENANT_ID,
            demo::PROD_SUBSCRIPTION_ID
        ),
    )
    .expect("write");
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-x", "--force"],
    );
    assert_exit(&run, 0);
    assert_eq!(steps(&run)[3], "added client secret", "{}", run.both());
    assert!(run.stdout.contains("cannot be read back"), "{}", run.stdout);
    let new = credential(&w)["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_ne!(new, old);
    assert!(!run.stdout.contains(&old) && !run.stderr.contains(&old));
}

#[test]
fn dry_run_lists_everything_and_writes_nothing() {
    let emu = Emu::demo();
    let w = world(&emu);
    let run = init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &["--dry-run"]);
    assert_exit(&run, 0);
    assert_eq!(
        steps(&run),
        [
            "would create application",
            "would create service principal",
            "would assign role assignment",
            "would add client secret",
            "would write credential file",
        ],
        "{}",
        run.both()
    );
    assert!(
        run.stdout
            .contains("dry run: nothing was created or written")
    );
    // The default name says where it comes from.
    assert!(
        run.stderr.contains("named after the workdir folder"),
        "{}",
        run.stderr
    );
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    assert!(!w.path().join("azure/secrets").exists());

    // After a real run, the dry run reuses everything.
    assert_exit(&init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &[]), 0);
    let before = writes(&emu);
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--dry-run", "-o", "json"],
    );
    assert_exit(&run, 0);
    assert_eq!(writes(&emu), before);
    let doc = run.json();
    let actions: Vec<&str> = doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["action"].as_str().expect("action"))
        .collect();
    assert_eq!(actions, ["reused", "reused", "present", "reused"]);
    assert_eq!(doc["dry_run"], true);
}

#[test]
fn bad_input_is_refused_before_any_call() {
    let emu = Emu::demo();
    let w = world(&emu);
    for (extra, needle) in [
        (&["--secret-expiry", "3y"][..], "more than Entra ID allows"),
        (
            &["--federated", "github:acme"][..],
            "is not github:OWNER/REPO",
        ),
        (&["--name", ""][..], "--name must be"),
    ] {
        let run = init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, extra);
        assert_exit(&run, 2);
        assert!(run.stderr.contains(needle), "{extra:?}: {}", run.stderr);
    }
    let run = init(&emu, &w, "not-a-guid", &[]);
    assert_exit(&run, 2);
    assert!(w.az_calls().is_empty(), "{:?}", w.az_calls());
    assert!(emu.emu.requests().is_empty());
}

#[test]
fn show_secret_prints_it_once_on_request() {
    let emu = Emu::demo();
    let w = world(&emu);
    let args = args(&emu, demo::PROD_SUBSCRIPTION_ID, &["--show-secret"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = w.bin_in(w.path(), &args).allow_secret_output().run();
    assert_exit(&run, 0);
    let secret = credential(&w)["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert_eq!(run.stdout.matches(&secret).count(), 1, "{}", run.stdout);
    assert!(run.stderr.contains("--show-secret"));
}

#[test]
fn init_help_snapshot() {
    let w = World::new();
    let r = w.run(&["init", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("init_help", r.stdout);
}

#[cfg(all(unix, feature = "emulator"))]
#[test]
fn demo_has_an_init_scene_that_creates_then_reuses() {
    let w = World::new();
    let r = w.run(&["demo"]);
    assert_exit(&r, 0);
    let scene = r
        .stdout
        .split("$ cloudstudio-azure init ")
        .skip(1)
        .map(steps_in)
        .collect::<Vec<_>>();
    assert_eq!(
        scene,
        [
            vec![
                "created application",
                "created service principal",
                "assigned role assignment",
                "added client secret",
            ],
            vec![
                "reused application",
                "reused service principal",
                "present role assignment",
                "reused client secret",
            ],
        ],
        "{}",
        r.stdout
    );
    assert!(!r.both().contains(demo::CLI_ACCESS_TOKEN));
    let dir = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Files: "))
        .expect("files line");
    let file: Value = serde_json::from_slice(
        &std::fs::read(std::path::Path::new(dir).join("ci-development.json")).expect("read"),
    )
    .expect("json");
    let secret = file["client_secret"].as_str().expect("secret");
    assert!(!r.both().contains(secret), "the demo printed init's secret");
    let root = std::path::Path::new(dir)
        .ancestors()
        .nth(3)
        .expect("demo root");
    std::fs::remove_dir_all(root).expect("clean up the demo's temp dir");
}

#[test]
fn in_github_actions_the_new_secret_is_masked_before_it_is_used() {
    let emu = Emu::demo();
    let mut w = world(&emu);
    let github = w.path().join("gh");
    std::fs::create_dir(&github).expect("gh dir");
    for (k, f) in [
        ("GITHUB_ENV", "env"),
        ("GITHUB_OUTPUT", "output"),
        ("GITHUB_STEP_SUMMARY", "summary"),
    ] {
        w.env(k, github.join(f).to_str().expect("utf-8"));
    }
    w.env("GITHUB_ACTIONS", "true");
    let run = init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &["--name", "ci-gh"]);
    assert_exit(&run, 0);
    let secret = credential(&w)["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let mask = format!("::add-mask::{secret}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines.iter().position(|l| *l == mask).expect("masked");
    let added = lines
        .iter()
        .position(|l| l.contains("client secret"))
        .expect("step");
    assert!(at < added, "{}", run.stdout);
    // The job's environment gets it for later steps (masked above).
    let env = std::fs::read_to_string(github.join("env")).expect("GITHUB_ENV");
    assert!(env.contains("AZURE_CLIENT_SECRET<<"));
}

/// A refusal `export` would make after the Azure writes (here a bad
/// existing file) comes first: nothing is created, no secret is orphaned.
#[test]
fn a_bad_workdir_file_refuses_before_anything_is_created() {
    let emu = Emu::demo();
    let w = world(&emu);
    w.write("azure/secrets/environments.json", "[1]");
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-bad-file"],
    );
    assert_exit(&run, 2);
    assert!(run.stderr.contains("environments.json"), "{}", run.stderr);
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    assert!(w.az_calls().is_empty());
}

#[test]
fn git_guard_refuses_before_anything_is_created() {
    let emu = Emu::demo();
    let w = world(&emu);
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(w.path())
        .status()
        .expect("git");
    assert!(git.success());
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-guarded"],
    );
    assert_exit(&run, 2);
    assert!(
        run.stderr.contains("git would not ignore"),
        "{}",
        run.stderr
    );
    assert!(writes(&emu).is_empty(), "{:?}", writes(&emu));
    assert!(w.az_calls().is_empty());
}
