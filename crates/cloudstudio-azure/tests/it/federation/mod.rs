//! Federation beyond GitHub: the `federated-token` source (a CI token in a
//! variable or a file), its export (the file's path, never its contents),
//! and the federated-credential doctor, against the emulator.

mod ado;
mod doctor;
mod token;

use crate::support::emu::Emu;
use crate::support::world::World;
use azure_emulator::scenario::{AzureDevops, FederatedCredential};
use azure_emulator::{Scenario, demo};
use serde_json::json;

/// GitLab's issuer, as a self-managed instance would have it.
pub const GITLAB_ISSUER: &str = "https://gitlab.example.com";
pub const GITLAB_SUBJECT: &str = "project_path:contoso/infra:ref_type:branch:ref:main";
/// An AKS cluster's OIDC issuer and a workload's service account.
pub const AKS_ISSUER: &str = "https://eastus.oic.prod-aks.azure.com/0000/1111/";
pub const AKS_SUBJECT: &str = "system:serviceaccount:ci:runner";
pub const AUDIENCE: &str = "api://AzureADTokenExchange";
/// An Azure DevOps organization's issuer and a service connection.
pub const ADO_ISSUER: &str = "https://vstoken.dev.azure.com/4f1c2d3e-0000-4000-8000-00000000a0d0";
pub const ADO_SUBJECT: &str = "sc://contoso/infra/azure-prod";
pub const ADO_CONNECTION: &str = "7d3e2c1b-aaaa-4bbb-8ccc-0000000000c0";
/// `System.AccessToken` in tests (a secret).
pub const ADO_ACCESS_TOKEN: &str = "ado-system-access-token-Qw9Zx";

/// The demo, with `ci-oidc` also trusting the GitLab project and the AKS
/// service account.
pub fn emulator() -> Emu {
    let mut s = Scenario::demo();
    let app = s
        .apps
        .iter_mut()
        .find(|a| a.client_id == demo::OIDC_CLIENT_ID)
        .expect("ci-oidc");
    for (issuer, subject) in [
        (GITLAB_ISSUER, GITLAB_SUBJECT),
        (AKS_ISSUER, AKS_SUBJECT),
        (ADO_ISSUER, ADO_SUBJECT),
    ] {
        app.federated.push(FederatedCredential {
            issuer: issuer.into(),
            subject: subject.into(),
            audiences: vec![AUDIENCE.into()],
        });
    }
    s.azure_devops = Some(AzureDevops {
        access_token: azure_emulator::Secret::new(ADO_ACCESS_TOKEN.into()),
        service_connection_id: ADO_CONNECTION.into(),
        issuer: ADO_ISSUER.into(),
        subject: ADO_SUBJECT.into(),
    });
    Emu::start(s)
}

/// A CI token signed as the emulator's issuers sign, valid for
/// `lifetime` seconds from now (negative: already expired).
pub fn ci_token(e: &Emu, iss: &str, sub: &str, aud: &str, lifetime: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64;
    let (iat, exp) = if lifetime > 0 {
        (now, now + lifetime)
    } else {
        (now + lifetime - 600, now + lifetime)
    };
    e.emu.sign_oidc_token(&json!({
        "iss": iss, "sub": sub, "aud": aud, "iat": iat, "nbf": iat, "exp": exp,
        "jti": format!("t-{now}-{lifetime}"),
    }))
}

/// `ci-oidc`'s ids in the ARM_* names (a GitLab job, Terraform style).
pub fn ids(e: &Emu) -> World {
    let mut w = e.world();
    w.env("ARM_CLIENT_ID", demo::OIDC_CLIENT_ID)
        .env("ARM_TENANT_ID", demo::TENANT_ID);
    w
}
