//! What export writes for a managed identity: the subscription (and a
//! user-assigned identity's client id) in the workdir, `ARM_USE_MSI` and
//! the ids for later steps, never a token or the App Service header; and
//! App Service's endpoint with its header.

use super::*;
use crate::support::emu::{assert_exit, check};
use serde_json::{Value, json};

/// A GitHub job with a workdir; returns (world, GITHUB_ENV path, workdir).
fn github_job(mut w: World) -> (World, std::path::PathBuf, std::path::PathBuf) {
    let work = w.path().join("work");
    std::fs::create_dir_all(work.join("azure")).expect("workdir");
    let gh = w.path().join("gh");
    std::fs::create_dir(&gh).expect("gh");
    w.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", gh.join("env").to_str().expect("utf-8"))
        .env("GITHUB_OUTPUT", gh.join("out").to_str().expect("utf-8"));
    (w, gh.join("env"), work)
}

fn export(e: &Emu, w: &World, work: &std::path::Path, extra: &[&str]) -> crate::support::Run {
    let mut args = command(e, "export", &["--environment", "prod"]);
    args.extend(["--workdir".into(), work.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    run(e, w, &args)
}

fn credential(work: &std::path::Path) -> Value {
    let p = work.join("azure/secrets/ci-production.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("credential")).expect("json")
}

/// `NAME<<delimiter\nvalue\ndelimiter` entries of a GITHUB_ENV file.
fn github_env(path: &std::path::Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).expect("GITHUB_ENV");
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(head) = lines.next() {
        let (name, _) = head.split_once("<<").expect("heredoc");
        let value = lines.next().expect("value");
        lines.next();
        out.push((name.to_owned(), value.to_owned()));
    }
    out
}

#[test]
fn system_assigned_export_stores_the_subscription_only() {
    let e = emulator();
    let (w, env, work) = github_job(on_vm(&e));
    let r = export(&e, &w, &work, &[]);
    assert_exit(&r, 0);
    // The token is masked once, before any other output.
    let masks: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("::add-mask::"))
        .collect();
    assert_eq!(masks.len(), 1, "{}", r.stdout);
    assert!(r.stdout.starts_with("::add-mask::eyJ"), "{}", r.stdout);
    assert_eq!(
        credential(&work),
        json!({ "subscription_id": demo::PROD_SUBSCRIPTION_ID })
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(work.join("azure/secrets/ci-production.json"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let imds_token_url = format!("{}/metadata/identity/oauth2/token", e.emu.imds_endpoint());
    let imds_base = e.emu.imds_endpoint();
    let p = demo::PROD_SUBSCRIPTION_ID;
    let t = demo::TENANT_ID;
    let want: Vec<(String, String)> = [
        ("ARM_USE_MSI", "true"),
        ("ARM_TENANT_ID", t),
        ("ARM_SUBSCRIPTION_ID", p),
        ("ARM_MSI_ENDPOINT", &imds_token_url),
        ("AZURE_POD_IDENTITY_AUTHORITY_HOST", &imds_base),
        ("AZURE_TENANT_ID", t),
        ("AZURE_SUBSCRIPTION_ID", p),
        ("ARM_METADATA_HOSTNAME", &e.emu.metadata_host()),
        ("AZURE_AUTHORITY_HOST", &e.emu.authority_host()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(github_env(&env), want);
    let raw = std::fs::read_to_string(&env).expect("env");
    assert!(
        !raw.contains("eyJ") && !raw.contains("emu."),
        "no token exported"
    );
    let out = std::fs::read_to_string(w.path().join("gh/out")).expect("outputs");
    assert!(out.contains("managed-identity"), "{out}");
    assert_eq!(identity_requests(&e).len(), 1);
}

#[test]
fn user_assigned_export_names_the_identity() {
    let e = emulator();
    let (mut w, env, work) = github_job(on_vm(&e));
    w.env("ARM_CLIENT_ID", USER_MI);
    let r = export(&e, &w, &work, &[]);
    assert_exit(&r, 0);
    assert_eq!(
        credential(&work),
        json!({ "client_id": USER_MI, "subscription_id": demo::PROD_SUBSCRIPTION_ID })
    );
    let vars = github_env(&env);
    let get = |n: &str| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(get("ARM_CLIENT_ID"), Some(USER_MI));
    assert_eq!(get("AZURE_CLIENT_ID"), Some(USER_MI));
    assert_eq!(get("ARM_USE_MSI"), Some("true"));
    assert_eq!(get("ARM_CLIENT_SECRET"), None);
    // A second identical run changes nothing.
    let r = export(&e, &w, &work, &[]);
    assert_exit(&r, 0);
    assert!(r.both().contains("unchanged"), "{}", r.both());
    let workdir = work.display().to_string();
    let r = run(&e, &w, &["status".into(), "--workdir".into(), workdir]);
    assert_exit(&r, 0);
    assert!(
        r.stdout.contains("managed identity (user-assigned)"),
        "{}",
        r.stdout
    );
}

#[test]
fn dry_run_writes_nothing() {
    let e = emulator();
    let (w, env, work) = github_job(on_vm(&e));
    let r = export(&e, &w, &work, &["--dry-run"]);
    assert_exit(&r, 0);
    assert!(!work.join("azure/secrets").exists(), "nothing written");
    assert!(!env.exists(), "no GITHUB_ENV written");
    assert!(r.stdout.contains("ARM_USE_MSI"), "{}", r.stdout);
}

#[test]
fn app_service_endpoint_with_its_header() {
    let e = emulator();
    let (w, env, work) = github_job(in_app_service(&e, HEADER));
    let r = export(&e, &w, &work, &["--managed-identity", USER_MI]);
    assert_exit(&r, 0);
    assert_eq!(
        r.stdout.lines().next(),
        Some(format!("::add-mask::{HEADER}").as_str()),
        "the header is masked before anything else: {}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("::add-mask::")),
        "then the token: {}",
        r.stdout
    );
    let raw = std::fs::read_to_string(&env).expect("env");
    assert!(!raw.contains(HEADER) && !raw.contains("IDENTITY_"), "{raw}");
    assert!(!raw.contains("ARM_MSI_ENDPOINT"), "{raw}");
    assert_eq!(identity_requests(&e), [(200, Some(USER_MI.to_owned()))]);

    let w = in_app_service(&e, HEADER);
    let r = run(&e, &w, &command(&e, "verify", &["-o", "json"]));
    assert_exit(&r, 0);
    let token = check(&r.json(), "token")["detail"]
        .as_str()
        .expect("detail")
        .to_owned();
    assert!(
        token.contains("system-assigned managed identity's token from IDENTITY_ENDPOINT"),
        "{token}"
    );

    // The wrong header: refused (exit 3), the header never printed.
    let w = in_app_service(&e, "not-the-header-Qz7");
    let r = run(&e, &w, &command(&e, "verify", &[]));
    assert_exit(&r, 3);
    assert!(
        r.stderr.contains("refused the token request (HTTP 403)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("IDENTITY_HEADER must be the value App Service set"),
        "{}",
        r.stderr
    );
    assert!(!r.both().contains("not-the-header-Qz7"));
}

#[test]
fn azure_devops_self_hosted_agent_gets_plain_variables() {
    let e = emulator();
    let mut w = on_vm(&e);
    w.env("TF_BUILD", "True");
    let work = w.path().join("work");
    std::fs::create_dir_all(work.join("azure")).expect("workdir");
    let r = export(&e, &w, &work, &["--managed-identity", USER_MI]);
    assert_exit(&r, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("##vso[task.setsecret]eyJ"),
        "the token is registered with the agent's masker first: {}",
        r.stdout
    );
    let set: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("##vso[task.setvariable"))
        .collect();
    for want in [
        "##vso[task.setvariable variable=ARM_USE_MSI]true".to_owned(),
        format!("##vso[task.setvariable variable=ARM_CLIENT_ID]{USER_MI}"),
        format!("##vso[task.setvariable variable=AZURE_CLIENT_ID]{USER_MI}"),
    ] {
        assert!(set.contains(&want.as_str()), "{want} in\n{}", r.stdout);
    }
    assert!(
        set.iter().all(|l| !l.contains("issecret")),
        "nothing secret is exported: {set:?}"
    );
}
