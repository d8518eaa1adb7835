//! Point 11: with `--output json` / `-o json` stdout is one JSON document
//! whatever happens; a failure is its `error` key. Flags a command has no
//! use for are refused, not ignored.

use super::*;

fn error_of(r: &Run) -> serde_json::Value {
    let j = r.json();
    let e = j["error"].clone();
    assert!(e.is_object(), "{}", r.stdout);
    e
}

#[test]
fn a_failure_before_anything_was_established_is_the_error_alone() {
    let mut w = World::new();
    w.env("AZURE_CLIENT_ID", CLIENT_ID);
    for cmd in ["verify", "export", "status"] {
        let r = w.run(&[cmd, "-o", "json", "--workdir", "nope"]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        let j = r.json();
        assert_eq!(j.as_object().map(|m| m.len()), Some(1), "{cmd}: {j}");
        let e = error_of(&r);
        assert_eq!(e["exit"], 2);
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
        assert!(e.get("hint").is_some(), "{e}");
        // The message is on stderr too, for people.
        assert!(r.stderr.contains("error: "), "{}", r.stderr);
    }
}

#[test]
fn explain_keeps_what_it_established_beside_the_error() {
    let w = World::new();
    w.fake_az("login");
    w.write(
        "cloudstudio.yml",
        "branches:\n  - match: main\n    environment: production\n",
    );
    let r = w.run(&["explain", "-o", "json", "--branch", "main"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["branch"], "main");
    assert_eq!(j["rule"], "main");
    assert_eq!(j["environment"], "production");
    assert_eq!(j["credential"], "ci-production");
    assert_eq!(j["error"]["exit"], 2);
    assert!(
        j["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("no usable Azure credentials")),
        "{j}"
    );
}

#[test]
fn a_failed_verify_is_one_document_with_its_checks_and_the_error() {
    let mut w = World::new();
    azure_env(&mut w);
    // An authority nobody listens on: a runtime failure (exit 1).
    let r = w.run(&[
        "verify",
        "-o",
        "json",
        "--cloud",
        "custom",
        "--authority-host",
        "https://127.0.0.1:1",
        "--arm-endpoint",
        "https://127.0.0.1:1",
        "--timeout",
        "3",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(error_of(&r)["exit"], 1);
}

#[test]
fn env_speaks_json_with_output_json_and_refuses_a_contradiction() {
    let mut w = World::new();
    azure_env(&mut w);
    w.allow_secret_output = true;
    let r = w.run(&["env", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["AZURE_CLIENT_ID"], CLIENT_ID);
    let r = w.run(&["env", "-o", "json", "--shell", "bash"]);
    assert_eq!(r.code, 2);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--shell bash"))
    );
}

#[test]
fn commands_refuse_global_flags_they_have_no_use_for() {
    let w = World::new();
    for args in [
        &["completions", "bash", "-o", "json"][..],
        &["completions", "bash", "--workdir", "."][..],
        &["demo", "--output", "json"][..],
        &["demo", "--workdir", "."][..],
        &["completions", "zsh", "--config", "cloudstudio.yml"][..],
        &["--config", "cloudstudio.yml", "demo"][..],
    ] {
        let r = w.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("does not apply to"),
            "{args:?}: {}",
            r.stderr
        );
    }
}
