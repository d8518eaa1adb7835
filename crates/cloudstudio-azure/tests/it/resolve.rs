//! Resolution end to end through the binary: every source, every adjacent
//! precedence pair, every error, branch rules and `explain`. Every run is
//! checked for secret leaks by the shared helper.

use crate::support::Run;
use crate::support::world::*;

/// Variables to set, extra arguments, expected text.
type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>, &'a str);
/// Variables to set, expected branch, expected origin.
type BranchCase<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

fn explain(w: &World, extra: &[&str]) -> Run {
    let mut args = vec!["explain", "--output", "json"];
    args.extend_from_slice(extra);
    w.run(&args)
}

fn source_of(r: &Run) -> String {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r.json()["source"].as_str().expect("source").to_owned()
}

fn skipped_reason(r: &Run, source: &str) -> String {
    r.json()["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("{source} not in skipped: {}", r.stdout))["reason"]
        .as_str()
        .expect("reason")
        .to_owned()
}

fn oidc(w: &mut World) -> &mut World {
    w.env(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "https://127.0.0.1:1/token?api-version=2.0",
    )
    .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-request-token")
}

fn creds_json(shape: &str) -> String {
    match shape {
        "azure-login" => format!(
            r#"{{"clientId":"{CLIENT_ID}","clientSecret":{},"tenantId":"{TENANT_ID}","subscriptionId":"{SUB_ID}","resourceManagerEndpointUrl":"https://management.azure.com/"}}"#,
            serde_json::to_string(SECRET).expect("json")
        ),
        "sdk-auth" => format!(
            r#"{{
  "clientId": "{CLIENT_ID}",
  "clientSecret": {},
  "subscriptionId": "{SUB_ID}",
  "tenantId": "{TENANT_ID}",
  "activeDirectoryEndpointUrl": "https://login.microsoftonline.com",
  "resourceManagerEndpointUrl": "https://management.azure.com/",
  "activeDirectoryGraphResourceId": "https://graph.windows.net/",
  "sqlManagementEndpointUrl": "https://management.core.windows.net:8443/",
  "galleryEndpointUrl": "https://gallery.azure.com/",
  "managementEndpointUrl": "https://management.core.windows.net/"
}}"#,
            serde_json::to_string(SECRET).expect("json")
        ),
        "cloudstudio" => format!(
            r#"{{"client_id":"{CLIENT_ID}","client_secret":{},"tenant_id":"{TENANT_ID}","subscription_id":"{SUB_ID}"}}"#,
            serde_json::to_string(SECRET).expect("json")
        ),
        _ => unreachable!(),
    }
}

// ---- each source on its own -------------------------------------------

#[test]
fn flags_with_secret_from_env() {
    let mut w = World::new();
    w.env("AZURE_CLIENT_SECRET", SECRET);
    let r = explain(
        &w,
        &[
            "--client-id",
            CLIENT_ID,
            "--tenant-id",
            TENANT_ID,
            "--subscription-id",
            SUB_ID,
        ],
    );
    assert_eq!(source_of(&r), "flags");
    let j = r.json();
    assert_eq!(j["client_id"], CLIENT_ID);
    assert_eq!(j["subscription_id"], SUB_ID);
    assert_eq!(j["subscription_from"], "flag");
    assert_eq!(j["has_secret"], true);
}

