//! Resolution: which credentials this run uses. One file per source
//! (`flags`, `creds_json`, `env_vars`, `federation`, `managed_identity`,
//! `az_cli`) probes what it sees; the pure [`decide::decide`] holds the
//! precedence; [`resolve`] wires them, asking the `az` session only when
//! no source above is present. A managed identity's token is an HTTP
//! request: resolution hands it back ([`Resolution::ManagedIdentity`]) and
//! the caller has `verify` make it, so resolution itself makes no request.

mod az_cli;
mod credentials;
mod creds_json;
mod decide;
mod env_vars;
mod error;
mod federation;
mod flags;
mod managed_identity;
mod probe;
#[cfg(any(test, fuzzing))]
pub(crate) mod props;

pub use az_cli::AzCloud;
pub use credentials::{Auth, Credentials, MiEndpoint, SourceKind, TokenFrom};
pub use decide::Resolved;
pub use error::ResolveError;
pub use federation::FederationFlags;
pub use managed_identity::{Endpoint as MiEndpointUrl, MiRequest};
pub use probe::{Input, check as check_value};

use crate::observe::Observe;
use decide::{Decision, Skipped};
use probe::Probe;

/// Resolves credentials in the documented precedence (see [`decide::decide`]).
/// With `--source NAME` only that source is looked at; the others are
/// listed as skipped by it.
pub async fn resolve<'a>(
    input: Input<'a>,
    observe: &dyn Observe,
) -> Result<Resolution<'a>, ResolveError> {
    let only = input.only;
    let mut probes = vec![
        (SourceKind::Flags, flags::probe(&input)),
        (SourceKind::AzureCredentials, creds_json::probe(&input)),
        (
            SourceKind::AzureEnv,
            env_vars::probe(SourceKind::AzureEnv, input.vars),
        ),
        (
            SourceKind::ArmEnv,
            env_vars::probe(SourceKind::ArmEnv, input.vars),
        ),
    ];
    let mut fed = federation::offers(input.vars, input.federation)?;
    let mi = managed_identity::asked(input.vars, input.managed_identity, only)?;
    if let Some(asked) = mi.as_ref().filter(|_| !federation::oidc_asked(input.vars)) {
        fed = fed.without_ambient(&format!(
            "the job offers a token, but a managed identity is asked for ({}) and federation is not (ARM_USE_OIDC=true asks for it)",
            asked.by
        ));
    }
    if let Some(only) = only {
        probes = probes
            .into_iter()
            .map(|(kind, probe)| (kind, restrict(only, kind, probe)))
            .collect();
        fed = fed.only(only);
    }
    let (mut skipped, warnings) = match decide::decide(probes, fed, mi)? {
        Decision::Resolved(mut resolved) => {
            mark_skipped(only, &mut resolved.skipped);
            return Ok(Resolution::Done(resolved));
        }
        Decision::AskManagedIdentity {
            request,
            mut skipped,
            warnings,
        } => {
            mark_skipped(only, &mut skipped);
            skipped.push(Skipped {
                source: SourceKind::AzCli,
                reason: "not run: managed-identity comes first".into(),
            });
            return Ok(Resolution::ManagedIdentity(MiPending {
                fetch: mi_fetch(&input, request)?,
                rest: MiRest { skipped, warnings },
            }));
        }
        Decision::AskAz { skipped, warnings } => (skipped, warnings),
    };
    if let Some(only) = only.filter(|&o| o != SourceKind::AzCli) {
        return Err(not_usable(only, &skipped));
    }
    mark_skipped(only, &mut skipped);
    az_session(&input, skipped, warnings, observe)
        .await
        .map(Resolution::Done)
}

/// What resolution decided.
pub enum Resolution<'a> {
    Done(Resolved),
    /// The managed identity, with its one token request still to make
    /// (`verify::mi_token::fetch`); [`MiRest::finish`] completes it.
    ManagedIdentity(MiPending<'a>),
}

/// A managed identity's resolution, but for its token.
pub struct MiPending<'a> {
    pub fetch: MiFetch<'a>,
    pub rest: MiRest,
}

/// The rest of a managed identity's resolution.
pub struct MiRest {
    skipped: Vec<Skipped>,
    /// The token request adds its own (e.g. a token about to expire).
    pub warnings: Vec<String>,
}

impl MiRest {
    /// The resolution, with the credentials the token request made.
    pub fn finish(self, credentials: Credentials) -> Resolved {
        Resolved {
            credentials,
            skipped: self.skipped,
            warnings: self.warnings,
        }
    }
}

/// What the managed identity's token request needs.
pub struct MiFetch<'a> {
    /// IMDS or App Service's, from the variables (checked here).
    pub endpoint: MiEndpointUrl,
    pub request: MiRequest,
    /// The cloud's Resource Manager (`https://management.azure.com`).
    pub resource: &'a str,
    /// The whole request, retries included: `--az-timeout`, the bound on
    /// the token a source hands over during resolution.
    pub timeout: std::time::Duration,
}

