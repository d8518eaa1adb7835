//! What `init` completes and where it stops: an app without its service
//! principal, a principal without its role, the replication delay, and the
//! two permission failures (Graph 403, AuthorizationFailed) with the role
//! the developer lacks and what an administrator can run instead.

use super::{credential, init, steps, world, writes};
use crate::support::emu::{Emu, assert_exit};
use azure_emulator::scenario::App;
use azure_emulator::{Scenario, demo};

const PARTIAL_ID: &str = "7d3e1f20-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

/// The demo plus `ci-partial`, owned by the demo user: with or without its
/// service principal, never with a role.
fn with_partial_app(service_principal: bool) -> Scenario {
    let mut s = Scenario::demo();
    s.apps.push(App {
        client_id: PARTIAL_ID.into(),
        tenant: demo::TENANT_ID.into(),
        display_name: Some("ci-partial".into()),
        object_id: None,
        secrets: vec![],
        federated_subjects: vec![],
        federated: vec![],
        service_principal,
        owners: vec![demo::CLI_USER.into()],
        can_create_apps: false,
    });
    s
}

#[test]
fn app_without_principal_is_completed() {
    let emu = Emu::start(with_partial_app(false));
    let w = world(&emu);
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-partial"],
    );
    assert_exit(&run, 0);
    assert_eq!(
        steps(&run),
        [
            "reused application",
            "created service principal",
            "assigned role assignment",
            "added client secret",
        ],
        "{}",
        run.both()
    );
    assert_eq!(credential(&w)["client_id"], PARTIAL_ID);
}

#[test]
fn principal_without_role_is_completed() {
    let emu = Emu::start(with_partial_app(true));
    let w = world(&emu);
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-partial"],
    );
    assert_exit(&run, 0);
    assert_eq!(
        steps(&run),
        [
            "reused application",
            "reused service principal",
            "assigned role assignment",
            "added client secret",
        ],
        "{}",
        run.both()
    );
    let puts: Vec<String> = writes(&emu)
        .into_iter()
        .filter(|l| l.starts_with("PUT"))
        .collect();
    assert_eq!(puts.len(), 1, "{puts:?}");
    assert!(puts[0].contains("/roleAssignments/") && puts[0].ends_with(" 201"));
}

#[test]
fn replication_delay_is_waited_out_with_progress() {
    let mut s = Scenario::demo();
    s.replication_delay_ms = 2500;
    let emu = Emu::start(s);
    let w = world(&emu);
    let run = init(&emu, &w, demo::PROD_SUBSCRIPTION_ID, &["--name", "ci-slow"]);
    assert_exit(&run, 0);
    assert!(
        run.stderr
            .contains("waiting for Azure to replicate the new service principal"),
        "{}",
        run.both()
    );
    assert!(run.stderr.contains("--wait-timeout"));
    assert!(
        run.stderr
            .contains("the new service principal is usable (after ")
    );
    assert!(run.stdout.contains("✓ role"), "{}", run.stdout);
}

#[test]
fn replication_past_the_deadline_fails_saying_so() {
    let mut s = Scenario::demo();
    s.replication_delay_ms = 60_000;
    let emu = Emu::start(s);
    let w = world(&emu);
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-slower", "--wait-timeout", "2"],
    );
    assert_exit(&run, 1);
    assert!(
        run.stderr.contains("still not usable after 2 s"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("re-run init"), "{}", run.stderr);
    // Nothing exported: the credential was never verified.
    assert!(!w.path().join("azure/secrets/ci-production.json").exists());
}

#[test]
fn graph_403_names_the_role_and_the_admin_commands() {
    let mut s = Scenario::demo();
    s.cli_sessions[0].can_create_apps = false;
    let emu = Emu::start(s);
    let w = world(&emu);
    let run = init(
        &emu,
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--name", "ci-denied"],
    );
    assert_exit(&run, 3);
    for part in [
        "Microsoft Graph refused to register the application",
        "Authorization_RequestDenied",
        "Application Developer",
        "az ad app create --display-name ci-denied",
        "az ad sp create --id",
        "re-run init",
    ] {
        assert!(run.stderr.contains(part), "{part}:\n{}", run.stderr);
    }
    assert!(writes(&emu).iter().all(|l| !l.ends_with(" 201")));
    assert!(credential(&w).is_null());
}

#[test]
fn authorization_failed_names_the_role_and_the_admin_command() {
    // The demo user may register apps but assign roles only on dev and
    // prod: the sandbox subscription is out of reach.
    let emu = Emu::demo();
    let w = world(&emu);
    let run = init(
        &emu,
        &w,
        demo::UNASSIGNED_SUBSCRIPTION_ID,
        &["--name", "ci-norole"],
    );
    assert_exit(&run, 3);
    for part in [
        "AuthorizationFailed",
        "Owner or User Access Administrator",
        "az role assignment create --assignee-object-id ",
        "--assignee-principal-type ServicePrincipal --role Contributor --scope /subscriptions/11111111-2222-4333-8444-555555555507",
    ] {
        assert!(run.stderr.contains(part), "{part}:\n{}", run.stderr);
    }
    // What was done before the refusal is shown; no secret was added to
    // an app whose credential could not be completed.
    assert_eq!(
        steps(&run),
        ["created application", "created service principal"],
        "{}",
        run.stdout
    );
    assert!(!writes(&emu).iter().any(|l| l.contains("addPassword")));
    assert!(credential(&w).is_null());
}
