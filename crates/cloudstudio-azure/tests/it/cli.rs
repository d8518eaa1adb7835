//! The command line surface: help texts (snapshotted, so any change to the
//! user-facing contract shows up in review) and completions.

use crate::support::world::{self as common, World};

#[test]
fn help_snapshots() {
    let w = World::new();
    for (name, args) in [
        ("help", vec!["--help"]),
        ("explain_help", vec!["explain", "--help"]),
        ("export_help", vec!["export", "--help"]),
        ("env_help", vec!["env", "--help"]),
        ("cleanup_help", vec!["cleanup", "--help"]),
    ] {
        let r = w.run(&args);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        insta::assert_snapshot!(name, r.stdout);
    }
}

/// The GitHub Action passes its inputs as `CLOUDSTUDIO_*` variables, never
/// as arguments: each one must land where its flag would.
#[test]
fn target_and_cloud_flags_fall_back_to_cloudstudio_variables() {
    let mut w = World::new();
    common::azure_env(&mut w)
        .env("CLOUDSTUDIO_ENVIRONMENT", "prod")
        .env("CLOUDSTUDIO_BRANCH", "release/7")
        .env("CLOUDSTUDIO_CREDENTIAL", "ci-from-env")
        .env("CLOUDSTUDIO_SUBSCRIPTION_ID", common::SUB_2)
        .env("CLOUDSTUDIO_CLOUD", "usgovernment");
    let r = w.run(&["explain", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["environment"], "production");
    assert_eq!(j["environment_from"], "flag");
    assert_eq!(j["branch"], "release/7");
    assert_eq!(j["branch_from"], "flag");
    assert_eq!(j["credential"], "ci-from-env");
    assert_eq!(j["subscription_id"], common::SUB_2);
    assert_eq!(j["subscription_from"], "flag");

    // A flag still beats its variable.
    let r = w.run(&["explain", "--output", "json", "--environment", "stage"]);
    assert_eq!(r.json()["environment"], "stage");

    // Values are validated like the flags' (exit 2, nothing done).
    w.env("CLOUDSTUDIO_REQUIRE", "owner");
    let r = w.run(&["verify"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--require"), "{}", r.stderr);
}

/// CI systems hand unused inputs over as empty variables: an empty
/// `CLOUDSTUDIO_*` is unset (the flag's default), not a missing value.
#[test]
fn empty_cloudstudio_variables_count_as_unset() {
    let mut w = World::new();
    common::azure_env(&mut w);
    for name in [
        "CLOUDSTUDIO_ENVIRONMENT",
        "CLOUDSTUDIO_SOURCE",
        "CLOUDSTUDIO_CLOUD",
        "CLOUDSTUDIO_REQUIRE",
        "CLOUDSTUDIO_BRANCH",
        "CLOUDSTUDIO_LOCK_TIMEOUT",
    ] {
        w.env(name, "");
    }
    let r = w.run(&["explain", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["environment"], "development");
    std::fs::create_dir_all(w.path().join("azure")).expect("make the workdir");
    let r = w.run(&["export", "--dry-run", "--no-verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A value that is there is still validated.
    w.env("CLOUDSTUDIO_ENVIRONMENT", "nowhere");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn completions_for_bash() {
    let w = World::new();
    let r = w.run(&["completions", "bash"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("cloudstudio-azure"), "{}", r.stdout);
    assert!(r.stdout.contains("--client-secret-stdin"));
}

#[test]
fn version() {
    let r = World::new().run(&["--version"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("cloudstudio-azure "), "{}", r.stdout);
}

#[test]
fn demo_runs_offline_and_exits_0() {
    let w = World::new();
    let r = w.run(&["demo"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("created "), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("set current for production: ci-production"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("unchanged "),
        "second run changes nothing: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("✗ role"),
        "the Reader-only example: {}",
        r.stdout
    );
    // The demo's own secrets are public constants, but still never printed.
    assert!(!r.both().contains(azure_emulator::demo::CLIENT_SECRET));
    assert!(!r.both().contains(azure_emulator::demo::READER_SECRET));
    let dir = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("Files: "))
        .expect("files line");
    let file = std::path::Path::new(dir).join("ci-production.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(v["client_id"], azure_emulator::demo::CLIENT_ID);
    let root = std::path::Path::new(dir)
        .ancestors()
        .nth(3)
        .expect("demo root");
    std::fs::remove_dir_all(root).expect("clean up the demo's temp dir");
}
