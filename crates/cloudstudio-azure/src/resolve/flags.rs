//! `--client-id`, `--tenant-id` (+ `--subscription-id`), the secret from
//! `--client-secret-stdin` or `AZURE_CLIENT_SECRET`: never from argv.

use super::credentials::SourceKind;
use super::probe::{Fields, Input, Probe};

pub fn probe(input: &Input<'_>) -> Probe {
    // An empty flag (`--client-id "$UNSET"`) counts as absent, like an empty variable.
    let given = |v: Option<&str>| v.is_some_and(|v| !v.trim().is_empty());
    // As for the variables: a client id or a secret makes the source
    // present; `--tenant-id` alone does not.
    let present = given(input.client_id) || input.secret_stdin.is_some();
    if !present {
        return Probe::Absent(if given(input.tenant_id) {
            "only --tenant-id given (no --client-id or secret): not a credential source".into()
        } else {
            "--client-id and --tenant-id not given".into()
        });
    }
    if input.secret_stdin.is_none() && input.vars.not_utf8(["AZURE_CLIENT_SECRET"]).is_some() {
        return Probe::Invalid(super::error::ResolveError::not_utf8("AZURE_CLIENT_SECRET"));
    }
    let secret = match &input.secret_stdin {
        Some(s) => Some(s.clone())
            .filter(|s| !s.trim().is_empty())
            .map(|s| (s, "--client-secret-stdin".to_owned())),
        None => input
            .vars
            .get("AZURE_CLIENT_SECRET")
            .map(|v| (v.to_owned(), "AZURE_CLIENT_SECRET".to_owned())),
    };
    let flag = |v: Option<&str>, name: &str| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| (v.to_owned(), name.to_owned()))
    };
    Fields {
        kind: SourceKind::Flags,
        client_id: flag(input.client_id, "--client-id"),
        tenant_id: flag(input.tenant_id, "--tenant-id"),
        subscription_id: flag(input.subscription_id, "--subscription-id"),
        secret,
        missing_secret: "a client secret (AZURE_CLIENT_SECRET or --client-secret-stdin)".into(),
        missing_names: ["--client-id".into(), "--tenant-id".into()],
        arm_endpoint: None,
        oidc_capable: true,
    }
    .into_probe()
}
