//! `init`'s own options (clap derive, as the domain modules derive their
//! value enums): what to create and how. The cloud and the export flags
//! are the shared groups in `cli`.

use super::Expiry;
use super::roles::Role;
use crate::config::CredentialName;
use crate::ids::Environment;
use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct InitOptions {
    /// The subscription the role is assigned on and the credential is for
    #[arg(
        long,
        value_name = "GUID",
        env = "CLOUDSTUDIO_SUBSCRIPTION_ID",
        hide_env_values = true
    )]
    pub subscription_id: String,
    /// The app's display name: found by it, created when missing
    /// [default: cloudstudio-<repository or workdir folder>-<environment>]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// CloudStudio environment to export for: development|dev, stage|staging, production|prod
    /// [default: development]
    #[arg(long, value_name = "ENV")]
    pub environment: Option<Environment>,
    /// Credential name in the workdir [default: from the config, else ci-<environment>]
    #[arg(long, value_name = "NAME")]
    pub credential: Option<CredentialName>,
    /// The role assigned at the subscription scope
    #[arg(long, value_enum, default_value_t = Role::Contributor)]
    pub role: Role,
    /// How long a new client secret lasts: 90d, 12w, 6m, 1y; at most 2y (Entra ID's limit)
    #[arg(long, value_name = "DURATION", default_value = "180d")]
    pub secret_expiry: Expiry,
    /// Federated credentials instead of a secret (repeatable): github:OWNER/REPO[:branch:NAME|
    /// :environment:NAME|:tag:NAME|:pull_request], gitlab:GROUP/PROJECT:ref:BRANCH,
    /// azure-devops:ORG/PROJECT/CONNECTION, kubernetes:ISSUER:NAMESPACE:SERVICEACCOUNT
    #[arg(long, value_name = "SPEC")]
    pub federated: Vec<String>,
    /// The issuer for azure-devops: (https://vstoken.dev.azure.com/<organization id>)
    #[arg(long, value_name = "URL")]
    pub federated_issuer: Option<String>,
    /// Also print the client secret (it is in the credential file either way)
    #[arg(long, conflicts_with = "federated")]
    pub show_secret: bool,
    /// Seconds to wait for Azure to replicate a new service principal (1-3600)
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait_timeout: u64,
    /// Microsoft Graph for --cloud custom (e.g. https://graph.example.local)
    #[arg(long, value_name = "URL")]
    pub graph_endpoint: Option<String>,
}
