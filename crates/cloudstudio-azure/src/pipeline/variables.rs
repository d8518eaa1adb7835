//! The pipeline variables: [`arm_vars`] is the one list per auth kind; the
//! GitHub env file, `env --shell ...` and the dry-run listing all print it.

use crate::resolve::{Auth, Credentials, TokenFrom};
use crate::secret::Secret;

/// A pipeline variable's value: the secret stays a [`Secret`] until a
/// writer that needs it calls `expose()`.
pub enum VarValue<'a> {
    Plain(String),
    Secret(&'a Secret),
}

impl VarValue<'_> {
    /// The value as shown to people: `***` for the secret.
    pub fn masked(&self) -> &str {
        match self {
            VarValue::Plain(s) => s,
            VarValue::Secret(_) => "***",
        }
    }

    /// The value itself. Only for GITHUB_ENV and `env` output.
    pub fn expose(&self) -> &str {
        match self {
            VarValue::Plain(s) => s,
            VarValue::Secret(s) => s.expose(),
        }
    }
}

/// One `ARM_*` variable for Terraform's azurerm provider.
pub struct ArmVar<'a> {
    pub name: &'static str,
    pub value: VarValue<'a>,
}

/// The variables per auth kind (DESIGN.md, "Pipeline export"): a client
/// secret gives the four ARM_* values; OIDC the ids and `ARM_USE_OIDC=true`;
/// the az session `ARM_USE_CLI=true` and the subscription only.
pub fn arm_vars<'a>(creds: &'a Credentials, subscription_id: &str) -> Vec<ArmVar<'a>> {
    let plain = |name, v: &str| ArmVar {
        name,
        value: VarValue::Plain(v.to_owned()),
    };
    let client_id = creds.client_id.as_deref().unwrap_or_default();
    match &creds.auth {
        Auth::ClientSecret(secret) => vec![
            plain("ARM_CLIENT_ID", client_id),
            ArmVar {
                name: "ARM_CLIENT_SECRET",
                value: VarValue::Secret(secret),
            },
            plain("ARM_TENANT_ID", &creds.tenant_id),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
        ],
        Auth::GithubOidc { .. } | Auth::AzureDevopsOidc { .. } | Auth::FederatedToken(_) => {
            let mut v = vec![
                plain("ARM_CLIENT_ID", client_id),
                plain("ARM_TENANT_ID", &creds.tenant_id),
                plain("ARM_SUBSCRIPTION_ID", subscription_id),
                plain("ARM_USE_OIDC", "true"),
            ];
            v.extend(refresh_vars(&creds.auth));
            v
        }
        Auth::AzSession { .. } => vec![
            plain("ARM_USE_CLI", "true"),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
        ],
    }
}

/// What lets later tools fetch fresh tokens themselves: a token file's
/// path (never its contents: the file is rotated, a copy expires), for
/// Terraform (`ARM_OIDC_TOKEN_FILE_PATH`) and the Azure SDKs
/// (`AZURE_FEDERATED_TOKEN_FILE`).
fn refresh_vars(auth: &Auth) -> Vec<ArmVar<'_>> {
    let plain = |name, v: String| ArmVar {
        name,
        value: VarValue::Plain(v),
    };
    match auth {
        Auth::FederatedToken(TokenFrom::File { path, .. }) => {
            let path = path.display().to_string();
            vec![
                plain("ARM_OIDC_TOKEN_FILE_PATH", path.clone()),
                plain("AZURE_FEDERATED_TOKEN_FILE", path),
            ]
        }
        _ => Vec::new(),
    }
}