/// The `az login` session's one process: its credentials, or none at all.
async fn az_session(
    input: &Input<'_>,
    skipped: Vec<Skipped>,
    warnings: Vec<String>,
    observe: &dyn Observe,
) -> Result<Resolved, ResolveError> {
    let session = az_cli::run(
        input.az_program,
        input.az_timeout,
        az_subscription(input),
        input.az_cloud.as_ref(),
        observe,
    )
    .await?;
    match session {
        az_cli::Session::Found(credentials) => Ok(Resolved {
            credentials,
            skipped,
            warnings,
        }),
        az_cli::Session::Unavailable(reason) => {
            let mut tried: Vec<String> = skipped
                .iter()
                .map(|s| format!("{}: {}", s.source, s.reason))
                .collect();
            tried.push(format!("az-cli: {reason}"));
            Err(ResolveError::NoneFound { tried })
        }
    }
}

/// `--source NAME` named a source that is not there.
fn not_usable(only: SourceKind, skipped: &[Skipped]) -> ResolveError {
    let why = skipped
        .iter()
        .find(|s| s.source == only)
        .map_or_else(|| "not present".to_owned(), |s| s.reason.clone());
    ResolveError::Invalid {
        origin: format!("--source {only}"),
        problem: format!("{only} is not usable: {why}"),
        hint: Some("set that source's variables, or drop --source (CLOUDSTUDIO_SOURCE) to use the first present source".into()),
    }
}

/// The managed identity's token request, for the selected cloud's
/// Resource Manager. The tenant and subscription the user
/// gave (the lending source's, else `--tenant-id`, `AZURE_*`, `ARM_*`) are
/// checked against the token and targeted, as Terraform reads them with
/// `ARM_USE_MSI`.
fn mi_fetch<'a>(input: &Input<'a>, mut request: MiRequest) -> Result<MiFetch<'a>, ResolveError> {
    let Some(cloud) = input.az_cloud.as_ref() else {
        return Err(ResolveError::Invalid {
            origin: "--cloud".into(),
            problem: "the cloud's endpoints are not valid, so the managed identity's token cannot be asked for".into(),
            hint: Some("see `--cloud`, `--authority-host`, `--arm-endpoint`".into()),
        });
    };
    let from = |flag: Option<&str>, flag_name: &str, vars: [&str; 2]| {
        flag.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| (v.to_owned(), flag_name.to_owned()))
            .or_else(|| {
                vars.into_iter()
                    .find_map(|n| input.vars.get(n).map(|v| (v.to_owned(), n.to_owned())))
            })
    };
    if request.tenant_id.is_none() {
        request.tenant_id = from(
            input.tenant_id,
            "--tenant-id",
            ["AZURE_TENANT_ID", "ARM_TENANT_ID"],
        );
    }
    if request.subscription_id.is_none() {
        request.subscription_id = from(None, "", ["AZURE_SUBSCRIPTION_ID", "ARM_SUBSCRIPTION_ID"]);
    }
    Ok(MiFetch {
        endpoint: managed_identity::endpoint(input.vars)?,
        request,
        resource: cloud.resource,
        timeout: input.az_timeout,
    })
}

/// One `az account get-access-token --resource RESOURCE` for `init`, which
/// needs a token per resource (Microsoft Graph, Resource Manager): the
/// same one process, timeout, caps and messages as the `az-cli` source.
pub async fn az_token(
    program: &str,
    cloud: &AzCloud<'_>,
    subscription: Option<&str>,
    timeout: std::time::Duration,
    observe: &dyn Observe,
) -> Result<Credentials, ResolveError> {
    match az_cli::run(program, timeout, subscription, Some(cloud), observe).await? {
        az_cli::Session::Found(credentials) => Ok(credentials),
        az_cli::Session::Unavailable(reason) => Err(ResolveError::NoneFound {
            tried: vec![format!("az-cli: {reason}")],
        }),
    }
}

/// The subscription the az session's token is asked for: the run's target
/// when it is known, else `AZURE_SUBSCRIPTION_ID` / `ARM_SUBSCRIPTION_ID`
/// (Terraform's `ARM_USE_CLI` setup names the subscription that way).
fn az_subscription<'a>(input: &Input<'a>) -> Option<&'a str> {
    input.az_subscription.or_else(|| {
        ["AZURE_SUBSCRIPTION_ID", "ARM_SUBSCRIPTION_ID"]
            .into_iter()
            .find_map(|n| input.vars.get(n))
            .map(str::trim)
            // Never an argument `az` could read as a flag.
            .filter(|s| crate::ids::is_guid(s))
    })
}

/// Under `--source only`, every other source is absent. The id sources
/// still lend their client and tenant ids (never their secret) to a
/// federation source (`--source github-oidc`, `federated-token`, ...);
/// to `--source managed-identity` only the sources without a secret lend
/// their client id (a user-assigned identity's).
fn restrict(only: SourceKind, kind: SourceKind, probe: Probe) -> Probe {
    if kind == only {
        return probe;
    }
    match probe {
        Probe::Present(mut fields) if only.is_federation() && fields.oidc_capable => {
            fields.secret = None;
            Probe::Present(fields)
        }
        // A client id that comes with a secret is an app registration's,
        // never a managed identity's: only id-only sources lend theirs.
        Probe::Present(fields)
            if only == SourceKind::ManagedIdentity
                && fields.oidc_capable
                && fields.secret.is_none() =>
        {
            Probe::Present(fields)
        }
        _ => Probe::Absent(format!("skipped by --source {only}")),
    }
}

/// The reasons of the sources `--source` left out say so.
fn mark_skipped(only: Option<SourceKind>, skipped: &mut [decide::Skipped]) {
    if let Some(only) = only {
        for s in skipped.iter_mut().filter(|s| s.source != only) {
            s.reason = format!("skipped by --source {only}");
        }
    }
}
