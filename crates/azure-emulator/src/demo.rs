//! The built-in demo scenario and its well-known ids and (fake) secrets, for
//! `demo`, `emulator serve` without `--scenario`, and tests.
//!
//! Who can do what:
//!
//! | principal | credential | roles |
//! |---|---|---|
//! | [`CLIENT_ID`] (ci-deployer) | [`CLIENT_SECRET`] (Secret ID [`CLIENT_SECRET_ID`]) | Contributor on prod, stage, dev, disabled, warned |
//! | [`READER_CLIENT_ID`] (ci-reader) | [`READER_SECRET`] | Reader on prod, stage, dev |
//! | [`EXPIRED_CLIENT_ID`] (ci-expired) | [`EXPIRED_SECRET`], expired | Contributor on dev |
//! | [`OIDC_CLIENT_ID`] (ci-oidc) | federated subject [`GITHUB_SUBJECT`] | Contributor on prod, stage, dev |
//! | [`CLI_USER`] (`az login`) | [`CLI_ACCESS_TOKEN`], password [`CLI_PASSWORD`] | Contributor and User Access Administrator on dev, prod; may register apps (Graph) |
//! | [`MI_CLIENT_ID`] (runner-vm) | the machine's system-assigned managed identity (IMDS, App Service with [`IDENTITY_HEADER`]) | Contributor on prod, stage, dev |
//! | [`MI_USER_CLIENT_ID`] (ci-identity) | a user-assigned managed identity | Contributor on dev |
//!
//! Nobody has a role on [`UNASSIGNED_SUBSCRIPTION_ID`] (AuthorizationFailed)
//! or on [`OTHER_TENANT_SUBSCRIPTION_ID`], which lives in [`OTHER_TENANT_ID`]
//! (InvalidAuthenticationTokenTenant).

use super::scenario::{
    App, AppSecret, CliSession, GithubOidc, ManagedIdentity, Role, RoleAssignment, Scenario,
    Subscription, SubscriptionState, Tenant,
};
use crate::secret::Secret;

