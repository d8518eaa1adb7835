//! Each source on its own.

use super::*;

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
        vec![
            "account get-access-token --output json --resource https://management.azure.com"
                .to_owned()
        ]
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
            "account get-access-token --output json --resource https://management.azure.com --subscription {SUB_2}"
        )]
    );
}
