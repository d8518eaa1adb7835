//! The `managed-identity` source through the binary, against the
//! emulator's identity endpoints (plain http on 127.0.0.1, as on Azure):
//! IMDS and App Service, system- and user-assigned identities, when it is
//! asked for and when not, its refusals, and what export writes.

mod asking;
mod export;
mod refusals;

use crate::support::emu::Emu;
use crate::support::world::World;
use azure_emulator::{Route, Scenario, demo};

/// The machine's system-assigned identity: Contributor on prod.
pub const SYSTEM_MI: &str = "5a5a5a5a-0000-4000-8000-00000000a001";
/// A user-assigned identity: Contributor on prod.
pub const USER_MI: &str = "5a5a5a5a-0000-4000-8000-00000000a002";
/// A user-assigned identity with Reader only on prod.
pub const READER_MI: &str = "5a5a5a5a-0000-4000-8000-00000000a003";
/// App Service's IDENTITY_HEADER in these tests (a secret).
pub const HEADER: &str = "identity-header-Secret-9c1f";

/// The emulator of [`scenario`].
pub fn emulator() -> Emu {
    Emu::start(scenario())
}

/// The demo plus the machine's three identities.
pub fn scenario() -> Scenario {
    let yaml = format!(
        "tenants: [{{id: {t}}}]\n\
         subscriptions: [{{id: {p}, tenant: {t}, name: x}}]\n\
         managed_identities:\n\
         \x20 - {{client_id: {SYSTEM_MI}, tenant: {t}, name: runner-vm, system_assigned: true}}\n\
         \x20 - {{client_id: {USER_MI}, tenant: {t}, name: ci-identity}}\n\
         \x20 - {{client_id: {READER_MI}, tenant: {t}, name: ci-reader-identity}}\n\
         identity_header: \"{HEADER}\"\n\
         role_assignments:\n\
         \x20 - {{principal: {SYSTEM_MI}, subscription: {p}, role: Contributor}}\n\
         \x20 - {{principal: {USER_MI}, subscription: {p}, role: Contributor}}\n\
         \x20 - {{principal: {READER_MI}, subscription: {p}, role: Reader}}\n",
        t = demo::TENANT_ID,
        p = demo::PROD_SUBSCRIPTION_ID,
    );
    let extra = Scenario::from_yaml(&yaml).expect("identities scenario");
    // The demo's own system-assigned identity makes way for these.
    let mut s = Scenario::demo();
    s.role_assignments
        .retain(|r| r.principal != demo::MI_CLIENT_ID);
    s.managed_identities.retain(|m| !m.system_assigned);
    s.managed_identities.extend(extra.managed_identities);
    s.identity_header = extra.identity_header;
    s.role_assignments.extend(extra.role_assignments);
    s
}

/// A world on a VM: IMDS (moved to the emulator) and `ARM_USE_MSI=true`.
pub fn on_vm(e: &Emu) -> World {
    let mut w = e.world();
    w.env("IMDS_ENDPOINT", &e.emu.imds_endpoint())
        .env("ARM_USE_MSI", "true");
    w
}

/// A world in App Service: IDENTITY_ENDPOINT + `header`, `ARM_USE_MSI=true`.
pub fn in_app_service(e: &Emu, header: &str) -> World {
    let mut w = e.world();
    w.env("IDENTITY_ENDPOINT", &e.emu.identity_endpoint())
        .env("IDENTITY_HEADER", header)
        .env("ARM_USE_MSI", "true");
    w
}

/// The identity requests so far: (status, principal).
pub fn identity_requests(e: &Emu) -> Vec<(u16, Option<String>)> {
    e.emu
        .requests()
        .into_iter()
        .filter(|r| r.route == Route::Identity)
        .map(|r| (r.status, r.principal))
        .collect()
}

/// `args[0]` as the command, pointed at the emulator, for prod.
pub fn command(e: &Emu, cmd: &str, extra: &[&str]) -> Vec<String> {
    let mut args = e.args(demo::PROD_SUBSCRIPTION_ID, extra);
    args[0] = cmd.into();
    args
}

/// Runs `args` in `w`; asserts no secret, token or the identity header leaked.
pub fn run(e: &Emu, w: &World, args: &[String]) -> crate::support::Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = w.run(&args);
    e.assert_no_leak(&r, &args);
    for line in r.both().lines().filter(|l| !l.starts_with("::add-mask::")) {
        assert!(!line.contains(HEADER), "IDENTITY_HEADER leaked: {line}");
    }
    r
}
