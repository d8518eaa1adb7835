//! Resource Manager outcomes: subscription states, tenants, roles.

use super::*;

#[test]
fn subscription_refusals_and_states() {
    let env = start(Scenario::demo());
    env.verify(&DEPLOYER, demo::UNASSIGNED_SUBSCRIPTION_ID, &[])
        .assert(
            3,
            &[
                "✗ subscription",
                "no role",
                "AuthorizationFailed",
                "Access control (IAM)",
            ],
        );
    env.verify(&DEPLOYER, "11111111-2222-4333-8444-999999999999", &[])
        .assert(3, &["was not found", "SubscriptionNotFound"]);
    env.verify(&DEPLOYER, demo::DISABLED_SUBSCRIPTION_ID, &[])
        .assert(3, &["✗ subscription", "is Disabled", "- tenant", "- role"]);
    let warned = env.verify(&DEPLOYER, demo::WARNED_SUBSCRIPTION_ID, &[]);
    warned.assert(0, &["! subscription", "is Warned", "✓ role"]);
    assert!(
        warned.stderr.contains("warning: subscription"),
        "{}",
        warned.stderr
    );
}

#[test]
fn past_due_passes_and_deleted_fails() {
    let mut scenario = Scenario::demo();
    for s in &mut scenario.subscriptions {
        if s.id == demo::DEV_SUBSCRIPTION_ID {
            s.state = azure_emulator::SubscriptionState::PastDue;
        }
        if s.id == demo::STAGE_SUBSCRIPTION_ID {
            s.state = azure_emulator::SubscriptionState::Deleted;
        }
    }
    let env = start(scenario);
    env.verify(&DEPLOYER, demo::DEV_SUBSCRIPTION_ID, &[])
        .assert(0, &["is PastDue"]);
    env.verify(&DEPLOYER, demo::STAGE_SUBSCRIPTION_ID, &[])
        .assert(3, &["is Deleted"]);
}

#[test]
fn tenant_mismatch_either_way() {
    // Resource Manager refuses a token from the wrong tenant outright.
    let env = start(Scenario::demo());
    env.verify(&DEPLOYER, demo::OTHER_TENANT_SUBSCRIPTION_ID, &[])
        .assert(
            3,
            &[
                "belongs to tenant",
                demo::OTHER_TENANT_ID,
                "InvalidAuthenticationTokenTenant",
            ],
        );

    // ... or serves it through a delegation: the tenant check catches it.
    let mut scenario = Scenario::demo();
    scenario.role_assignments.push(RoleAssignment {
        principal: demo::CLIENT_ID.into(),
        subscription: demo::OTHER_TENANT_SUBSCRIPTION_ID.into(),
        role: Role::Contributor,
    });
    let env = start(scenario);
    env.verify(&DEPLOYER, demo::OTHER_TENANT_SUBSCRIPTION_ID, &[])
        .assert(
            3,
            &[
                "✓ subscription",
                "✗ tenant",
                demo::OTHER_TENANT_ID,
                "- role",
            ],
        );
}

#[test]
fn invalid_token_at_resource_manager() {
    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(401),
        code: Some("InvalidAuthenticationToken".into()),
        ..fault(FaultRoute::Subscription)
    }));
    env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(
            3,
            &["rejected the access token", "InvalidAuthenticationToken"],
        );
}

#[test]
fn reader_only_against_each_requirement() {
    let env = start(Scenario::demo());
    let reader = [
        ("AZURE_CLIENT_ID", demo::READER_CLIENT_ID),
        ("AZURE_CLIENT_SECRET", demo::READER_SECRET),
        ("AZURE_TENANT_ID", demo::TENANT_ID),
    ];
    env.verify(&reader, demo::PROD_SUBSCRIPTION_ID, &[]).assert(
        3,
        &[
            "✗ role",
            "Reader only",
            "Access control (IAM) > Add > Add role assignment > Contributor",
            demo::READER_CLIENT_ID,
            "steps 12-18",
        ],
    );
    env.verify(
        &reader,
        demo::PROD_SUBSCRIPTION_ID,
        &["--require", "reader"],
    )
    .assert(0, &["✓ role", "Reader only"]);
    env.verify(&reader, demo::PROD_SUBSCRIPTION_ID, &["--require", "none"])
        .assert(0, &["- role", "--require none"]);
}
