//! `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET` + `AZURE_TENANT_ID`
//! (+ `AZURE_SUBSCRIPTION_ID`), and the same with the `ARM_` prefix that
//! Terraform's azurerm provider reads.

use super::credentials::SourceKind;
use super::probe::{Fields, Probe};
use crate::vars::Vars;

pub fn probe(kind: SourceKind, vars: &Vars) -> Probe {
    let prefix = match kind {
        SourceKind::AzureEnv => "AZURE",
        _ => "ARM",
    };
    let name = |field: &str| format!("{prefix}_{field}");
    let (client, secret, tenant, sub) = (
        name("CLIENT_ID"),
        name("CLIENT_SECRET"),
        name("TENANT_ID"),
        name("SUBSCRIPTION_ID"),
    );
    if let Some(bad) = vars.not_utf8([&client, &secret, &tenant, &sub].map(String::as_str)) {
        return Probe::Invalid(super::error::ResolveError::not_utf8(bad));
    }
    let present = [&client, &secret, &tenant].iter().any(|n| vars.is_set(n));
    if !present {
        let reason = if vars.is_set(&sub) {
            format!(
                "only {sub} is set; a subscription alone is not a credential source (use --subscription-id or cloudstudio.yml)"
            )
        } else {
            format!("{client}, {secret}, {tenant} are not set")
        };
        return Probe::Absent(reason);
    }
    Fields {
        kind,
        client_id: vars.get(&client).map(|v| (v.to_owned(), client.clone())),
        tenant_id: vars.get(&tenant).map(|v| (v.to_owned(), tenant.clone())),
        subscription_id: vars.get(&sub).map(|v| (v.to_owned(), sub.clone())),
        secret: vars.get(&secret).map(|v| (v.to_owned(), secret.clone())),
        missing_secret: secret.clone(),
        missing_names: [client.clone(), tenant.clone()],
        arm_endpoint: None,
        oidc_capable: true,
    }
    .into_probe()
}
