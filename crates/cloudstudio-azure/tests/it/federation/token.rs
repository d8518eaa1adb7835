//! The `federated-token` source through the binary: each input form, its
//! place in the precedence, a token file re-read each run, an expired
//! token, and what export writes (no secret, the file's path).

use super::*;
use crate::support::emu::{assert_exit, check};
use azure_emulator::Route;
use serde_json::Value;

fn token_detail(doc: &Value) -> String {
    check(doc, "token")["detail"]
        .as_str()
        .expect("detail")
        .to_owned()
}

#[test]
fn arm_oidc_token_is_one_client_assertion() {
    let e = emulator();
    let mut w = ids(&e);
    let t = ci_token(&e, GITLAB_ISSUER, GITLAB_SUBJECT, AUDIENCE, 600);
    w.env("ARM_OIDC_TOKEN", &t);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "federated-token", "{doc}");
    assert_eq!(doc["passed"], true, "{doc}");
    assert!(
        token_detail(&doc).contains("federated token from a variable"),
        "{doc}"
    );
    assert_eq!(e.count(Route::Token), 1, "exactly one token request");
    assert_eq!(e.count(Route::Oidc), 0);
}

#[test]
fn federated_token_env_names_the_variable() {
    let e = emulator();
    let mut w = e.world();
    let t = ci_token(&e, GITLAB_ISSUER, GITLAB_SUBJECT, AUDIENCE, 600);
    w.env("AZURE_CLIENT_ID", demo::OIDC_CLIENT_ID)
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .env("GITLAB_AZURE_JWT", &t);
    let r = e.verify(
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &[
            "--federated-token-env",
            "GITLAB_AZURE_JWT",
            "--output",
            "json",
        ],
    );
    assert_exit(&r, 0);
    assert_eq!(r.json()["source"], "federated-token");

    // The flag names a variable that is not set: bad input, no request.
    let r = e.verify(
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--federated-token-env", "NOT_SET_ANYWHERE"],
    );
    assert_exit(&r, 2);
    assert!(
        r.stderr
            .contains("--federated-token-env: names NOT_SET_ANYWHERE, which is not set"),
        "{}",
        r.stderr
    );
    assert_eq!(e.count(Route::Token), 1);
}

#[test]
fn token_files_from_both_variables_verify() {
    let e = emulator();
    for var in ["AZURE_FEDERATED_TOKEN_FILE", "ARM_OIDC_TOKEN_FILE_PATH"] {
        let mut w = ids(&e);
        let t = ci_token(&e, AKS_ISSUER, AKS_SUBJECT, AUDIENCE, 3600);
        let path = w.write("token", &format!("{t}\n"));
        w.env(var, path.to_str().expect("utf-8"));
        let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
        assert_exit(&r, 0);
        let doc = r.json();
        assert_eq!(doc["source"], "federated-token", "{var}: {doc}");
        assert!(token_detail(&doc).contains("federated token file"), "{doc}");
    }
}

#[test]
fn token_file_is_read_again_on_each_run() {
    let e = emulator();
    let mut w = ids(&e);
    let expired = ci_token(&e, AKS_ISSUER, AKS_SUBJECT, AUDIENCE, -60);
    let path = w.write("projected/token", &expired);
    w.env("AZURE_FEDERATED_TOKEN_FILE", path.to_str().expect("utf-8"));
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 3);
    assert!(
        token_detail(&r.json()).contains("AADSTS700024"),
        "{}",
        r.stdout
    );

    // The kubelet rotates the file: the next run uses the new token.
    let fresh = ci_token(&e, AKS_ISSUER, AKS_SUBJECT, AUDIENCE, 3600);
    std::fs::write(&path, &fresh).expect("rotate");
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    assert_eq!(e.count(Route::Token), 2);
}

#[test]
fn a_token_file_that_is_not_a_regular_file_is_refused() {
    let e = emulator();
    let mut w = ids(&e);
    let dir = w.path().join("adir");
    std::fs::create_dir(&dir).expect("dir");
    w.env("ARM_OIDC_TOKEN_FILE_PATH", dir.to_str().expect("utf-8"));
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 2);
    assert!(
        r.stderr
            .contains("ARM_OIDC_TOKEN_FILE_PATH: could not read the federated token file"),
        "{}",
        r.stderr
    );
    assert_eq!(e.count(Route::Token), 0, "nothing sent");
}

#[test]
fn expired_ci_token_is_700024_with_its_expiry() {
    let e = emulator();
    let mut w = ids(&e);
    let t = ci_token(&e, GITLAB_ISSUER, GITLAB_SUBJECT, AUDIENCE, -300);
    w.env("ARM_OIDC_TOKEN", &t);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 3);
    let doc = r.json();
    let d = token_detail(&doc);
    assert!(
        d.contains("AADSTS700024") && d.contains("expired 5 min ago"),
        "{d}"
    );
    let fix = check(&doc, "token")["fix"]
        .as_str()
        .expect("fix")
        .to_owned();
    assert!(fix.contains("AZURE_FEDERATED_TOKEN_FILE"), "{fix}");
    assert_eq!(e.count(Route::Token), 1);
}

