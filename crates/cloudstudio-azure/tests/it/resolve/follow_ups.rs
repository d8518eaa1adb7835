//! Review follow-ups, and `explain`'s snapshots.

use super::*;

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

/// Point 9 of issue 10: today's `az ad sp create-for-rbac` output is
/// accepted as it is (the `--sdk-auth` shape is deprecated upstream);
/// `displayName` is ignored, a missing key is named as the user wrote it.
#[test]
fn create_for_rbac_output_without_sdk_auth_is_accepted() {
    let mut w = World::new();
    w.env("AZURE_CREDENTIALS", &format!(r#"{{"appId":"{CLIENT_ID}","displayName":"x","password":"{SECRET_TOKEN}","tenant":"{TENANT_ID}"}}"#))
        .env("AZURE_SUBSCRIPTION_ID", SUB_ID);
    let r = explain(&w, &["--subscription-id", SUB_2]);
    assert_eq!(source_of(&r), "azure-credentials");
    let j = r.json();
    assert_eq!(j["client_id"], CLIENT_ID);
    assert_eq!(j["tenant_id"], TENANT_ID);
    assert_eq!(j["has_secret"], true);

    let mut w = World::new();
    w.env(
        "AZURE_CREDENTIALS",
        &format!(r#"{{"appId":"{CLIENT_ID}","tenant":"{TENANT_ID}"}}"#),
    );
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("missing AZURE_CREDENTIALS key password"),
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
