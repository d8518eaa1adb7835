//! Untrusted branch names: a fork's pull request names its own head branch
//! (here `main`); under `pull_request_target` it would get production's
//! credential and subscription if the name selected the environment.

use crate::support::Run;
use crate::support::work::*;
use serde_json::Value;

const CONFIG: &str = "environments:\n  production: { subscription_id: 44444444-4444-4444-4444-444444444444 }\nbranches:\n  - match: main\n    environment: production\n";

fn explain(event: &str, head_repo: Option<&str>, extra: &[&str]) -> (Run, Value) {
    let w = Work::new();
    std::fs::write(w.root().join("cloudstudio.yml"), CONFIG).expect("config");
    let mut b = with_secret(w.root(), SECRET);
    b.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_HEAD_REF", "main")
        .env("GITHUB_REF", "refs/pull/7/merge")
        .env("GITHUB_REPOSITORY", "contoso/infra");
    if let Some(repo) = head_repo {
        let path = w.root().join("event.json");
        let doc = serde_json::json!({"pull_request": {"head": {"ref": "main", "repo": {"full_name": repo}}}});
        std::fs::write(&path, doc.to_string()).expect("event");
        b.env("GITHUB_EVENT_PATH", &path);
    }
    let r = b.args(["explain", "--output", "json"]).args(extra).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    (r, doc)
}

#[test]
fn a_fork_pull_request_branch_named_main_does_not_select_production() {
    for event in ["pull_request_target", "pull_request"] {
        let (r, doc) = explain(event, Some("mallory/infra"), &[]);
        assert_eq!(doc["environment"], "development", "{event}: {doc}");
        assert_eq!(doc["environment_from"], "default");
        assert_eq!(doc["rule"], Value::Null);
        assert_eq!(doc["subscription_id"], SUB, "not production's subscription");
        assert_eq!(doc["credential"], "ci-development");
        assert!(
            r.stderr.contains("::warning title=cloudstudio-azure::")
                && r.stderr
                    .contains("another repository (mallory/infra, not contoso/infra)")
                && r.stderr.contains("does not select the environment"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_pull_request_the_event_cannot_vouch_for_is_untrusted_too() {
    let (r, doc) = explain("pull_request_target", None, &[]);
    assert_eq!(doc["environment"], "development", "{doc}");
    assert!(r.stderr.contains("does not show that"), "{}", r.stderr);
    // --environment still chooses explicitly.
    let (_, doc) = explain("pull_request_target", None, &["--environment", "stage"]);
    assert_eq!(doc["environment"], "stage", "{doc}");
    assert_eq!(doc["environment_from"], "flag");
}

#[test]
fn a_same_repository_pull_request_keeps_its_branch_rules() {
    let (r, doc) = explain("pull_request", Some("contoso/infra"), &[]);
    assert_eq!(doc["environment"], "production", "{doc}");
    assert_eq!(doc["rule"], "main");
    assert!(!r.stderr.contains("does not select"), "{}", r.stderr);
}

#[test]
fn a_branch_name_with_a_line_break_is_printed_on_one_line() {
    let w = Work::new();
    let r = with_secret(w.root(), SECRET)
        .env("GITHUB_ACTIONS", "true")
        .env(
            "GITHUB_HEAD_REF",
            "feature\n::warning title=spoof::x\u{1b}[31m",
        )
        .arg("explain")
        .run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("feature ::warning title=spoof::x (from GITHUB_HEAD_REF)"),
        "{}",
        r.stdout
    );
    super::assert_no_forged_commands(&r.stdout);
    super::assert_not_a_line(&r.both(), "::warning title=spoof");
}