#[test]
fn federated_token_comes_before_github_oidc_and_after_complete_sources() {
    let e = emulator();
    let mut w = ids(&e);
    let t = ci_token(&e, GITLAB_ISSUER, GITLAB_SUBJECT, AUDIENCE, 600);
    w.env("ARM_OIDC_TOKEN", &t)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &e.emu.oidc_request_url())
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            &e.emu.oidc_request_token(),
        );
    let r = w.run(&[
        "explain",
        "--subscription-id",
        demo::PROD_SUBSCRIPTION_ID,
        "--output",
        "json",
    ]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "federated-token", "{doc}");
    assert_eq!(doc["has_secret"], false);
    let gh = doc["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["source"] == "github-oidc")
        .expect("github-oidc skipped")
        .clone();
    assert_eq!(
        gh["reason"],
        "runner offers OIDC, but federated-token comes first"
    );

    // A complete secret source wins over federation.
    w.env("AZURE_CLIENT_ID", demo::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("AZURE_TENANT_ID", demo::TENANT_ID);
    let r = w.run(&[
        "explain",
        "--subscription-id",
        demo::PROD_SUBSCRIPTION_ID,
        "--output",
        "json",
    ]);
    assert_exit(&r, 0);
    assert_eq!(r.json()["source"], "azure-env");
}

#[test]
fn explain_shows_the_token_claims_without_a_request() {
    let e = emulator();
    let mut w = ids(&e);
    let t = ci_token(&e, GITLAB_ISSUER, GITLAB_SUBJECT, AUDIENCE, 3600);
    let path = w.write("token", &t);
    w.env("AZURE_FEDERATED_TOKEN_FILE", path.to_str().expect("utf-8"));
    let r = w.run(&["explain", "--subscription-id", demo::PROD_SUBSCRIPTION_ID]);
    assert_exit(&r, 0);
    for want in [
        "source:       federated-token",
        "token:        ",
        "(AZURE_FEDERATED_TOKEN_FILE, read each run)",
        &format!("iss `{GITLAB_ISSUER}`"),
        &format!("sub `{GITLAB_SUBJECT}`"),
        &format!("aud `{AUDIENCE}`"),
        "expires ",
    ] {
        assert!(r.stdout.contains(want), "{want:?} in:\n{}", r.stdout);
    }
    let r = w.run(&[
        "explain",
        "--subscription-id",
        demo::PROD_SUBSCRIPTION_ID,
        "--output",
        "json",
    ]);
    let doc = r.json();
    assert_eq!(doc["federated_token"]["sub"], GITLAB_SUBJECT, "{doc}");
    assert_eq!(doc["federated_token"]["iss"], GITLAB_ISSUER);
    assert!(e.emu.requests().is_empty(), "explain sends nothing");
}

#[test]
fn export_of_a_token_file_writes_no_secret_and_hands_on_the_path() {
    let e = emulator();
    let mut w = ids(&e);
    let t = ci_token(&e, AKS_ISSUER, AKS_SUBJECT, AUDIENCE, 3600);
    let path = w.write("sa/token", &t);
    let path = path.to_str().expect("utf-8").to_owned();
    std::fs::create_dir_all(w.path().join("work/azure")).expect("workdir");
    let gh = w.path().join("gh");
    std::fs::create_dir(&gh).expect("gh");
    w.env("AZURE_FEDERATED_TOKEN_FILE", &path)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", gh.join("env").to_str().expect("utf-8"))
        .env("GITHUB_OUTPUT", gh.join("out").to_str().expect("utf-8"));
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
    let cred: Value = serde_json::from_str(
        &std::fs::read_to_string(w.path().join("work/azure/secrets/ci-production.json"))
            .expect("credential"),
    )
    .expect("json");
    assert_eq!(
        cred,
        serde_json::json!({
            "client_id": demo::OIDC_CLIENT_ID,
            "tenant_id": demo::TENANT_ID,
            "subscription_id": demo::PROD_SUBSCRIPTION_ID,
        })
    );
    let env = std::fs::read_to_string(gh.join("env")).expect("GITHUB_ENV");
    for want in [
        "ARM_OIDC_TOKEN_FILE_PATH<<".into(),
        format!("\n{path}\n"),
        "AZURE_FEDERATED_TOKEN_FILE<<".into(),
        "ARM_USE_OIDC<<".into(),
    ] {
        assert!(env.contains(&want), "{want:?} in {env}");
    }
    assert!(
        !env.contains(&t) && !env.contains("eyJ"),
        "the token itself is never exported"
    );
    assert!(!env.contains("ARM_CLIENT_SECRET"), "{env}");
}

#[test]
fn source_flag_picks_federation_with_the_ids_of_a_secret_source() {
    let e = emulator();
    let mut w = e.world();
    let t = ci_token(&e, GITLAB_ISSUER, GITLAB_SUBJECT, AUDIENCE, 600);
    // A complete secret source would win; --source federated-token takes
    // its ids (never its secret) for the CI token.
    w.env("AZURE_CLIENT_ID", demo::OIDC_CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", "unused-secret-for-source-test")
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .env("ARM_OIDC_TOKEN", &t);
    let r = e.verify(
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--source", "federated-token", "--output", "json"],
    );
    assert!(!r.both().contains("unused-secret-for-source-test"));
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["source"], "federated-token", "{doc}");
    assert_eq!(doc["client_id"], demo::OIDC_CLIENT_ID);

    // Asked for, but no token offered: bad input naming the ways out.
    let w = ids(&e);
    let r = w.run(&["explain", "--source", "federated-token"]);
    assert_exit(&r, 2);
    assert!(
        r.stderr.contains("arm-env is incomplete") && r.stderr.contains("ARM_OIDC_TOKEN"),
        "{}",
        r.stderr
    );
}