#[test]
fn flags_with_secret_from_stdin() {
    let mut w = World::new();
    w.stdin(&format!("{SECRET}\n"));
    let r = w.run(&[
        "explain",
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_ID,
        "--subscription-id",
        SUB_ID,
        "--client-secret-stdin",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("source:       flags"), "{}", r.stdout);
    assert!(
        r.stderr.contains("whitespace or a line break"),
        "trim warning: {}",
        r.stderr
    );
}

#[test]
fn subscription_flag_alone_is_not_the_flags_source() {
    let mut w = World::new();
    azure_env(&mut w);
    let r = explain(&w, &["--subscription-id", SUB_2]);
    assert_eq!(source_of(&r), "azure-env");
    assert_eq!(r.json()["subscription_id"], SUB_2);
    assert_eq!(r.json()["subscription_from"], "flag");
}

#[test]
fn azure_credentials_in_all_three_shapes() {
    for shape in ["azure-login", "sdk-auth", "cloudstudio"] {
        let mut w = World::new();
        w.env("AZURE_CREDENTIALS", &creds_json(shape));
        let r = explain(&w, &[]);
        assert_eq!(source_of(&r), "azure-credentials", "{shape}");
        let j = r.json();
        assert_eq!(j["client_id"], CLIENT_ID, "{shape}");
        assert_eq!(j["tenant_id"], TENANT_ID, "{shape}");
        assert_eq!(j["subscription_id"], SUB_ID, "{shape}");
        assert_eq!(j["subscription_from"], "source", "{shape}");
    }
}

#[test]
fn creds_file_is_the_json_source() {
    let w = World::new();
    let f = w.write("creds.json", &creds_json("sdk-auth"));
    let r = explain(&w, &["--creds-file", f.to_str().expect("utf8")]);
    assert_eq!(source_of(&r), "azure-credentials");
}

#[test]
fn azure_env_source() {
    let mut w = World::new();
    azure_env(&mut w);
    assert_eq!(source_of(&explain(&w, &[])), "azure-env");
}

#[test]
fn arm_env_source() {
    let mut w = World::new();
    w.env("ARM_CLIENT_ID", CLIENT_ID)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT_ID)
        .env("ARM_SUBSCRIPTION_ID", SUB_ID);
    assert_eq!(source_of(&explain(&w, &[])), "arm-env");
}

#[test]
fn github_oidc_takes_ids_from_each_id_source() {
    for ids in ["flags", "azure", "arm"] {
        let mut w = World::new();
        oidc(&mut w);
        let mut extra: Vec<&str> = vec!["--subscription-id", SUB_ID];
        match ids {
            "flags" => extra.extend(["--client-id", CLIENT_ID, "--tenant-id", TENANT_ID]),
            "azure" => {
                w.env("AZURE_CLIENT_ID", CLIENT_ID)
                    .env("AZURE_TENANT_ID", TENANT_ID);
            }
            _ => {
                w.env("ARM_CLIENT_ID", CLIENT_ID)
                    .env("ARM_TENANT_ID", TENANT_ID);
            }
        }
        let r = explain(&w, &extra);
        assert_eq!(source_of(&r), "github-oidc", "{ids}");
        assert_eq!(r.json()["has_secret"], false);
        assert_eq!(r.json()["client_id"], CLIENT_ID);
    }
}

#[test]
fn az_cli_session_runs_exactly_one_az_process() {
    let w = World::new();
    w.fake_az("ok");
    let r = explain(&w, &[]);
    assert_eq!(source_of(&r), "az-cli");
    let j = r.json();
    assert_eq!(j["tenant_id"], TENANT_ID);
    assert_eq!(j["subscription_id"], SUB_ID);
    assert_eq!(j["client_id"], serde_json::Value::Null);
    assert_eq!(
        w.az_calls(),
        vec!["account get-access-token --output json".to_owned()]
    );
}

#[test]
fn az_cli_is_asked_for_the_targeted_subscription() {
    let w = World::new();
    w.fake_az("ok");
    let r = explain(&w, &["--subscription-id", SUB_2]);
    assert_eq!(source_of(&r), "az-cli");
    assert_eq!(r.json()["subscription_id"], SUB_2);
    assert_eq!(
        w.az_calls(),
        vec![format!(
            "account get-access-token --output json --subscription {SUB_2}"
        )]
    );
}

// ---- adjacent precedence pairs ----------------------------------------

/// One row: the variables (and flags) of two adjacent sources, the winner,
/// and the loser whose skip reason names the winner.
struct Pair {
    vars: Vec<(&'static str, String)>,
    flags: &'static [&'static str],
    winner: &'static str,
    loser: &'static str,
}

