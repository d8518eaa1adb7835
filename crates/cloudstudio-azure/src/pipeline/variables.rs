//! The pipeline variables: [`arm_vars`] is the one list per auth kind and cloud; the
//! GitHub env file, `env --shell ...` and the dry-run listing all print it.

use crate::resolve::{Auth, Credentials, MiEndpoint, TokenFrom};
use crate::secret::Secret;
use crate::verify::{Cloud, Endpoints};

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

/// One pipeline variable: `ARM_*` (Terraform's azurerm) or `AZURE_*` (the
/// Azure SDKs' `EnvironmentCredential`, azd).
pub struct ArmVar<'a> {
    pub name: &'static str,
    pub value: VarValue<'a>,
}

/// The variables per auth kind (DESIGN.md, "Pipeline export"), in both
/// dialects: a client secret gives the four ARM_* and the four AZURE_*
/// values; OIDC the ids and `ARM_USE_OIDC=true`; the az session
/// `ARM_USE_CLI=true` and the subscription only; a managed identity
/// `ARM_USE_MSI=true` and its ids. Then the cloud: nothing
/// for public Azure (every tool's default); `ARM_ENVIRONMENT` and
/// `AZURE_AUTHORITY_HOST` for the sovereign clouds; for a custom cloud
/// `AZURE_AUTHORITY_HOST` and `ARM_METADATA_HOSTNAME` (Resource Manager's
/// host, which serves the cloud's `/metadata/endpoints`).
pub fn arm_vars<'a>(
    creds: &'a Credentials,
    subscription_id: &str,
    endpoints: &Endpoints,
) -> Vec<ArmVar<'a>> {
    let plain = |name, v: &str| ArmVar {
        name,
        value: VarValue::Plain(v.to_owned()),
    };
    let client_id = creds.client_id.as_deref().unwrap_or_default();
    let mut vars = match &creds.auth {
        Auth::ClientSecret(secret) => vec![
            plain("ARM_CLIENT_ID", client_id),
            ArmVar {
                name: "ARM_CLIENT_SECRET",
                value: VarValue::Secret(secret),
            },
            plain("ARM_TENANT_ID", &creds.tenant_id),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
            plain("AZURE_CLIENT_ID", client_id),
            ArmVar {
                name: "AZURE_CLIENT_SECRET",
                value: VarValue::Secret(secret),
            },
            plain("AZURE_TENANT_ID", &creds.tenant_id),
            plain("AZURE_SUBSCRIPTION_ID", subscription_id),
        ],
        Auth::GithubOidc { .. } | Auth::AzureDevopsOidc { .. } | Auth::FederatedToken(_) => {
            let mut v = vec![
                plain("ARM_CLIENT_ID", client_id),
                plain("ARM_TENANT_ID", &creds.tenant_id),
                plain("ARM_SUBSCRIPTION_ID", subscription_id),
                plain("ARM_USE_OIDC", "true"),
                plain("AZURE_CLIENT_ID", client_id),
                plain("AZURE_TENANT_ID", &creds.tenant_id),
                plain("AZURE_SUBSCRIPTION_ID", subscription_id),
            ];
            v.extend(refresh_vars(&creds.auth));
            v
        }
        Auth::AzSession { .. } => vec![
            plain("ARM_USE_CLI", "true"),
            plain("ARM_SUBSCRIPTION_ID", subscription_id),
            plain("AZURE_SUBSCRIPTION_ID", subscription_id),
        ],
        Auth::ManagedIdentity {
            endpoint,
            user_assigned,
            ..
        } => managed_identity_vars(creds, subscription_id, endpoint, *user_assigned),
    };
    let environment = match endpoints.cloud {
        Cloud::Public => None,
        Cloud::Usgovernment => Some("usgovernment"),
        Cloud::China => Some("china"),
        Cloud::Custom => {
            vars.push(plain("ARM_METADATA_HOSTNAME", endpoints.arm_host()));
            None
        }
    };
    if let Some(env) = environment {
        vars.push(plain("ARM_ENVIRONMENT", env));
    }
    if endpoints.cloud != Cloud::Public {
        vars.push(plain("AZURE_AUTHORITY_HOST", &endpoints.authority_host));
    }
    vars
}

/// A managed identity: `ARM_USE_MSI=true` and the ids, the client id only
/// for a user-assigned identity (with it, Terraform and the Azure SDKs ask
/// for that identity); nothing secret (`IDENTITY_HEADER` stays the job's
/// own). When `IMDS_ENDPOINT` moved IMDS: `ARM_MSI_ENDPOINT` (its token URL,
/// for Terraform) and `AZURE_POD_IDENTITY_AUTHORITY_HOST` (its base address,
/// for azure-identity, which does not read `IMDS_ENDPOINT`).
fn managed_identity_vars<'a>(
    creds: &'a Credentials,
    subscription_id: &str,
    endpoint: &MiEndpoint,
    user_assigned: bool,
) -> Vec<ArmVar<'a>> {
    let plain = |name, v: &str| ArmVar {
        name,
        value: VarValue::Plain(v.to_owned()),
    };
    let client_id = creds.client_id.as_deref().filter(|_| user_assigned);
    let mut v = vec![plain("ARM_USE_MSI", "true")];
    v.extend(client_id.map(|c| plain("ARM_CLIENT_ID", c)));
    v.extend([
        plain("ARM_TENANT_ID", &creds.tenant_id),
        plain("ARM_SUBSCRIPTION_ID", subscription_id),
    ]);
    if let MiEndpoint::Imds {
        moved_to: Some(url),
    } = endpoint
    {
        v.push(plain("ARM_MSI_ENDPOINT", url));
        // azure-identity reads a moved IMDS from this one (its base address).
        let base = url
            .strip_suffix("/metadata/identity/oauth2/token")
            .unwrap_or(url);
        v.push(plain("AZURE_POD_IDENTITY_AUTHORITY_HOST", base));
    }
    v.extend(client_id.map(|c| plain("AZURE_CLIENT_ID", c)));
    v.extend([
        plain("AZURE_TENANT_ID", &creds.tenant_id),
        plain("AZURE_SUBSCRIPTION_ID", subscription_id),
    ]);
    v
}

/// What lets later tools fetch fresh tokens themselves: a token file's
/// path (never its contents: the file is rotated, a copy expires), for
/// Terraform (`ARM_OIDC_TOKEN_FILE_PATH`) and the Azure SDKs
/// (`AZURE_FEDERATED_TOKEN_FILE`); Azure DevOps' request URL, access token
/// and service connection, for Terraform.
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
        // Terraform's azurerm asks Azure DevOps for fresh tokens itself.
        Auth::AzureDevopsOidc {
            request_uri,
            access_token,
            service_connection_id,
        } => vec![
            plain(
                "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
                service_connection_id.clone(),
            ),
            plain("ARM_OIDC_REQUEST_URL", request_uri.clone()),
            ArmVar {
                name: "ARM_OIDC_REQUEST_TOKEN",
                value: VarValue::Secret(access_token),
            },
        ],
        _ => Vec::new(),
    }
}
