//! Point 8: a subscription delegated to the credential's tenant (Azure
//! Lighthouse: `managedByTenants`) passes the tenant check with a note.

use crate::support::emu::{Emu, assert_exit};
use azure_emulator::scenario::{App, AppSecret, RoleAssignment};
use azure_emulator::{Role, Scenario, demo};

const MSP_CLIENT_ID: &str = "f0e1d2c3-b4a5-4968-8776-655443322110";
const MSP_SECRET: &str = "Mp55Q~managedServiceProviderSecret0001";

#[test]
fn a_subscription_delegated_to_the_credentials_tenant_passes_with_a_note() {
    let mut s = Scenario::demo();
    s.apps.push(App {
        client_id: MSP_CLIENT_ID.into(),
        tenant: demo::OTHER_TENANT_ID.into(),
        display_name: Some("msp-deployer".into()),
        object_id: None,
        secrets: vec![AppSecret {
            value: azure_emulator::Secret::new(MSP_SECRET.into()),
            id: None,
            expired: false,
        }],
        federated_subjects: vec![],
        federated: vec![],
        service_principal: true,
        owners: vec![],
        can_create_apps: false,
    });
    s.role_assignments.push(RoleAssignment {
        principal: MSP_CLIENT_ID.into(),
        subscription: demo::PROD_SUBSCRIPTION_ID.into(),
        role: Role::Contributor,
    });
    let e = Emu::start(s);
    let w = e.app_in(MSP_CLIENT_ID, MSP_SECRET, demo::OTHER_TENANT_ID);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    let tenant = r
        .stdout
        .lines()
        .find(|l| l.starts_with("✓ tenant"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        tenant.contains("delegated to the credentials' tenant"),
        "{tenant}"
    );
    assert!(tenant.contains("managedByTenants"), "{tenant}");
}
