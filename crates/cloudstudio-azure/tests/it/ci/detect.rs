//! Detection as `explain` shows it, and the branch each CI system gives.

use crate::support::world::*;

fn explain(vars: &[(&str, &str)], json: bool) -> crate::support::Run {
    let mut w = World::new();
    azure_env(&mut w);
    for (k, v) in vars {
        w.env(k, v);
    }
    let mut args = vec!["explain"];
    if json {
        args.extend(["--output", "json"]);
    }
    w.run(&args)
}

/// Variables, the `ci:` line, the JSON `ci` key.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, serde_json::Value);

#[test]
fn explain_names_the_ci_system_in_text_and_json() {
    let cases: [Case; 4] = [
        (
            &[("GITHUB_ACTIONS", "true")],
            "GitHub Actions (GITHUB_ACTIONS=true)",
            "github-actions".into(),
        ),
        (
            &[("GITLAB_CI", "true")],
            "GitLab CI (GITLAB_CI=true)",
            "gitlab-ci".into(),
        ),
        (
            &[("TF_BUILD", "True")],
            "Azure DevOps (TF_BUILD=True)",
            "azure-devops".into(),
        ),
        (
            &[("CI", "true"), ("GITLAB_CI", "false")],
            "(none detected)",
            serde_json::Value::Null,
        ),
    ];
    for (vars, text, key) in cases {
        let r = explain(vars, false);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let want = format!("ci:           {text}");
        assert!(
            r.stdout.lines().any(|l| l == want),
            "{want:?} in\n{}",
            r.stdout
        );
        let r = explain(vars, true);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        assert_eq!(doc["ci"], key, "{vars:?}");
    }
}

fn branch(vars: &[(&str, &str)]) -> (serde_json::Value, serde_json::Value, String) {
    let r = explain(vars, true);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    (doc["branch"].clone(), doc["branch_from"].clone(), r.stderr)
}

#[test]
fn gitlab_merge_requests_use_the_source_branch() {
    let (b, from, _) = branch(&[
        ("GITLAB_CI", "true"),
        ("CI_COMMIT_REF_NAME", "refs/merge-requests/7/head"),
        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/x"),
    ]);
    assert_eq!(
        (b, from),
        (
            "feature/x".into(),
            "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME".into()
        )
    );
    let (b, from, _) = branch(&[("GITLAB_CI", "true"), ("CI_COMMIT_REF_NAME", "main")]);
    assert_eq!((b, from), ("main".into(), "CI_COMMIT_REF_NAME".into()));
}

#[test]
fn the_detected_ci_systems_variables_come_first() {
    // A GitLab job started by a GitHub workflow's leftovers: GitLab's own
    // variable names the branch.
    let (b, from, _) = branch(&[
        ("GITLAB_CI", "true"),
        ("GITHUB_REF_NAME", "main"),
        ("CI_COMMIT_REF_NAME", "dev"),
    ]);
    assert_eq!((b, from), ("dev".into(), "CI_COMMIT_REF_NAME".into()));
    let (b, from, _) = branch(&[
        ("TF_BUILD", "True"),
        ("CI_COMMIT_REF_NAME", "dev"),
        ("BUILD_SOURCEBRANCH", "refs/heads/release/2"),
    ]);
    assert_eq!((b, from), ("release/2".into(), "BUILD_SOURCEBRANCH".into()));
    // No CI detected: DESIGN.md's order.
    let (b, _, _) = branch(&[("GITHUB_REF_NAME", "main"), ("CI_COMMIT_REF_NAME", "dev")]);
    assert_eq!(b, "main");
}

#[test]
fn azure_devops_pull_requests_use_the_source_branch_and_distrust_forks() {
    let pr = [
        ("TF_BUILD", "True"),
        ("BUILD_SOURCEBRANCH", "refs/pull/4/merge"),
        ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/main"),
    ];
    let (b, from, err) = branch(&pr);
    assert_eq!(
        (b, from),
        ("main".into(), "SYSTEM_PULLREQUEST_SOURCEBRANCH".into())
    );
    assert!(!err.contains("fork"), "{err}");
    let mut fork = pr.to_vec();
    fork.push(("SYSTEM_PULLREQUEST_ISFORK", "True"));
    let r = explain(&fork, true);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(doc["environment_from"], "default", "{doc}");
    assert!(
        r.stderr.contains("SYSTEM_PULLREQUEST_ISFORK"),
        "{}",
        r.stderr
    );
}

#[test]
fn gitlab_merge_requests_from_other_projects_are_not_trusted() {
    let r = explain(
        &[
            ("GITLAB_CI", "true"),
            ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "main"),
            ("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "99"),
            ("CI_MERGE_REQUEST_PROJECT_ID", "12"),
        ],
        true,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("another project"), "{}", r.stderr);
}
