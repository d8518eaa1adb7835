//! Point 6: the exported variables speak both dialects (ARM_* for
//! Terraform, AZURE_* for the Azure SDKs) and name the cloud.

use super::*;
use crate::support::work::parse_env_file;

fn dotenv(w: &World, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec!["env", "--shell", "dotenv"];
    args.extend_from_slice(extra);
    let r = w.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("NAME=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn names(vars: &[(String, String)]) -> Vec<&str> {
    vars.iter().map(|(k, _)| k.as_str()).collect()
}

fn value<'a>(vars: &'a [(String, String)], name: &str) -> &'a str {
    vars.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} missing from {vars:?}"))
}

fn secret_world() -> World {
    let mut w = World::new();
    w.allow_secret_output = true;
    w.env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", "plain-secret-value")
        .env("AZURE_TENANT_ID", TENANT_ID)
        .env("AZURE_SUBSCRIPTION_ID", SUB_ID);
    w
}

#[test]
fn a_client_secret_is_exported_in_both_dialects_and_public_azure_adds_nothing() {
    let w = secret_world();
    let vars = dotenv(&w, &[]);
    assert_eq!(
        names(&vars),
        [
            "ARM_CLIENT_ID",
            "ARM_CLIENT_SECRET",
            "ARM_TENANT_ID",
            "ARM_SUBSCRIPTION_ID",
            "AZURE_CLIENT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_TENANT_ID",
            "AZURE_SUBSCRIPTION_ID",
        ]
    );
    assert_eq!(value(&vars, "AZURE_CLIENT_SECRET"), "plain-secret-value");
    assert_eq!(value(&vars, "ARM_CLIENT_SECRET"), "plain-secret-value");
    assert_eq!(value(&vars, "AZURE_SUBSCRIPTION_ID"), SUB_ID);
}

#[test]
fn sovereign_and_custom_clouds_name_themselves() {
    let w = secret_world();
    let gov = dotenv(&w, &["--cloud", "usgovernment"]);
    assert_eq!(value(&gov, "ARM_ENVIRONMENT"), "usgovernment");
    assert_eq!(
        value(&gov, "AZURE_AUTHORITY_HOST"),
        "https://login.microsoftonline.us"
    );
    let china = dotenv(&w, &["--cloud", "china"]);
    assert_eq!(value(&china, "ARM_ENVIRONMENT"), "china");
    assert_eq!(
        value(&china, "AZURE_AUTHORITY_HOST"),
        "https://login.chinacloudapi.cn"
    );
    let custom = dotenv(
        &w,
        &[
            "--cloud",
            "custom",
            "--authority-host",
            "https://login.stack.local",
            "--arm-endpoint",
            "https://management.stack.local:8443/",
        ],
    );
    assert_eq!(
        value(&custom, "AZURE_AUTHORITY_HOST"),
        "https://login.stack.local"
    );
    assert_eq!(
        value(&custom, "ARM_METADATA_HOSTNAME"),
        "management.stack.local:8443"
    );
    assert!(!names(&custom).contains(&"ARM_ENVIRONMENT"));
}

#[test]
fn the_az_session_exports_the_subscription_in_both_dialects() {
    let w = World::new();
    w.fake_az("ok");
    let vars = dotenv(&w, &[]);
    assert_eq!(
        vars,
        [
            ("ARM_USE_CLI".to_owned(), "true".to_owned()),
            ("ARM_SUBSCRIPTION_ID".to_owned(), SUB_ID.to_owned()),
            ("AZURE_SUBSCRIPTION_ID".to_owned(), SUB_ID.to_owned()),
        ]
    );
}

#[test]
fn github_env_and_the_dry_run_listing_carry_both_dialects() {
    let w = secret_world();
    w.write("azure/.keep", "");
    let env_file = w.write("gh/env", "");
    w.write("gh/output", "");
    let mut b = w.bin_in(w.path(), &["export", "--no-verify", "--allow-unignored"]);
    b.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", &env_file)
        .env("GITHUB_OUTPUT", w.path().join("gh/output"));
    let r = b.run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let env = parse_env_file(&std::fs::read_to_string(&env_file).expect("env file"));
    for name in ["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"] {
        assert_eq!(value(&env, name), "plain-secret-value");
    }
    assert_eq!(value(&env, "AZURE_TENANT_ID"), TENANT_ID);

    let mut w = w;
    w.allow_secret_output = false;
    let r = w.run(&["export", "--no-verify", "--dry-run", "--allow-unignored"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in [
        "ARM_CLIENT_SECRET=***",
        "AZURE_CLIENT_SECRET=***",
        &format!("AZURE_CLIENT_ID={CLIENT_ID}"),
    ] {
        assert!(r.stdout.contains(line), "{line}: {}", r.stdout);
    }
}

/// The cloud can come from the variables the other tools read:
/// `ARM_ENVIRONMENT` (Terraform), `AZURE_CLOUD`, `AZURE_AUTHORITY_HOST`.
#[test]
fn the_cloud_falls_back_to_terraform_and_sdk_variables() {
    let cases = [
        ("ARM_ENVIRONMENT", "usgovernment", "usgovernment"),
        ("AZURE_CLOUD", "AzureChinaCloud", "china"),
        (
            "AZURE_AUTHORITY_HOST",
            "https://login.microsoftonline.us/",
            "usgovernment",
        ),
    ];
    for (name, value, expected) in cases {
        let mut w = secret_world();
        w.env(name, value);
        let vars = dotenv(&w, &[]);
        assert_eq!(
            value_of(&vars, "ARM_ENVIRONMENT"),
            expected,
            "{name}={value}"
        );
    }
    // A flag wins; azure/login's names are accepted.
    let mut w = secret_world();
    w.env("ARM_ENVIRONMENT", "china");
    let vars = dotenv(&w, &["--cloud", "AzureUSGovernment"]);
    assert_eq!(value_of(&vars, "ARM_ENVIRONMENT"), "usgovernment");
    // An unknown name is an input error naming the variable.
    let mut w = secret_world();
    w.env("ARM_ENVIRONMENT", "german");
    let r = w.run(&["env", "--shell", "dotenv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("ARM_ENVIRONMENT"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    // AZURE_AUTHORITY_HOST fills --authority-host for a custom cloud.
    let mut w = secret_world();
    w.env("AZURE_AUTHORITY_HOST", "https://login.stack.local");
    let vars = dotenv(&w, &["--arm-endpoint", "https://management.stack.local"]);
    assert_eq!(
        value_of(&vars, "AZURE_AUTHORITY_HOST"),
        "https://login.stack.local"
    );
    assert_eq!(
        value_of(&vars, "ARM_METADATA_HOSTNAME"),
        "management.stack.local"
    );
}

fn value_of(vars: &[(String, String)], name: &str) -> String {
    value(vars, name).to_owned()
}
