//! When the managed identity is used: only when asked, after a complete
//! secret source, with the client id the asking or an id-only source
//! names; what `explain` says about it.

use super::*;
use crate::support::emu::{assert_exit, check};

fn skipped_reason(doc: &serde_json::Value, source: &str) -> String {
    doc["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("{source} not skipped in {doc}"))["reason"]
        .as_str()
        .expect("reason")
        .to_owned()
}

#[test]
fn imds_system_assigned_verifies_with_one_token_request() {
    let e = emulator();
    let w = on_vm(&e);
    let r = run(&e, &w, &command(&e, "verify", &["--output", "json"]));
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "managed-identity", "{doc}");
    assert_eq!(doc["client_id"], SYSTEM_MI);
    assert_eq!(doc["tenant_id"], demo::TENANT_ID);
    let token = check(&doc, "token")["detail"].as_str().expect("detail");
    assert!(
        token.contains("system-assigned managed identity's token from IMDS"),
        "{token}"
    );
    assert_eq!(check(&doc, "role")["status"], "pass", "{doc}");
    assert_eq!(
        identity_requests(&e),
        [(200, Some(SYSTEM_MI.to_owned()))],
        "exactly one identity request"
    );
    assert_eq!(
        e.count(Route::Token),
        0,
        "Entra's token endpoint is not asked"
    );
}

#[test]
fn user_assigned_by_flag_by_arm_client_id_and_the_flag_wins() {
    let e = emulator();
    let mut w = e.world();
    w.env("IMDS_ENDPOINT", &e.emu.imds_endpoint());
    let r = run(
        &e,
        &w,
        &command(&e, "verify", &["--managed-identity", USER_MI, "-o", "json"]),
    );
    assert_exit(&r, 0);
    assert_eq!(r.json()["client_id"], USER_MI);
    let token = check(&r.json(), "token")["detail"]
        .as_str()
        .expect("detail")
        .to_owned();
    assert!(
        token.contains("user-assigned managed identity's token"),
        "{token}"
    );

    // Terraform's way: ARM_USE_MSI + ARM_CLIENT_ID (no secret) names the identity.
    let mut w = on_vm(&e);
    w.env("ARM_CLIENT_ID", USER_MI);
    let r = run(&e, &w, &command(&e, "verify", &["-o", "json"]));
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["client_id"], USER_MI, "{doc}");

    // The flag is the most explicit: it wins over the lent client id.
    let mut w = on_vm(&e);
    w.env("ARM_CLIENT_ID", READER_MI);
    let r = run(
        &e,
        &w,
        &command(&e, "verify", &["--managed-identity", USER_MI, "-o", "json"]),
    );
    assert_exit(&r, 0);
    assert_eq!(r.json()["client_id"], USER_MI);
    let principals: Vec<Option<String>> =
        identity_requests(&e).into_iter().map(|(_, p)| p).collect();
    assert_eq!(principals, vec![Some(USER_MI.to_owned()); 3]);

    let r = run(
        &e,
        &w,
        &command(
            &e,
            "explain",
            &["--managed-identity", USER_MI, "-o", "json"],
        ),
    );
    assert_exit(&r, 0);
    let reason = skipped_reason(&r.json(), "arm-env");
    assert!(
        reason.contains("the managed identity is the one --managed-identity names"),
        "{reason}"
    );
}

#[test]
fn not_asked_means_no_request_even_with_endpoints_set() {
    let e = emulator();
    for switch in [None, Some("false"), Some("0")] {
        let mut w = e.world();
        w.fake_az("login");
        w.env("IMDS_ENDPOINT", &e.emu.imds_endpoint())
            .env("IDENTITY_ENDPOINT", &e.emu.identity_endpoint())
            .env("IDENTITY_HEADER", HEADER);
        if let Some(v) = switch {
            w.env("AZURE_USE_MSI", v);
        }
        let r = run(&e, &w, &command(&e, "explain", &["-o", "json"]));
        assert_exit(&r, 2);
        assert!(
            r.both().contains("managed-identity: not asked"),
            "{}",
            r.both()
        );
    }
    assert!(identity_requests(&e).is_empty(), "{:?}", e.emu.requests());
}

#[test]
fn a_complete_secret_source_wins_over_the_managed_identity() {
    let e = emulator();
    let mut w = on_vm(&e);
    w.env("AZURE_CLIENT_ID", demo::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("AZURE_TENANT_ID", demo::TENANT_ID);
    let r = run(&e, &w, &command(&e, "verify", &["-o", "json"]));
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "azure-env", "{doc}");
    let r = run(&e, &w, &command(&e, "explain", &["-o", "json"]));
    assert_eq!(
        skipped_reason(&r.json(), "managed-identity"),
        "asked (ARM_USE_MSI=true), but azure-env comes first"
    );
    assert!(identity_requests(&e).is_empty());
}

