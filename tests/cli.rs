//! The command line surface: help texts (snapshotted, so any change to the
//! user-facing contract shows up in review) and completions.

mod common;

use common::World;

#[test]
fn help_snapshots() {
    let w = World::new();
    for (name, args) in [
        ("help", vec!["--help"]),
        ("explain_help", vec!["explain", "--help"]),
        ("export_help", vec!["export", "--help"]),
        ("env_help", vec!["env", "--help"]),
    ] {
        let r = w.run(&args);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        insta::assert_snapshot!(name, r.stdout);
    }
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
