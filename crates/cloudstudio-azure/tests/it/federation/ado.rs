//! The `azure-devops-oidc` source: the job asks its service connection for
//! an ID token (`POST $SYSTEM_OIDCREQUESTURI?api-version=7.1&serviceConnectionId=`,
//! Bearer `SYSTEM_ACCESSTOKEN`, empty body) and presents it once.

use super::*;
use crate::support::Run;
use crate::support::emu::{assert_exit, check};
use azure_emulator::Route;

fn ado(e: &Emu) -> World {
    let mut w = ids(e);
    w.env("SYSTEM_OIDCREQUESTURI", &e.emu.ado_request_uri())
        .env("SYSTEM_ACCESSTOKEN", ADO_ACCESS_TOKEN);
    w
}

fn no_access_token(r: &Run) {
    assert!(
        !r.stdout.contains(ADO_ACCESS_TOKEN) && !r.stderr.contains(ADO_ACCESS_TOKEN),
        "System.AccessToken leaked:\n{}\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn service_connection_token_is_one_assertion() {
    let e = emulator();
    let mut w = ado(&e);
    w.env("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", ADO_CONNECTION);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    no_access_token(&r);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "azure-devops-oidc", "{doc}");
    let d = check(&doc, "token")["detail"]
        .as_str()
        .expect("detail")
        .to_owned();
    assert!(
        d.contains("Azure DevOps OIDC token") && d.contains(ADO_SUBJECT),
        "{d}"
    );
    let routes: Vec<Route> = e.emu.requests().iter().map(|r| r.route).collect();
    assert_eq!(routes[..2], [Route::Oidc, Route::Token], "{routes:?}");
    assert_eq!(e.count(Route::Token), 1);
    assert_eq!(e.count(Route::Oidc), 1);
}

#[test]
fn the_alias_and_the_flag_name_the_connection() {
    let e = emulator();
    let mut w = ado(&e);
    w.env("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID", ADO_CONNECTION);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let w = ado(&e);
    let r = e.verify(
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &[
            "--service-connection-id",
            ADO_CONNECTION,
            "--output",
            "json",
        ],
    );
    assert_exit(&r, 0);
    assert_eq!(r.json()["source"], "azure-devops-oidc");
}

#[test]
fn a_refused_request_is_exit_3_and_sends_no_assertion() {
    let e = emulator();
    let mut w = ado(&e);
    w.env(
        "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
        "00000000-0000-4000-8000-000000000000",
    );
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    no_access_token(&r);
    assert_exit(&r, 3);
    assert!(
        r.stderr
            .contains("Azure DevOps refused the OIDC token request (HTTP 404)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("TF400898"), "{}", r.stderr);
    assert_eq!(e.count(Route::Token), 0);
}

#[test]
fn without_the_access_token_explain_says_what_to_map() {
    let e = emulator();
    let mut w = ids(&e);
    w.env("SYSTEM_OIDCREQUESTURI", &e.emu.ado_request_uri())
        .env("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", ADO_CONNECTION);
    let r = w.run(&["explain", "--subscription-id", demo::PROD_SUBSCRIPTION_ID]);
    assert_exit(&r, 2);
    assert!(r.stderr.contains("arm-env is incomplete"), "{}", r.stderr);
    let mut full = ado(&e);
    full.env("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", ADO_CONNECTION)
        .env("ARM_CLIENT_SECRET", "not-used-secret-value");
    full.env("SYSTEM_ACCESSTOKEN", "");
    let r = full.run(&[
        "explain",
        "--subscription-id",
        demo::PROD_SUBSCRIPTION_ID,
        "--output",
        "json",
    ]);
    assert_exit(&r, 0);
    let doc = r.json();
    let reason = doc["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["source"] == "azure-devops-oidc")
        .expect("listed")["reason"]
        .as_str()
        .expect("reason")
        .to_owned();
    assert!(reason.contains("SYSTEM_ACCESSTOKEN"), "{reason}");
    assert!(e.emu.requests().is_empty(), "explain sends nothing");
}

#[test]
fn later_steps_get_what_terraform_needs_to_refresh() {
    let e = emulator();
    let mut w = ado(&e);
    w.env("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", ADO_CONNECTION)
        .env("ARM_SUBSCRIPTION_ID", demo::PROD_SUBSCRIPTION_ID);
    w.allow_secret_output = true;
    let r = w.run(&["env", "--shell", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["ARM_USE_OIDC"], "true", "{doc}");
    assert_eq!(
        doc["ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"],
        ADO_CONNECTION
    );
    assert_eq!(doc["ARM_OIDC_REQUEST_URL"], e.emu.ado_request_uri());
    assert_eq!(doc["ARM_OIDC_REQUEST_TOKEN"], ADO_ACCESS_TOKEN);
    assert_eq!(doc["AZURE_CLIENT_ID"], demo::OIDC_CLIENT_ID);
    assert!(doc.get("ARM_CLIENT_SECRET").is_none(), "{doc}");
    assert!(e.emu.requests().is_empty(), "env sends nothing");
}

#[test]
fn export_in_azure_devops_sets_terraforms_refresh_variables() {
    let e = emulator();
    let mut w = ado(&e);
    w.env("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", ADO_CONNECTION)
        .env("TF_BUILD", "True");
    std::fs::create_dir_all(w.path().join("work/azure")).expect("workdir");
    let mut args = e.args(demo::PROD_SUBSCRIPTION_ID, &["--environment", "prod"]);
    args[0] = "export".into();
    args.extend([
        "--workdir".into(),
        w.path().join("work").display().to_string(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = w.run(&args);
    e.assert_no_leak(&r, &args);
    assert_exit(&r, 0);
    // The access token is registered with the masker before anything else.
    let first = r.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("##vso[task.setsecret]"), "{}", r.stdout);
    let set = |name: &str, secret: bool| {
        let props = if secret { ";issecret=true" } else { "" };
        format!("##vso[task.setvariable variable={name}{props}]")
    };
    for (name, secret, value) in [
        ("ARM_USE_OIDC", false, "true".to_owned()),
        (
            "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
            false,
            ADO_CONNECTION.to_owned(),
        ),
        (
            "ARM_OIDC_REQUEST_URL",
            false,
            e.emu.ado_request_uri().replace('%', "%AZP25"),
        ),
        ("ARM_OIDC_REQUEST_TOKEN", true, ADO_ACCESS_TOKEN.to_owned()),
        ("ARM_CLIENT_ID", false, demo::OIDC_CLIENT_ID.to_owned()),
    ] {
        let want = format!("{}{value}", set(name, secret));
        assert!(
            r.stdout.lines().any(|l| l == want),
            "{want} in\n{}",
            r.stdout
        );
    }
    assert!(!r.stdout.contains("ARM_CLIENT_SECRET"), "{}", r.stdout);
}
