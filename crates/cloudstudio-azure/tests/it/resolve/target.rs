//! Config, branch rules, the target, `explain`.

use super::*;

const CONFIG: &str = "
credential: shared
environments:
  production: { subscription_id: 11111111-1111-1111-1111-111111111111, credential: ci-prod }
  staging: { subscription_id: 33333333-3333-3333-3333-333333333333 }
branches:
  - match: main
    environment: production
  - match: \"release/**\"
    environment: stage
    subscription_id: 22222222-2222-2222-2222-222222222222
  - match: \"feature/*\"
    environment: dev
    credential: features
";

fn with_config(branch_env: &[(&str, &str)]) -> Run {
    let mut w = World::new();
    azure_env(&mut w);
    w.write("cloudstudio.yml", CONFIG);
    for (k, v) in branch_env {
        w.env(k, v);
    }
    explain(&w, &[])
}

#[test]
fn branch_rules_pick_the_target() {
    let r = with_config(&[("GITHUB_REF_NAME", "main")]);
    let j = r.json();
    assert_eq!(j["rule"], "main");
    assert_eq!(j["environment"], "production");
    assert_eq!(j["environment_from"], "rule");
    assert_eq!(j["subscription_id"], "11111111-1111-1111-1111-111111111111");
    assert_eq!(j["subscription_from"], "environment");
    assert_eq!(j["credential"], "ci-prod");

    let j = with_config(&[("GITHUB_REF", "refs/heads/release/2.0/rc1")]).json();
    assert_eq!(j["rule"], "release/**");
    assert_eq!(j["environment"], "stage");
    assert_eq!(j["subscription_id"], "22222222-2222-2222-2222-222222222222");
    assert_eq!(j["subscription_from"], "rule");
    assert_eq!(j["credential"], "shared");

    let j = with_config(&[("CI_COMMIT_REF_NAME", "feature/login")]).json();
    assert_eq!(j["environment"], "development");
    assert_eq!(j["credential"], "features");
    assert_eq!(j["subscription_from"], "source");

    // `*` does not cross `/`: no rule, default environment.
    let j = with_config(&[("CI_COMMIT_REF_NAME", "feature/a/b")]).json();
    assert_eq!(j["rule"], serde_json::Value::Null);
    assert_eq!(j["environment"], "development");
    assert_eq!(j["environment_from"], "default");
}

#[test]
fn flags_override_rules() {
    let mut w = World::new();
    azure_env(&mut w).env("GITHUB_REF_NAME", "main");
    w.write("cloudstudio.yml", CONFIG);
    let j = explain(
        &w,
        &[
            "--environment",
            "staging",
            "--credential",
            "mine",
            "--subscription-id",
            SUB_3,
        ],
    )
    .json();
    assert_eq!(j["environment"], "stage");
    assert_eq!(j["environment_from"], "flag");
    assert_eq!(j["credential"], "mine");
    assert_eq!(j["subscription_id"], SUB_3);
    assert_eq!(j["subscription_from"], "flag");
}

#[test]
fn branch_sources_in_order() {
    let cases: &[BranchCase] = &[
        (
            &[
                ("GITHUB_HEAD_REF", "feature/pr"),
                ("GITHUB_REF_NAME", "7/merge"),
                ("GITHUB_REF", "refs/pull/7/merge"),
            ],
            "feature/pr",
            "GITHUB_HEAD_REF",
        ),
        (
            &[("GITHUB_REF_NAME", "main"), ("CI_COMMIT_REF_NAME", "x")],
            "main",
            "GITHUB_REF_NAME",
        ),
        (&[("GITHUB_REF", "refs/tags/v1.0")], "v1.0", "GITHUB_REF"),
        (
            &[
                ("CI_COMMIT_REF_NAME", "dev"),
                ("BUILD_SOURCEBRANCH", "refs/heads/x"),
            ],
            "dev",
            "CI_COMMIT_REF_NAME",
        ),
        (
            &[
                ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/topic"),
                ("BUILD_SOURCEBRANCH", "refs/pull/3/merge"),
            ],
            "topic",
            "SYSTEM_PULLREQUEST_SOURCEBRANCH",
        ),
        (
            &[("BUILD_SOURCEBRANCH", "refs/heads/release/1")],
            "release/1",
            "BUILD_SOURCEBRANCH",
        ),
    ];
    for (envs, branch, from) in cases {
        let j = with_config(envs).json();
        assert_eq!(j["branch"], *branch, "{envs:?}");
        assert_eq!(j["branch_from"], *from, "{envs:?}");
    }
    let mut w = World::new();
    azure_env(&mut w).env("GITHUB_REF_NAME", "main");
    let j = explain(&w, &["--branch", "refs/heads/hotfix"]).json();
    assert_eq!(j["branch"], "hotfix");
    assert_eq!(j["branch_from"], "flag");
}

#[test]
fn a_pull_ref_alone_is_not_a_branch() {
    let j = with_config(&[
        ("GITHUB_REF", "refs/pull/12/merge"),
        ("GITHUB_REF_NAME", "12/merge"),
    ])
    .json();
    assert_eq!(j["branch"], serde_json::Value::Null);
}