fn pairs() -> Vec<Pair> {
    let azure_env = || {
        vec![
            ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
            ("AZURE_CLIENT_SECRET", SECRET.to_owned()),
            ("AZURE_TENANT_ID", TENANT_ID.to_owned()),
            ("AZURE_SUBSCRIPTION_ID", SUB_ID.to_owned()),
        ]
    };
    let oidc_ids = vec![
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://127.0.0.1:1/token?api-version=2.0".to_owned(),
        ),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            OIDC_REQUEST_TOKEN.to_owned(),
        ),
        ("AZURE_CLIENT_ID", CLIENT_ID.to_owned()),
        ("AZURE_TENANT_ID", TENANT_ID.to_owned()),
    ];
    let flags: &[&str] = &[
        "--client-id",
        CLIENT_ID,
        "--tenant-id",
        TENANT_ID,
        "--subscription-id",
        SUB_ID,
    ];
    let mut arm_over_oidc = oidc_ids.clone();
    arm_over_oidc.extend([
        ("ARM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("ARM_CLIENT_SECRET", SECRET.to_owned()),
        ("ARM_TENANT_ID", TENANT_ID.to_owned()),
        ("ARM_SUBSCRIPTION_ID", SUB_ID.to_owned()),
    ]);
    let mut env_over_arm = azure_env();
    env_over_arm.extend([
        ("ARM_CLIENT_ID", CLIENT_ID.to_owned()),
        ("ARM_CLIENT_SECRET", "other-arm-secret".to_owned()),
        ("ARM_TENANT_ID", TENANT_ID.to_owned()),
    ]);
    let mut json_over_env = azure_env();
    json_over_env.push(("AZURE_CREDENTIALS", creds_json("cloudstudio")));
    vec![
        Pair {
            vars: vec![
                ("AZURE_CREDENTIALS", creds_json("azure-login")),
                ("AZURE_CLIENT_SECRET", SECRET.to_owned()),
            ],
            flags,
            winner: "flags",
            loser: "azure-credentials",
        },
        Pair {
            vars: json_over_env,
            flags: &[],
            winner: "azure-credentials",
            loser: "azure-env",
        },
        Pair {
            vars: env_over_arm,
            flags: &[],
            winner: "azure-env",
            loser: "arm-env",
        },
        Pair {
            vars: arm_over_oidc,
            flags: &[],
            winner: "arm-env",
            loser: "github-oidc",
        },
        Pair {
            vars: oidc_ids,
            flags: &["--subscription-id", SUB_ID],
            winner: "github-oidc",
            loser: "az-cli",
        },
    ]
}

#[test]
fn each_source_beats_the_next_one() {
    for pair in pairs() {
        let mut w = World::new();
        // A working az session is on PATH: the winner must not run it.
        w.fake_az("ok");
        for (k, v) in &pair.vars {
            w.env(k, v);
        }
        let r = explain(&w, pair.flags);
        assert_eq!(
            source_of(&r),
            pair.winner,
            "{} over {}",
            pair.winner,
            pair.loser
        );
        let reason = skipped_reason(&r, pair.loser);
        assert!(
            reason.contains(&format!("{} comes first", pair.winner)),
            "{} over {}: {reason}",
            pair.winner,
            pair.loser
        );
        assert!(w.az_calls().is_empty(), "az must not run");
    }
}

#[test]
fn every_source_but_the_winner_is_listed_as_skipped() {
    let mut w = World::new();
    azure_env(&mut w);
    let r = explain(&w, &[]);
    let skipped: Vec<String> = r.json()["skipped"]
        .as_array()
        .expect("array")
        .iter()
        .map(|s| s["source"].as_str().expect("str").to_owned())
        .collect();
    assert_eq!(
        skipped,
        [
            "flags",
            "azure-credentials",
            "arm-env",
            "github-oidc",
            "az-cli"
        ]
    );
}

// ---- incomplete, empty and invalid sources ----------------------------

