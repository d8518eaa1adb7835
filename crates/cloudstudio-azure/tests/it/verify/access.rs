//! Access not sufficient (exit 3): every Entra ID and Resource Manager
//! refusal maps to a failed check that names the cause and the fix.

use super::*;
use azure_emulator::{Fault, FaultRoute};

/// Runs `verify` in text and JSON mode; both exit 3 and agree. Returns the
/// failed check (JSON) and the text report.
fn refused(e: &Emu, w: &World, subscription: &str, extra: &[&str], failed: &str) -> (Value, Run) {
    let text = e.verify(w, subscription, extra);
    assert_exit(&text, 3);
    let mut json_args = extra.to_vec();
    json_args.extend(["--output", "json"]);
    let r = e.verify(w, subscription, &json_args);
    assert_exit(&r, 3);
    let doc = r.json();
    assert_eq!(doc["passed"], false, "{doc}");
    let fails: Vec<_> = statuses(&doc)
        .into_iter()
        .filter(|(_, s)| s == "fail")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(fails, [failed], "{doc}");
    let c = check(&doc, failed).clone();
    assert!(c["fix"].as_str().is_some_and(|f| !f.is_empty()), "{c}");
    // The text report shows the same failure and its fix (a block: one
    // line per step, the first after `fix: `).
    let fix_text = c["fix"].as_str().expect("fix");
    let mut expected = vec![format!("✗ {failed}")];
    for (i, line) in fix_text.lines().enumerate() {
        expected.push(if i == 0 {
            format!("fix: {line}")
        } else {
            line.to_owned()
        });
    }
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_mentions(&text.stdout, &expected);
    (c, text)
}

fn detail(c: &Value) -> &str {
    c["detail"].as_str().expect("detail")
}

fn fix(c: &Value) -> &str {
    c["fix"].as_str().expect("fix")
}

/// A token refusal skips every later check and makes no ARM request.
fn token_refused(e: &Emu, w: &World, subscription: &str) -> Value {
    let (c, text) = refused(e, w, subscription, &[], "token");
    assert_mentions(&text.stdout, &["- subscription", "- tenant", "- role"]);
    assert_eq!(
        e.count(Route::Subscription) + e.count(Route::Permissions),
        0
    );
    // Not retried: one token request per run (text + JSON).
    assert_eq!(e.count(Route::Token), 2, "{:?}", e.log());
    c
}

#[test]
fn wrong_secret_is_7000215() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, "Xx11Q~not-the-secret-value-at-all-000000");
    let c = token_refused(&e, &w, demo::PROD_SUBSCRIPTION_ID);
    assert_mentions(detail(&c), &["AADSTS7000215", "rejected the client secret"]);
    assert_mentions(fix(&c), &["Value", "not its Secret ID"]);
}

#[test]
fn secret_id_pasted_instead_of_value_is_7000215() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET_ID);
    let c = token_refused(&e, &w, demo::PROD_SUBSCRIPTION_ID);
    assert_mentions(detail(&c), &["AADSTS7000215", "secret ID"]);
    assert_mentions(fix(&c), &["Certificates & secrets", "not its Secret ID"]);
}

#[test]
fn expired_secret_is_7000222() {
    let e = Emu::demo();
    let w = e.app(demo::EXPIRED_CLIENT_ID, demo::EXPIRED_SECRET);
    let c = token_refused(&e, &w, demo::DEV_SUBSCRIPTION_ID);
    assert_mentions(detail(&c), &["AADSTS7000222", "expired"]);
    assert_mentions(fix(&c), &["New client secret", "update the CI secret"]);
}

#[test]
fn app_not_in_tenant_is_700016() {
    let e = Emu::demo();
    let w = e.app_in(demo::CLIENT_ID, demo::CLIENT_SECRET, demo::OTHER_TENANT_ID);
    let c = token_refused(&e, &w, demo::PROD_SUBSCRIPTION_ID);
    assert_mentions(
        detail(&c),
        &[
            "AADSTS700016",
            "was not found in the tenant",
            demo::CLIENT_ID,
        ],
    );
    assert_mentions(fix(&c), &["client id", "tenant id"]);
}

#[test]
fn unknown_tenant_is_90002() {
    let e = Emu::demo();
    let tenant = "0b0b0b0b-0000-4000-8000-000000000000";
    let w = e.app_in(demo::CLIENT_ID, demo::CLIENT_SECRET, tenant);
    let c = token_refused(&e, &w, demo::PROD_SUBSCRIPTION_ID);
    assert_mentions(detail(&c), &["AADSTS90002", "tenant was not found", tenant]);
    assert_mentions(fix(&c), &["Directory (tenant) ID"]);
    // An unknown domain is "not found" too, not "malformed".
    let e = Emu::demo();
    let w = e.app_in(demo::CLIENT_ID, demo::CLIENT_SECRET, "nowhere.example.com");
    let c = token_refused(&e, &w, demo::PROD_SUBSCRIPTION_ID);
    assert_mentions(detail(&c), &["AADSTS90002"]);
}

