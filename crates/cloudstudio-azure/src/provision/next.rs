//! The next steps `init` prints: which CI secrets or variables to set and
//! the pipeline snippet for the CI system the credential is for. Text
//! only; the value of a secret is never part of it.

use super::graph::Federated;
use super::sh_quote;
use crate::ids::Environment;

/// `init --help`'s examples.
pub const INIT_EXAMPLES: &str = "\
Examples:
  # An app with a client secret and Contributor on the subscription, exported for production
  cloudstudio-azure init --subscription-id <GUID> --environment production

  # What it would create or reuse; writes nothing anywhere
  cloudstudio-azure init --subscription-id <GUID> --dry-run

  # No secret at all: GitHub Actions' OIDC token for the main branch
  cloudstudio-azure init --subscription-id <GUID> --federated github:acme/infra:branch:main

Idempotent by the app's name: a re-run reuses the app, its principal and the role
assignment, and reuses the exported secret while the app still lists it (a secret's
value cannot be read back from Azure, so without the exported file it adds one).";

/// For a client secret: `gh secret set` reading the credential file (the
/// CloudStudio shape is one of the shapes `AZURE_CREDENTIALS` accepts).
pub fn secret(cred_path: &str, env: Environment) -> String {
    format!(
        "next steps:\n  # store the credential as a CI secret (read from the file, never shown):\n  gh secret set AZURE_CREDENTIALS < {}\n  # then, in the workflow:\n  - uses: cloudstudio/cloudstudio-azure@v0\n    with:\n      creds: ${{{{ secrets.AZURE_CREDENTIALS }}}}\n      environment: {env}\n",
        sh_quote(cred_path)
    )
}

/// For federated credentials: the ids to set and each CI system's snippet.
pub fn federated(
    client_id: &str,
    tenant: &str,
    subscription: &str,
    env: Environment,
    federated: &[Federated],
) -> String {
    let mut t = format!(
        "not verified here: a federated credential gets its token from the CI system; the pipeline's first `cloudstudio-azure verify` checks it\nnext steps (no secret: these ids are not sensitive):\n  AZURE_CLIENT_ID={client_id}\n  AZURE_TENANT_ID={tenant}\n  AZURE_SUBSCRIPTION_ID={subscription}\n"
    );
    let issuers: Vec<&str> = federated.iter().map(|f| f.issuer.as_str()).collect();
    if issuers.iter().any(|i| i.contains("githubusercontent")) {
        t.push_str(&format!(
            "  # GitHub Actions: gh variable set AZURE_CLIENT_ID --body {client_id} (and the other two), then:\n  permissions: {{ id-token: write, contents: read }}\n  - uses: cloudstudio/cloudstudio-azure@v0\n    with:\n      client-id: ${{{{ vars.AZURE_CLIENT_ID }}}}\n      tenant-id: ${{{{ vars.AZURE_TENANT_ID }}}}\n      subscription-id: ${{{{ vars.AZURE_SUBSCRIPTION_ID }}}}\n      environment: {env}\n"
        ));
    }
    if issuers.iter().any(|i| i.contains("gitlab")) {
        t.push_str("  # GitLab CI: set the three as CI/CD variables, then in the job:\n  id_tokens:\n    ARM_OIDC_TOKEN:\n      aud: api://AzureADTokenExchange\n  script: cloudstudio-azure export\n");
    }
    if issuers.iter().any(|i| i.contains("vstoken")) {
        t.push_str("  # Azure DevOps: in the task, set ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID to the service connection's id and pass SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n");
    }
    if federated
        .iter()
        .any(|f| f.subject.starts_with("system:serviceaccount:"))
    {
        t.push_str("  # Kubernetes: label the service account azure.workload.identity/client-id with AZURE_CLIENT_ID; the webhook sets AZURE_FEDERATED_TOKEN_FILE\n");
    }
    t
}