#[test]
fn incomplete_sources_name_what_is_missing_and_do_not_fall_through() {
    let cases: Vec<Case> = vec![
        (
            vec![("AZURE_CLIENT_ID", CLIENT_ID)],
            vec![],
            "azure-env is incomplete: missing AZURE_TENANT_ID, AZURE_CLIENT_SECRET",
        ),
        (
            vec![("ARM_CLIENT_SECRET", SECRET)],
            vec![],
            "arm-env is incomplete: missing ARM_CLIENT_ID, ARM_TENANT_ID",
        ),
        (
            vec![],
            vec!["--client-id", CLIENT_ID],
            "flags is incomplete: missing --tenant-id, a client secret",
        ),
        (
            vec![(
                "AZURE_CREDENTIALS",
                r#"{"clientId":"0a1b2c3d-1111-4a4a-8b8b-000000000001"}"#,
            )],
            vec![],
            "azure-credentials is incomplete: missing AZURE_CREDENTIALS key tenantId, AZURE_CREDENTIALS key clientSecret",
        ),
        (
            vec![(
                "AZURE_CREDENTIALS",
                r#"{"client_id":"0a1b2c3d-1111-4a4a-8b8b-000000000001","tenant_id":"x.onmicrosoft.com"}"#,
            )],
            vec![],
            "missing AZURE_CREDENTIALS key client_secret",
        ),
        // Some set, others empty: GitHub's missing secret is an empty string.
        (
            vec![
                ("AZURE_CLIENT_ID", CLIENT_ID),
                ("AZURE_CLIENT_SECRET", ""),
                ("AZURE_TENANT_ID", TENANT_ID),
            ],
            vec![],
            "azure-env is incomplete: missing AZURE_CLIENT_SECRET",
        ),
    ];
    for (envs, args, expected) in cases {
        let mut w = World::new();
        w.fake_az("ok");
        for (k, v) in &envs {
            w.env(k, v);
        }
        let mut all = vec!["explain"];
        all.extend(args.iter());
        let r = w.run(&all);
        assert_eq!(r.code, 2, "{envs:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(expected),
            "{envs:?}: expected {expected:?} in {}",
            r.stderr
        );
        assert!(r.stderr.contains("hint:"), "{}", r.stderr);
        assert!(w.az_calls().is_empty(), "must not fall through to az");
    }
}

#[test]
fn empty_variables_count_as_absent() {
    let mut w = World::new();
    w.env("AZURE_CLIENT_ID", "")
        .env("AZURE_CLIENT_SECRET", "")
        .env("AZURE_TENANT_ID", "")
        .env("AZURE_CREDENTIALS", "")
        .env("ARM_CLIENT_ID", CLIENT_ID)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT_ID)
        .env("ARM_SUBSCRIPTION_ID", SUB_ID);
    assert_eq!(source_of(&explain(&w, &[])), "arm-env");
}

#[test]
fn a_subscription_alone_is_not_a_source() {
    let mut w = World::new();
    w.fake_az("ok");
    w.env("AZURE_SUBSCRIPTION_ID", SUB_2);
    let r = explain(&w, &[]);
    assert_eq!(source_of(&r), "az-cli");
    // Not mixed in: the az session's own subscription is used.
    assert_eq!(r.json()["subscription_id"], SUB_ID);
    assert!(skipped_reason(&r, "azure-env").contains("only AZURE_SUBSCRIPTION_ID"));
}

#[test]
fn malformed_json_gives_the_position_not_the_content() {
    let mut w = World::new();
    w.env("AZURE_CREDENTIALS", &format!("{{\n  \"clientId\": \"{CLIENT_ID}\",\n  \"clientSecret\": \"{}\"\n  \"tenantId\": 1\n}}", "s3cr3t-in-json"));
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AZURE_CREDENTIALS is not valid JSON: syntax error at line 4"),
        "{}",
        r.stderr
    );
    assert!(!r.both().contains("s3cr3t-in-json"));
    assert!(!r.both().contains(CLIENT_ID), "content must not be echoed");
}

#[test]
fn json_values_of_the_wrong_type_are_not_echoed() {
    let mut w = World::new();
    w.env(
        "AZURE_CREDENTIALS",
        r#"{"clientId":"x","clientSecret":123456789,"tenantId":"t.example.com"}"#,
    );
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AZURE_CREDENTIALS key clientSecret: must be a string"),
        "{}",
        r.stderr
    );
    assert!(!r.both().contains("123456789"));
}