/// 900023 (malformed tenant) cannot be reached with a real value: the CLI
/// accepts exactly what `ids::is_tenant` accepts (a GUID or a DNS name) and
/// the emulator answers 900023 for exactly what `is_tenant` rejects (and
/// azure_identity refuses other characters before any request). So the
/// emulator injects Entra's answer and this checks the mapping.
#[test]
fn malformed_tenant_is_900023() {
    let e = Emu::start(Scenario::demo().with_fault(Fault {
        route: FaultRoute::Token,
        code: Some("AADSTS900023".into()),
        status: Some(400),
        ..Fault::default()
    }));
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let c = token_refused(&e, &w, demo::PROD_SUBSCRIPTION_ID);
    assert_mentions(detail(&c), &["AADSTS900023", "malformed"]);
    assert_mentions(fix(&c), &["Directory (tenant) ID GUID"]);
}

/// A GitHub OIDC world for the demo's `ci-oidc` app.
pub fn oidc_world(e: &Emu) -> World {
    let mut w = e.world();
    w.env("AZURE_CLIENT_ID", demo::OIDC_CLIENT_ID)
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", &e.emu.oidc_request_url())
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            &e.emu.oidc_request_token(),
        );
    w
}

fn oidc_scenario(subject: &str, expired: bool) -> Scenario {
    let mut s = Scenario::demo();
    let gh = s.github_oidc.as_mut().expect("demo has github_oidc");
    gh.subject = subject.into();
    gh.expired = expired;
    s
}

#[test]
fn oidc_subject_mismatch_is_700213_and_names_the_subject() {
    let subject = "repo:contoso/infra:ref:refs/heads/feature/x";
    let e = Emu::start(oidc_scenario(subject, false));
    let w = oidc_world(&e);
    let (c, _) = refused(&e, &w, demo::PROD_SUBSCRIPTION_ID, &[], "token");
    assert_mentions(
        detail(&c),
        &[
            "AADSTS700213",
            "no federated credential",
            &format!("sub `{subject}`"),
            "mismatch: sub:",
        ],
    );
    assert_mentions(fix(&c), &["Federated credentials", "GitHub Actions"]);
    assert_eq!(e.count(Route::Oidc), 2);
}

#[test]
fn oidc_subject_differing_in_case_is_7002138() {
    let subject = "repo:Contoso/infra:ref:refs/heads/main";
    let e = Emu::start(oidc_scenario(subject, false));
    let w = oidc_world(&e);
    let (c, _) = refused(&e, &w, demo::PROD_SUBSCRIPTION_ID, &[], "token");
    assert_mentions(detail(&c), &["AADSTS7002138", subject]);
    assert_mentions(fix(&c), &["Federated credentials"]);
}

#[test]
fn expired_oidc_assertion_is_700024() {
    let e = Emu::start(oidc_scenario(demo::GITHUB_SUBJECT, true));
    let w = oidc_world(&e);
    let (c, _) = refused(&e, &w, demo::PROD_SUBSCRIPTION_ID, &[], "token");
    assert_mentions(detail(&c), &["AADSTS700024", "expired"]);
    assert_mentions(fix(&c), &["clock"]);
}

#[test]
fn unknown_subscription_is_404_subscription_not_found() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let missing = "11111111-2222-4333-8444-5555555555ff";
    let (c, text) = refused(&e, &w, missing, &[], "subscription");
    assert_mentions(
        detail(&c),
        &["subscription was not found", "404", "SubscriptionNotFound"],
    );
    assert_mentions(fix(&c), &["check the subscription id"]);
    assert_mentions(&text.stdout, &["✓ token", "- role"]);
}

#[test]
fn no_role_on_the_subscription_is_403_authorization_failed() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::UNASSIGNED_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 3);
    let doc = r.json();
    let sub = check(&doc, "subscription");
    assert_eq!(sub["status"], "fail", "{doc}");
    assert_mentions(
        detail(sub),
        &["no role on the subscription", "403", "AuthorizationFailed"],
    );
    assert_mentions(fix(sub), &["Access control (IAM)", "Add role assignment"]);
    // The permissions read itself succeeds (empty); the role check, if
    // reported, is not a pass.
    assert_ne!(check(&doc, "role")["status"], "pass", "{doc}");
    let text = e.verify(&w, demo::UNASSIGNED_SUBSCRIPTION_ID, &[]);
    assert_exit(&text, 3);
    assert_mentions(
        &text.stdout,
        &[
            "✗ subscription",
            &format!(
                "fix: az role assignment create --assignee {} --role Contributor --scope /subscriptions/{}",
                demo::CLIENT_ID,
                demo::UNASSIGNED_SUBSCRIPTION_ID
            ),
            "or in the Azure portal: Subscriptions > ",
        ],
    );
}

#[test]
fn disabled_subscription_fails() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let (c, _) = refused(&e, &w, demo::DISABLED_SUBSCRIPTION_ID, &[], "subscription");
    assert_mentions(
        detail(&c),
        &["Contoso Legacy", "is Disabled", "cannot be deployed"],
    );
    assert_mentions(fix(&c), &["Reactivate"]);
}