/// The Contoso tenant everything but one subscription lives in.
pub const TENANT_ID: &str = "4c6f7a1e-8d2b-4e3f-9a51-0b7c2d9e6f10";
/// [`TENANT_ID`]'s verified domain; the token endpoint accepts either.
pub const TENANT_DOMAIN: &str = "contoso.onmicrosoft.com";
/// `ci-deployer`: Contributor on prod, stage, dev (and the disabled/warned ones).
pub const CLIENT_ID: &str = "a1b2c3d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
/// [`CLIENT_ID`]'s valid secret value.
pub const CLIENT_SECRET: &str = "kR48Q~vN2pXw7yTzL5cHs9mBq3dFj6gKa1eUo0iW";
/// The portal's "Secret ID" of [`CLIENT_SECRET`]: pasting it gets AADSTS7000215.
pub const CLIENT_SECRET_ID: &str = "d3f1a9c2-7b4e-4f60-8a15-2c9e7b3d5f81";
/// `ci-reader`: Reader only (role too weak for Contributor checks).
pub const READER_CLIENT_ID: &str = "b7e2c915-3a4d-4c8e-b1f0-6d2a9e4c7b38";
pub const READER_SECRET: &str = "Tq27Q~hZ4mWc9xR1vB6nLp3sKd8yFg5jAe0tUi2O";
/// `ci-expired`: its only secret is expired (AADSTS7000222).
pub const EXPIRED_CLIENT_ID: &str = "c9d4e6f2-1b7a-4e3c-8d5f-0a2b4c6e8f13";
pub const EXPIRED_SECRET: &str = "Vx93Q~pL8kNw2rT6yC1mHs5bQz7dGf4jKa0eWu3I";
/// `ci-oidc`: no secret; trusts GitHub OIDC tokens with subject [`GITHUB_SUBJECT`].
pub const OIDC_CLIENT_ID: &str = "e5f7a9b1-6c2d-4f8e-a3b5-7d9c1e2f4a60";
/// A second tenant (Fabrikam) none of the demo apps belong to.
pub const OTHER_TENANT_ID: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";
pub const OTHER_TENANT_DOMAIN: &str = "fabrikam.onmicrosoft.com";
/// Enabled subscriptions in [`TENANT_ID`].
pub const PROD_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555501";
pub const STAGE_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555502";
pub const DEV_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555503";
/// State `Disabled` (ci-deployer can read it).
pub const DISABLED_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555504";
/// State `Warned` (ci-deployer can read it).
pub const WARNED_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555505";
/// In [`OTHER_TENANT_ID`]; no demo principal has a role there.
pub const OTHER_TENANT_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555506";
/// Enabled, in [`TENANT_ID`], but nobody has a role on it (403 AuthorizationFailed).
pub const UNASSIGNED_SUBSCRIPTION_ID: &str = "11111111-2222-4333-8444-555555555507";
/// The `az login` user.
pub const CLI_USER: &str = "dev@contoso.com";
/// What `az account get-access-token` hands out for [`CLI_USER`]; Resource
/// Manager and Graph accept it as is.
pub const CLI_ACCESS_TOKEN: &str = "emu-cli.Wm9yZ2VkQ2xpU2Vzc2lvbi1kZXYtY29udG9zbw.9f3b1c7e2a";
/// [`CLI_USER`]'s password: `az login --username dev@contoso.com --password ...`.
pub const CLI_PASSWORD: &str = "Dev-Passw0rd!emulator";
/// The emulated machine's system-assigned managed identity (`runner-vm`).
pub const MI_CLIENT_ID: &str = "3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e01";
/// A user-assigned managed identity (`ci-identity`), Contributor on dev.
pub const MI_USER_CLIENT_ID: &str = "3d5e7f90-1a2b-4c3d-8e4f-5a6b7c8d9e02";
/// App Service's `IDENTITY_HEADER` for the demo's identity endpoint.
pub const IDENTITY_HEADER: &str = "emu-identity-header-7Hq2Zx4Lm9";
/// `ACTIONS_ID_TOKEN_REQUEST_TOKEN` for the emulated runner.
pub const GITHUB_REQUEST_TOKEN: &str = "ghrt_6Yc2Lw9QpT4mZ8xK1vN7bR3sD5fH0jGa";
/// The OIDC token's subject; [`OIDC_CLIENT_ID`] has it as a federated credential.
pub const GITHUB_SUBJECT: &str = "repo:contoso/infra:ref:refs/heads/main";

