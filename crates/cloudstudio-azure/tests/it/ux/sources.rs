//! Point 2: tenant and subscription ids alone make no source present (the
//! Terraform `ARM_USE_CLI` setup uses the az session); a client id with no
//! secret names both ways out; `--source NAME` picks one source.

use super::*;

fn skipped(r: &Run, source: &str) -> String {
    r.json()["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("{source} not skipped: {}", r.stdout))["reason"]
        .as_str()
        .expect("reason")
        .to_owned()
}

#[test]
fn arm_tenant_and_subscription_alone_use_the_az_session_for_that_subscription() {
    let mut w = World::new();
    w.fake_az("ok");
    w.env("ARM_TENANT_ID", TENANT_ID)
        .env("ARM_SUBSCRIPTION_ID", SUB_2)
        .env("ARM_USE_CLI", "true");
    let r = w.run(&["explain", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["source"], "az-cli");
    assert!(
        skipped(&r, "arm-env").contains("only ARM_TENANT_ID and ARM_SUBSCRIPTION_ID set"),
        "{}",
        r.stdout
    );
    let calls = w.az_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        calls[0].contains(&format!("--subscription {SUB_2}")),
        "{calls:?}"
    );
}

#[test]
fn a_client_id_without_secret_names_the_secret_and_the_az_session() {
    let mut w = World::new();
    w.fake_az("ok");
    w.env("AZURE_CLIENT_ID", CLIENT_ID)
        .env("AZURE_TENANT_ID", TENANT_ID);
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let hint = r
        .stderr
        .lines()
        .find(|l| l.starts_with("hint:"))
        .unwrap_or_else(|| panic!("no hint: {}", r.stderr));
    assert!(hint.contains("set AZURE_CLIENT_SECRET"), "{hint}");
    assert!(hint.contains("--source az-cli"), "{hint}");
    assert!(w.az_calls().is_empty(), "az must not run");

    // The way out the hint names works, by flag and by variable.
    let r = w.run(&["explain", "--output", "json", "--source", "az-cli"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["source"], "az-cli");
    assert_eq!(skipped(&r, "azure-env"), "skipped by --source az-cli");
    assert_eq!(skipped(&r, "github-oidc"), "skipped by --source az-cli");
    w.env("CLOUDSTUDIO_SOURCE", "az-cli");
    assert_eq!(
        w.run(&["explain", "--output", "json"]).json()["source"],
        "az-cli"
    );
}

#[test]
fn source_picks_a_lower_source_over_a_present_higher_one() {
    let mut w = World::new();
    azure_env(&mut w)
        .env("ARM_CLIENT_ID", CLIENT_ID)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT_ID)
        .env("ARM_SUBSCRIPTION_ID", SUB_3);
    let r = w.run(&["explain", "--output", "json", "--source", "arm-env"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["source"], "arm-env");
    assert_eq!(j["subscription_id"], SUB_3);
    assert_eq!(skipped(&r, "azure-env"), "skipped by --source arm-env");
    assert_eq!(skipped(&r, "az-cli"), "skipped by --source arm-env");

    // The text form lists them as skipped by --source too.
    let r = w.run(&["explain", "--source", "arm-env"]);
    assert!(
        r.stdout
            .contains("skipped azure-env: skipped by --source arm-env"),
        "{}",
        r.stdout
    );
}

#[test]
fn source_that_is_absent_is_an_error_and_az_does_not_run() {
    let w = World::new();
    w.fake_az("ok");
    let r = w.run(&["explain", "--source", "azure-env"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--source azure-env: azure-env is not usable"),
        "{}",
        r.stderr
    );
    assert!(w.az_calls().is_empty());
    let r = w.run(&["explain", "--source", "nope"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("az-cli"), "{}", r.stderr);
}

#[test]
fn a_subscription_variable_that_is_not_a_guid_never_reaches_az() {
    let mut w = World::new();
    w.fake_az("ok");
    w.env("ARM_SUBSCRIPTION_ID", "--debug");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let calls = w.az_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        !calls[0].contains("--debug") && !calls[0].contains("--subscription"),
        "{calls:?}"
    );
}