#[test]
fn subscription_in_another_tenant_is_a_tenant_mismatch() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let (c, text) = refused(&e, &w, demo::OTHER_TENANT_SUBSCRIPTION_ID, &[], "tenant");
    assert_mentions(
        detail(&c),
        &["another tenant", "InvalidAuthenticationTokenTenant"],
    );
    assert_mentions(fix(&c), &["tenant id the subscription belongs to"]);
    assert_mentions(&text.stdout, &["✓ token"]);
}

#[test]
fn reader_only_fails_the_default_require_with_the_iam_fix() {
    let e = Emu::demo();
    let w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    let (c, text) = refused(&e, &w, demo::PROD_SUBSCRIPTION_ID, &[], "role");
    assert_mentions(
        detail(&c),
        &["Reader only", "--require contributor needs Contributor"],
    );
    assert_mentions(
        fix(&c),
        &[
            "Access control (IAM)",
            "Add role assignment > Contributor >",
            "Roles and Permissions",
        ],
    );
    assert_mentions(
        &text.stdout,
        &["✓ token", "✓ subscription", "✓ tenant", "✗ role"],
    );
    assert!(
        !text.stderr.contains("access is sufficient"),
        "{}",
        text.stderr
    );
}

#[test]
fn github_actions_reports_access_failures_without_leaking() {
    let e = Emu::demo();
    let mut w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    w.env("GITHUB_ACTIONS", "true");
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    let first = r.stdout.lines().next().unwrap_or_default();
    assert_eq!(first, format!("::add-mask::{}", demo::READER_SECRET));
    assert_mentions(&r.stdout, &["✗ role"]);
}

/// A Resource Manager this tenant does not know (the wrong cloud): Entra
/// ID refuses the scope with AADSTS500011.
#[test]
fn unknown_resource_is_500011() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let base = e.emu.base_url();
    let args = [
        "verify",
        "--cloud",
        "custom",
        "--authority-host",
        &base,
        "--arm-endpoint",
        "https://127.0.0.1:1",
        "--subscription-id",
        demo::PROD_SUBSCRIPTION_ID,
    ];
    let r = w.run(&args);
    e.assert_no_leak(&r, &args);
    assert_exit(&r, 3);
    assert_mentions(
        &r.stdout,
        &["✗ token", "wrong cloud", "AADSTS500011", "--cloud"],
    );
    assert_eq!(e.count(Route::Subscription), 0);
}

#[test]
fn a_token_resource_manager_rejects_fails_the_subscription_read() {
    let e = Emu::start(Scenario::demo().with_fault(Fault {
        route: FaultRoute::Subscription,
        status: Some(401),
        code: Some("InvalidAuthenticationToken".into()),
        ..Fault::default()
    }));
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    // Entra ID issued the token (shown as it happened); Resource Manager's
    // refusal fails the read it refused.
    let (c, text) = refused(&e, &w, demo::PROD_SUBSCRIPTION_ID, &[], "subscription");
    assert_mentions(
        detail(&c),
        &["rejected the access token", "InvalidAuthenticationToken"],
    );
    assert_mentions(fix(&c), &["--cloud"]);
    assert_mentions(&text.stdout, &["✓ token", "✗ subscription", "- tenant"]);
}

#[test]
fn past_due_passes_with_a_warning_and_deleted_fails() {
    let mut scenario = Scenario::demo();
    for s in &mut scenario.subscriptions {
        if s.id == demo::DEV_SUBSCRIPTION_ID {
            s.state = azure_emulator::SubscriptionState::PastDue;
        }
        if s.id == demo::STAGE_SUBSCRIPTION_ID {
            s.state = azure_emulator::SubscriptionState::Deleted;
        }
    }
    let e = Emu::start(scenario);
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::DEV_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert_mentions(&r.stdout, &["! subscription", "is PastDue", "✓ role"]);
    assert_mentions(&r.stderr, &["warning: subscription"]);
    let (c, _) = refused(&e, &w, demo::STAGE_SUBSCRIPTION_ID, &[], "subscription");
    assert_mentions(detail(&c), &["is Deleted", "cannot be deployed"]);
}

/// A subscription of another tenant served through a delegation (a role
/// across tenants): Resource Manager answers, the tenant check refuses.
#[test]
fn a_delegated_subscription_of_another_tenant_passes_the_tenant_check_with_a_note() {
    // Issue 10, point 8: Azure accepts a token from a tenant the
    // subscription is delegated to (managedByTenants, Azure Lighthouse).
    let mut scenario = Scenario::demo();
    scenario
        .role_assignments
        .push(azure_emulator::scenario::RoleAssignment {
            principal: demo::CLIENT_ID.into(),
            subscription: demo::OTHER_TENANT_SUBSCRIPTION_ID.into(),
            role: azure_emulator::Role::Contributor,
        });
    let e = Emu::start(scenario);
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::OTHER_TENANT_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert_mentions(
        &r.stdout,
        &[
            "✓ subscription",
            &format!(
                "✓ tenant       the subscription is in tenant {}, delegated to the credentials' tenant {}",
                demo::OTHER_TENANT_ID,
                demo::TENANT_ID
            ),
            "✓ role",
        ],
    );
}
