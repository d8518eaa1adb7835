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
    // A client id or a secret makes the source present; tenant and
    // subscription ids alone are Terraform's `ARM_USE_CLI` setup for the az
    // session, not a credential.
    let present = [&client, &secret].iter().any(|n| vars.is_set(n));
    if !present {
        let set: Vec<&str> = [&tenant, &sub]
            .into_iter()
            .filter(|n| vars.is_set(n))
            .map(String::as_str)
            .collect();
        let reason = if set.is_empty() {
            format!("{client}, {secret}, {tenant} are not set")
        } else if vars.is_set(&sub) {
            format!(
                "only {} set (no client id or secret): not a credential source; {sub} names the az session's subscription",
                set.join(" and ")
            )
        } else {
            format!(
                "only {} set (no client id or secret): not a credential source",
                set.join(" and ")
            )
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