impl Scenario {
    /// The demo directory described in [`crate::demo`].
    // A data table: one entry per tenant, app, subscription and role.
    #[allow(clippy::too_many_lines)]
    pub fn demo() -> Scenario {
        let app = |client_id: &str, name: &str, secrets: Vec<AppSecret>, subjects: &[&str]| App {
            client_id: client_id.into(),
            tenant: TENANT_ID.into(),
            display_name: Some(name.into()),
            object_id: None,
            secrets,
            federated_subjects: subjects.iter().map(|s| s.to_string()).collect(),
            federated: vec![],
            service_principal: true,
            owners: vec![],
            can_create_apps: false,
        };
        let secret = |value: &str, id: &str, expired: bool| AppSecret {
            value: Secret::new(value.into()),
            id: Some(id.into()),
            expired,
        };
        let sub = |id: &str, tenant: &str, name: &str, state| Subscription {
            id: id.into(),
            tenant: tenant.into(),
            name: name.into(),
            state,
        };
        let role = |principal: &str, subscription: &str, role| RoleAssignment {
            principal: principal.into(),
            subscription: subscription.into(),
            role,
        };
        use Role::*;
        use SubscriptionState::*;
        let mut roles = Vec::new();
        for s in [
            PROD_SUBSCRIPTION_ID,
            STAGE_SUBSCRIPTION_ID,
            DEV_SUBSCRIPTION_ID,
            DISABLED_SUBSCRIPTION_ID,
            WARNED_SUBSCRIPTION_ID,
        ] {
            roles.push(role(CLIENT_ID, s, Contributor));
        }
        for s in [
            PROD_SUBSCRIPTION_ID,
            STAGE_SUBSCRIPTION_ID,
            DEV_SUBSCRIPTION_ID,
        ] {
            roles.push(role(READER_CLIENT_ID, s, Reader));
            roles.push(role(OIDC_CLIENT_ID, s, Contributor));
            roles.push(role(MI_CLIENT_ID, s, Contributor));
        }
        roles.push(role(MI_USER_CLIENT_ID, DEV_SUBSCRIPTION_ID, Contributor));
        roles.push(role(EXPIRED_CLIENT_ID, DEV_SUBSCRIPTION_ID, Contributor));
        // The developer deploys to dev and prod and may grant access there
        // (what `init` needs), but cannot touch stage.
        for s in [DEV_SUBSCRIPTION_ID, PROD_SUBSCRIPTION_ID] {
            roles.push(role(CLI_USER, s, Contributor));
            roles.push(role(CLI_USER, s, UserAccessAdministrator));
        }

        Scenario {
            tenants: vec![
                Tenant {
                    id: TENANT_ID.into(),
                    domain: Some(TENANT_DOMAIN.into()),
                    display_name: Some("Contoso".into()),
                },
                Tenant {
                    id: OTHER_TENANT_ID.into(),
                    domain: Some(OTHER_TENANT_DOMAIN.into()),
                    display_name: Some("Fabrikam".into()),
                },
            ],
            apps: vec![
                app(
                    CLIENT_ID,
                    "ci-deployer",
                    vec![secret(CLIENT_SECRET, CLIENT_SECRET_ID, false)],
                    &[],
                ),
                app(
                    READER_CLIENT_ID,
                    "ci-reader",
                    vec![secret(
                        READER_SECRET,
                        "0f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910",
                        false,
                    )],
                    &[],
                ),
                app(
                    EXPIRED_CLIENT_ID,
                    "ci-expired",
                    vec![secret(
                        EXPIRED_SECRET,
                        "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d",
                        true,
                    )],
                    &[],
                ),
                app(OIDC_CLIENT_ID, "ci-oidc", vec![], &[GITHUB_SUBJECT]),
            ],
            subscriptions: vec![
                sub(
                    PROD_SUBSCRIPTION_ID,
                    TENANT_ID,
                    "Contoso Production",
                    Enabled,
                ),
                sub(STAGE_SUBSCRIPTION_ID, TENANT_ID, "Contoso Stage", Enabled),
                sub(
                    DEV_SUBSCRIPTION_ID,
                    TENANT_ID,
                    "Contoso Development",
                    Enabled,
                ),
                sub(
                    DISABLED_SUBSCRIPTION_ID,
                    TENANT_ID,
                    "Contoso Legacy",
                    Disabled,
                ),
                sub(WARNED_SUBSCRIPTION_ID, TENANT_ID, "Contoso Trial", Warned),
                sub(
                    OTHER_TENANT_SUBSCRIPTION_ID,
                    OTHER_TENANT_ID,
                    "Fabrikam Production",
                    Enabled,
                ),
                sub(
                    UNASSIGNED_SUBSCRIPTION_ID,
                    TENANT_ID,
                    "Contoso Sandbox",
                    Enabled,
                ),
            ],
            role_assignments: roles,
            cli_sessions: vec![CliSession {
                name: CLI_USER.into(),
                tenant: TENANT_ID.into(),
                access_token: Secret::new(CLI_ACCESS_TOKEN.into()),
                object_id: None,
                display_name: Some("Dev".into()),
                password: Some(Secret::new(CLI_PASSWORD.into())),
                can_create_apps: true,
            }],
            github_oidc: Some(GithubOidc {
                request_token: Secret::new(GITHUB_REQUEST_TOKEN.into()),
                subject: GITHUB_SUBJECT.into(),
                expired: false,
            }),
            azure_devops: None,
            managed_identities: vec![
                ManagedIdentity {
                    client_id: MI_CLIENT_ID.into(),
                    tenant: TENANT_ID.into(),
                    object_id: None,
                    name: Some("runner-vm".into()),
                    system_assigned: true,
                },
                ManagedIdentity {
                    client_id: MI_USER_CLIENT_ID.into(),
                    tenant: TENANT_ID.into(),
                    object_id: None,
                    name: Some("ci-identity".into()),
                    system_assigned: false,
                },
            ],
            identity_header: Some(Secret::new(IDENTITY_HEADER.into())),
            latency_ms: 0,
            replication_delay_ms: 0,
            faults: vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_is_valid() {
        super::Scenario::demo()
            .validate()
            .expect("demo scenario validates");
    }
}