#[test]
fn bad_guids_are_rejected_without_echoing_the_value() {
    let mut w = World::new();
    azure_env(&mut w).env("AZURE_CLIENT_ID", "s3cr3t-pasted-in-the-wrong-field");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("AZURE_CLIENT_ID: is not a GUID"),
        "{}",
        r.stderr
    );

    let mut w = World::new();
    azure_env(&mut w).env("AZURE_TENANT_ID", "not a tenant");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("AZURE_TENANT_ID: is not a GUID or a domain"),
        "{}",
        r.stderr
    );

    let mut w = World::new();
    azure_env(&mut w);
    let r = w.run(&["explain", "--subscription-id", "1234"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--subscription-id is not a GUID"),
        "{}",
        r.stderr
    );
}

#[test]
fn tenant_may_be_a_domain_and_ids_are_trimmed() {
    let mut w = World::new();
    azure_env(&mut w)
        .env("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
        .env("AZURE_CLIENT_ID", &format!(" {CLIENT_ID}\r\n"))
        .env("AZURE_CLIENT_SECRET", &format!("{SECRET}\r\n"));
    let r = explain(&w, &[]);
    assert_eq!(source_of(&r), "azure-env");
    assert_eq!(r.json()["tenant_id"], "contoso.onmicrosoft.com");
    assert_eq!(r.json()["client_id"], CLIENT_ID);
    assert!(
        r.stderr.contains(
            "AZURE_CLIENT_SECRET: whitespace or a line break around the client secret was removed"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn ids_without_secret_and_without_oidc_are_incomplete() {
    let mut w = World::new();
    w.env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_TENANT_ID", TENANT_ID);
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("missing AZURE_CLIENT_SECRET"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("id-token: write"), "{}", r.stderr);
}

// ---- the az fallback ----------------------------------------------------

#[test]
fn az_missing_lists_every_source_tried() {
    let w = World::new();
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    for s in [
        "flags:",
        "azure-credentials:",
        "azure-env:",
        "arm-env:",
        "github-oidc:",
        "az-cli: the Azure CLI (`az`) is not installed",
    ] {
        assert!(r.stderr.contains(s), "{s} in {}", r.stderr);
    }
}

#[test]
fn az_not_logged_in_hints_az_login() {
    let w = World::new();
    w.fake_az("login");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not logged in (run `az login`)"),
        "{}",
        r.stderr
    );
    assert_eq!(w.az_calls().len(), 1);
}

#[test]
fn az_failure_shows_sanitized_stderr() {
    let w = World::new();
    w.fake_az("fail");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("failed (exit 3): ERROR: AADSTS50173: the grant expired"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains('\u{1b}'),
        "escape codes must be stripped"
    );
}

#[test]
fn az_garbage_output_is_reported() {
    let w = World::new();
    w.fake_az("garbage");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("unexpected output: not the expected JSON"),
        "{}",
        r.stderr
    );
}

#[test]
fn az_hung_is_killed_after_the_timeout() {
    let w = World::new();
    w.fake_az("hang");
    let r = w.run(&["explain", "--az-timeout", "1"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("did not finish within 1 s"),
        "{}",
        r.stderr
    );
}

// ---- config, rules, target ---------------------------------------------

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
    assert!(
        r.stdout
            .starts_with("::error title=Azure credentials::azure-env is incomplete"),
        "{}",
        r.stdout
    );
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

// ---- review follow-ups ----------------------------------------------------

#[test]
fn flag_ids_with_oidc_win_over_a_complete_variable_source() {
    let mut w = World::new();
    oidc(&mut w)
        .env("ARM_CLIENT_ID", SUB_2)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT_ID);
    let r = explain(
        &w,
        &[
            "--client-id",
            CLIENT_ID,
            "--tenant-id",
            TENANT_ID,
            "--subscription-id",
            SUB_ID,
        ],
    );
    assert_eq!(source_of(&r), "github-oidc");
    assert_eq!(r.json()["client_id"], CLIENT_ID);
    assert!(skipped_reason(&r, "arm-env").contains("github-oidc comes first"));
}

#[test]
fn variable_ids_for_oidc_lose_to_a_complete_lower_source_and_say_so() {
    let mut w = World::new();
    oidc(&mut w)
        .env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("ARM_CLIENT_ID", CLIENT_ID)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT_ID)
        .env("ARM_SUBSCRIPTION_ID", SUB_ID);
    let r = explain(&w, &[]);
    assert_eq!(source_of(&r), "arm-env");
    assert!(skipped_reason(&r, "azure-env").contains("arm-env (a complete source) comes first"));
}

#[test]
fn empty_flags_count_as_absent() {
    let mut w = World::new();
    azure_env(&mut w);
    let r = explain(
        &w,
        &[
            "--client-id",
            "",
            "--tenant-id",
            " ",
            "--subscription-id",
            "",
        ],
    );
    assert_eq!(source_of(&r), "azure-env");
    assert_eq!(r.json()["subscription_from"], "source");
}

#[test]
fn environment_flag_drops_the_rules_subscription_and_credential() {
    let mut w = World::new();
    azure_env(&mut w);
    w.write(
        "cloudstudio.yml",
        "branches:\n  - match: \"release/**\"\n    environment: production\n    subscription_id: 22222222-2222-2222-2222-222222222222\n    credential: ci-prod\n",
    );
    let j = explain(&w, &["--branch", "release/1", "--environment", "dev"]).json();
    assert_eq!(j["environment"], "development");
    assert_eq!(j["subscription_from"], "source");
    assert_eq!(j["credential"], "ci-development");
}

#[test]
fn mask_lines_are_escaped_like_any_workflow_command() {
    let mut w = World::new();
    azure_env(&mut w)
        .env("GITHUB_ACTIONS", "true")
        .env("AZURE_CLIENT_SECRET", "abc%0Adef-s3cr3t");
    let r = w.run(&["explain"]);
    assert_eq!(
        r.stdout.lines().next(),
        Some("::add-mask::abc%250Adef-s3cr3t")
    );
}

#[test]
fn json_output_stays_json_in_github_actions() {
    let mut w = World::new();
    azure_env(&mut w)
        .env("GITHUB_ACTIONS", "true")
        .env("AZURE_CLIENT_SECRET", &format!("{SECRET}\n"));
    let r = w.run(&["explain", "--output", "json"]);
    let body: String = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("::add-mask::"))
        .collect::<Vec<_>>()
        .join("\n");
    let v: serde_json::Value = serde_json::from_str(&body).expect("pure JSON after the masks");
    assert_eq!(v["source"], "azure-env");
    assert!(
        r.stderr.contains("::warning title=cloudstudio-azure::"),
        "{}",
        r.stderr
    );
}