#[test]
fn local_git_head_and_detached_head() {
    let mut w = World::new();
    azure_env(&mut w);
    w.write(".git/HEAD", "ref: refs/heads/release/9\n");
    w.write("cloudstudio.yml", CONFIG);
    std::fs::create_dir_all(w.path().join("sub/dir")).expect("mkdir");
    let r = w.run_in(
        &w.path().join("sub/dir"),
        &[
            "explain",
            "--output",
            "json",
            "--config",
            "../../cloudstudio.yml",
        ],
    );
    let j = r.json();
    assert_eq!(j["branch"], "release/9");
    assert_eq!(j["branch_from"], "git");
    assert_eq!(j["environment"], "stage");

    w.write(".git/HEAD", "4b825dc642cb6eb9a060e54bf8d69288fbee4904\n");
    let r = w.run(&["explain"]);
    assert!(r.stdout.contains("detached"), "{}", r.stdout);
}

#[test]
fn config_is_found_in_the_workdir_and_its_workdir_key_is_relative() {
    let mut w = World::new();
    azure_env(&mut w).env("GITHUB_REF_NAME", "main");
    w.write("wd/azure/.keep", "");
    w.write("wd/cloudstudio.yaml", "environments:\n  prod: { credential: from-workdir }\nbranches:\n  - { match: main, environment: prod }\n");
    let j = explain(&w, &["--workdir", "wd"]).json();
    assert_eq!(j["credential"], "from-workdir");
    assert!(
        j["config"]
            .as_str()
            .expect("path")
            .ends_with("wd/cloudstudio.yaml")
    );

    let mut w = World::new();
    azure_env(&mut w);
    w.write(".cloudstudio.yml", "credential: dotfile\n");
    assert_eq!(explain(&w, &[]).json()["credential"], "dotfile");
}

#[test]
fn config_errors_point_at_the_line() {
    let cases = [
        (
            "environments:\n  production:\n    subscription: 11111111-1111-1111-1111-111111111111\n",
            "line 3",
            "unknown field `subscription`",
        ),
        (
            "branches:\n  - match: main\n    environment: production\n    subscription_id: 1234\n",
            "line 4",
            "not a GUID",
        ),
        (
            "environments:\n  qa: {}\n",
            "line 2",
            "unknown variant `qa`",
        ),
        (
            "branches:\n  - match: main\n    environment: preprod\n",
            "line 3",
            "unknown variant `preprod`",
        ),
        (
            "workdir: .\nbranchs: []\n",
            "line 2",
            "unknown field `branchs`",
        ),
        (
            "branches:\n  - match: \"[oops\"\n",
            "line 2",
            "invalid branch pattern",
        ),
    ];
    for (text, line, what) in cases {
        let mut w = World::new();
        azure_env(&mut w);
        w.write("cloudstudio.yml", text);
        let r = w.run(&["explain"]);
        assert_eq!(r.code, 2, "{text}");
        assert!(
            r.stderr.contains(&format!("cloudstudio.yml: {line}")),
            "{line} for {text:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(what), "{what}: {}", r.stderr);
    }
}

#[test]
fn missing_explicit_config_is_an_error() {
    let mut w = World::new();
    azure_env(&mut w);
    let r = w.run(&["explain", "--config", "nope.yml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nope.yml does not exist"), "{}", r.stderr);
}

#[test]
fn no_subscription_anywhere_exits_2_after_explaining() {
    let mut w = World::new();
    azure_env(&mut w).env("AZURE_SUBSCRIPTION_ID", "");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("subscription: (none)"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("no subscription for environment development"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_json_has_the_stable_keys() {
    let mut w = World::new();
    azure_env(&mut w);
    let j = explain(&w, &[]).json();
    let keys: Vec<&str> = j
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "source",
        "skipped",
        "client_id",
        "tenant_id",
        "subscription_id",
        "subscription_from",
        "branch",
        "branch_from",
        "rule",
        "environment",
        "environment_from",
        "credential",
        "has_secret",
    ] {
        assert!(keys.contains(&k), "missing key {k}");
    }
}

#[test]
fn github_actions_masks_come_first() {
    let mut w = World::new();
    azure_env(&mut w)
        .env("GITHUB_ACTIONS", "true")
        .env("AZURE_CLIENT_SECRET", &format!("{SECRET}\n"));
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Workflow-command data is escaped (`%` as `%25`): the runner unescapes it.
    let escaped = SECRET.replace('%', "%25");
    assert_eq!(
        r.stdout.lines().next(),
        Some(format!("::add-mask::{escaped}").as_str())
    );
    // Warnings become annotations, after the mask.
    assert!(
        r.stdout
            .contains("::warning title=cloudstudio-azure::AZURE_CLIENT_SECRET: whitespace"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.is_empty(),
        "nothing on stderr before or besides: {}",
        r.stderr
    );
}

#[test]
fn github_actions_errors_are_annotations() {
    let mut w = World::new();
    w.env("GITHUB_ACTIONS", "true")
        .env("AZURE_CLIENT_ID", CLIENT_ID);
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    // The target explain could establish, then the one annotation, last.
    assert!(
        r.stdout.lines().last().is_some_and(
            |l| l.starts_with("::error title=Azure credentials::azure-env is incomplete")
        ),
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("::error").count(), 1, "{}", r.stdout);
}

#[test]
fn usage_errors_exit_2() {
    let w = World::new();
    let r = w.run(&["explain", "--environment", "qa"]);
    assert_eq!(r.code, 2);
    let r = w.run(&["explain", "--credential", "../etc/passwd"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not a valid credential name"),
        "{}",
        r.stderr
    );
}