#[test]
fn bad_switch_values_and_client_ids_are_bad_input() {
    let e = emulator();
    for (var, value, flag) in [
        ("ARM_USE_MSI", "yes", None),
        ("AZURE_USE_MSI", "enabled", None),
        ("CLOUDSTUDIO_MANAGED_IDENTITY", "not-a-guid", None),
        ("ARM_USE_MSI", "true", Some("not-a-guid")),
    ] {
        let mut w = e.world();
        w.env("IMDS_ENDPOINT", &e.emu.imds_endpoint())
            .env(var, value);
        let mut extra = vec!["-o", "json"];
        if let Some(f) = flag {
            extra.extend(["--managed-identity", f]);
        }
        let r = run(&e, &w, &command(&e, "verify", &extra));
        assert_exit(&r, 2);
        let message = r.json()["error"]["message"]
            .as_str()
            .expect("message")
            .to_owned();
        let origin = if flag.is_some() {
            "--managed-identity"
        } else {
            var
        };
        assert!(
            message.starts_with(&format!("{origin}: is not")),
            "{message}"
        );
        assert!(
            !message.contains(value) || value == "true",
            "the value is not echoed: {message}"
        );
    }
    assert!(identity_requests(&e).is_empty());
}

#[test]
fn explain_names_the_identity_and_why_the_others_were_skipped() {
    let e = emulator();
    let w = on_vm(&e);
    let r = run(&e, &w, &command(&e, "explain", &[]));
    assert_exit(&r, 0);
    // The whole output: the source with why, every other source's reason,
    // the identity's ids from the token.
    insta::assert_snapshot!("managed_identity_explain_text", r.redacted(&r.stdout));
    assert_eq!(
        identity_requests(&e).len(),
        1,
        "the token comes with resolution"
    );

    // --source managed-identity asks by itself.
    let mut w = e.world();
    w.env("IMDS_ENDPOINT", &e.emu.imds_endpoint());
    let r = run(
        &e,
        &w,
        &command(
            &e,
            "explain",
            &["--source", "managed-identity", "-o", "json"],
        ),
    );
    assert_exit(&r, 0);
    assert_eq!(r.json()["source"], "managed-identity");
}

#[test]
fn an_asked_identity_outranks_the_runners_token_unless_federation_is_asked_too() {
    let e = emulator();
    // A self-hosted runner on a VM, in a job with `id-token: write`:
    // Terraform's ARM_USE_MSI + ARM_CLIENT_ID setup.
    let mut w = on_vm(&e);
    w.env("ARM_CLIENT_ID", USER_MI)
        .env("ARM_TENANT_ID", demo::TENANT_ID)
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://127.0.0.1:1/token?api-version=2.0",
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-request-token");
    let r = run(&e, &w, &command(&e, "verify", &["-o", "json"]));
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "managed-identity", "{doc}");
    assert_eq!(doc["client_id"], USER_MI, "{doc}");
    let r = run(&e, &w, &command(&e, "explain", &["-o", "json"]));
    let reason = skipped_reason(&r.json(), "github-oidc");
    assert!(
        reason.contains("a managed identity is asked for (ARM_USE_MSI=true)")
            && reason.contains("ARM_USE_OIDC=true"),
        "{reason}"
    );
    // Both asked: federation comes first, as documented.
    w.env("ARM_USE_OIDC", "true");
    let r = run(&e, &w, &command(&e, "explain", &["-o", "json"]));
    assert_exit(&r, 0);
    assert_eq!(r.json()["source"], "github-oidc", "{}", r.json());
}

#[test]
fn source_managed_identity_borrows_no_client_id_from_a_secret_source() {
    let e = emulator();
    let mut w = e.world();
    w.env("IMDS_ENDPOINT", &e.emu.imds_endpoint())
        .env("AZURE_CLIENT_ID", demo::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("AZURE_TENANT_ID", demo::TENANT_ID);
    let r = run(
        &e,
        &w,
        &command(
            &e,
            "verify",
            &["--source", "managed-identity", "-o", "json"],
        ),
    );
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(
        doc["client_id"], SYSTEM_MI,
        "the system-assigned identity: {doc}"
    );
    assert_eq!(identity_requests(&e), [(200, Some(SYSTEM_MI.to_owned()))]);
}

#[test]
fn explicit_switches_are_never_dropped_silently() {
    let e = emulator();
    // The tool's own switch set to false overrides the machine's ARM_USE_MSI.
    let mut w = on_vm(&e);
    w.fake_az("login");
    w.env("CLOUDSTUDIO_MANAGED_IDENTITY", "false");
    let r = run(&e, &w, &command(&e, "explain", &["-o", "json"]));
    assert_exit(&r, 2);
    assert!(
        r.both().contains("managed-identity: not asked"),
        "{}",
        r.both()
    );
    // --managed-identity with --source naming another source: a usage error.
    let w = e.world();
    let r = run(
        &e,
        &w,
        &command(
            &e,
            "verify",
            &["--managed-identity", "--source", "az-cli", "-o", "json"],
        ),
    );
    assert_exit(&r, 2);
    let message = r.json()["error"]["message"]
        .as_str()
        .expect("message")
        .to_owned();
    assert!(
        message
            .starts_with("--managed-identity: asks for the managed identity, but --source az-cli"),
        "{message}"
    );
    assert!(identity_requests(&e).is_empty());
}