#[test]
fn explain_text_keeps_the_credential_name_as_given() {
    let mut w = World::new();
    azure_env(&mut w);
    let r = w.run(&["explain", "--credential", "MyProd"]);
    assert!(
        r.stdout.contains("credential:   MyProd (from flag)"),
        "{}",
        r.stdout
    );
}

#[test]
fn create_for_rbac_output_without_sdk_auth_gets_a_mapping_hint() {
    let mut w = World::new();
    w.env("AZURE_CREDENTIALS", &format!(r#"{{"appId":"{CLIENT_ID}","displayName":"x","password":"{SECRET_TOKEN}","tenant":"{TENANT_ID}"}}"#));
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("appId -> clientId, password -> clientSecret"),
        "{}",
        r.stderr
    );
}

/// What `explain` shows, whole: the JSON document scripts read (stable
/// keys) and the text people read.
#[test]
fn explain_snapshots() {
    let mut w = World::new();
    azure_env(&mut w);
    oidc(&mut w);
    w.write(
        "cloudstudio.yml",
        &format!(
            "environments:\n  production: {{ subscription_id: {SUB_2}, credential: ci-prod }}\nbranches:\n  - match: main\n    environment: production\n  - match: \"**\"\n    environment: development\n"
        ),
    );
    let r = explain(&w, &["--branch", "main"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("explain_json", r.redacted(&r.stdout));
    let r = w.run(&["explain", "--branch", "feature/x"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("explain_text", r.redacted(&r.stdout));
}
