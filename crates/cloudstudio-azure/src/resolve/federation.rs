//! Federation without a secret: what CI token this run is offered, in the
//! documented order (`federated-token`, `azure-devops-oidc`,
//! `github-oidc`). A source here only lends the token; the client and
//! tenant ids come from flags, `AZURE_*` or `ARM_*` ([`super::decide`]).

use super::credentials::{Auth, SourceKind, TokenFrom};
use super::error::ResolveError;
use crate::secret::Secret;
use crate::vars::Vars;
use std::path::PathBuf;

/// The token files Kubernetes workload identity and Terraform name, in
/// the order they are looked at.
pub const TOKEN_FILE_VARS: [&str; 2] = ["AZURE_FEDERATED_TOKEN_FILE", "ARM_OIDC_TOKEN_FILE_PATH"];

/// The Azure DevOps service connection id's names (Terraform's, then its
/// older alias).
pub const ADO_CONNECTION_VARS: [&str; 2] = [
    "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID",
    "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID",
];

/// What the command line adds to the variables.
#[derive(Default, Clone, Copy)]
pub struct FederationFlags<'a> {
    /// `--federated-token-env NAME`.
    pub token_env: Option<&'a str>,
    /// `--service-connection-id`.
    pub service_connection_id: Option<&'a str>,
}

/// A CI token on offer, as the [`Auth`] it becomes.
#[derive(Clone)]
pub struct Offer {
    pub kind: SourceKind,
    pub auth: Auth,
}

/// Every federation source, offered or not (with why), in precedence order.
pub struct Offers {
    pub offered: Vec<Offer>,
    pub not_offered: Vec<(SourceKind, String)>,
}

impl Offers {
    /// The first offer: the one federation uses.
    pub fn first(&self) -> Option<Offer> {
        self.offered.first().cloned()
    }

    /// Only `kind`'s offer (`--source`); none when `kind` is not a
    /// federation source.
    pub fn only(mut self, kind: SourceKind) -> Offers {
        self.offered.retain(|o| o.kind == kind);
        self
    }
}

impl Offers {
    /// Without the tokens a job offers just by running where it runs
    /// (GitHub's `id-token: write`, an Azure DevOps service connection):
    /// an explicit request for a managed identity outranks them. A token
    /// the user put in place (`ARM_OIDC_TOKEN`, a token file,
    /// `--federated-token-env`) stays.
    pub fn without_ambient(mut self, why: &str) -> Offers {
        let (ambient, kept): (Vec<Offer>, Vec<Offer>) = self
            .offered
            .into_iter()
            .partition(|o| matches!(o.kind, SourceKind::GithubOidc | SourceKind::AzureDevopsOidc));
        self.offered = kept;
        self.not_offered
            .extend(ambient.into_iter().map(|o| (o.kind, why.to_owned())));
        self
    }
}

/// `ARM_USE_OIDC=true` (or 1): federation asked for by name, as Terraform's
/// azurerm reads it.
pub fn oidc_asked(vars: &Vars) -> bool {
    vars.get("ARM_USE_OIDC")
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "true" || v == "1")
}

/// Reads what the job offers. A flag naming a variable that is not set is
/// an error: the flag is an explicit choice.
pub fn offers(vars: &Vars, flags: FederationFlags<'_>) -> Result<Offers, ResolveError> {
    let mut o = Offers {
        offered: Vec::new(),
        not_offered: Vec::new(),
    };
    let mut push = |kind, r: Result<Auth, String>| match r {
        Ok(auth) => o.offered.push(Offer { kind, auth }),
        Err(why) => o.not_offered.push((kind, why)),
    };
    push(SourceKind::FederatedToken, federated_token(vars, flags)?);
    push(SourceKind::AzureDevopsOidc, azure_devops(vars, flags));
    push(SourceKind::GithubOidc, github(vars));
    Ok(o)
}

fn federated_token(
    vars: &Vars,
    flags: FederationFlags<'_>,
) -> Result<Result<Auth, String>, ResolveError> {
    if let Some(name) = flags.token_env {
        let Some(value) = vars.get(name).map(str::trim).filter(|v| !v.is_empty()) else {
            return Err(ResolveError::Invalid {
                origin: "--federated-token-env".into(),
                problem: format!("names {}, which is not set", crate::untrusted::text(name)),
                hint: Some("put the CI system's ID token in that variable (GitLab: `id_tokens:`), or drop the flag".into()),
            });
        };
        return Ok(Ok(Auth::FederatedToken(TokenFrom::Env {
            var: name.to_owned(),
            token: Secret::new(value.to_owned()),
        })));
    }
    if let Some(value) = vars
        .get("ARM_OIDC_TOKEN")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        return Ok(Ok(Auth::FederatedToken(TokenFrom::Env {
            var: "ARM_OIDC_TOKEN".into(),
            token: Secret::new(value.to_owned()),
        })));
    }
    for var in TOKEN_FILE_VARS {
        if let Some(path) = vars.get(var).map(str::trim).filter(|v| !v.is_empty()) {
            return Ok(Ok(Auth::FederatedToken(TokenFrom::File {
                var,
                path: PathBuf::from(path),
            })));
        }
    }
    Ok(Err(
        "ARM_OIDC_TOKEN, --federated-token-env, AZURE_FEDERATED_TOKEN_FILE and ARM_OIDC_TOKEN_FILE_PATH not set".into(),
    ))
}

fn azure_devops(vars: &Vars, flags: FederationFlags<'_>) -> Result<Auth, String> {
    let uri = vars.get("SYSTEM_OIDCREQUESTURI").map(str::trim);
    let token = vars.get("SYSTEM_ACCESSTOKEN").map(str::trim);
    let connection = flags
        .service_connection_id
        .or_else(|| ADO_CONNECTION_VARS.iter().find_map(|v| vars.get(v)))
        .map(str::trim);
    match (uri, token, connection) {
        (Some(uri), Some(token), Some(connection)) => Ok(Auth::AzureDevopsOidc {
            request_uri: uri.to_owned(),
            access_token: Secret::new(token.to_owned()),
            service_connection_id: connection.to_owned(),
        }),
        (None, ..) => Err("SYSTEM_OIDCREQUESTURI not set (not an Azure DevOps job)".into()),
        (Some(_), token, connection) => {
            let mut missing = Vec::new();
            if token.is_none() {
                missing.push(
                    "SYSTEM_ACCESSTOKEN (map it: `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`)",
                );
            }
            if connection.is_none() {
                missing.push("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID or --service-connection-id");
            }
            Err(format!(
                "Azure DevOps job, but {} not set",
                missing.join(" and ")
            ))
        }
    }
}

fn github(vars: &Vars) -> Result<Auth, String> {
    match (
        vars.get("ACTIONS_ID_TOKEN_REQUEST_URL"),
        vars.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) {
        (Some(url), Some(token)) => Ok(Auth::GithubOidc {
            request_url: url.trim().to_owned(),
            request_token: Secret::new(token.trim().to_owned()),
        }),
        _ => Err("ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN not set (the job needs `permissions: id-token: write`)".into()),
    }
}
