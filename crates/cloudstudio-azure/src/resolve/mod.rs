//! Resolution: which credentials this run uses. One file per source
//! (`flags`, `creds_json`, `env_vars`, `az_cli`) probes what it sees; the
//! pure [`decide::decide`] holds the precedence; [`resolve`] wires them,
//! asking the `az` session only when no other source is present.

mod az_cli;
mod credentials;
mod creds_json;
mod decide;
mod env_vars;
mod error;
mod federation;
mod flags;
mod probe;

pub use credentials::{Auth, Credentials, SourceKind, TokenFrom};
pub use decide::Resolved;
pub use error::ResolveError;
pub use federation::FederationFlags;
pub use probe::Input;

use crate::observe::Observe;
use decide::Decision;

/// Resolves credentials in the documented precedence (see [`decide::decide`]).
pub async fn resolve(input: Input<'_>, observe: &dyn Observe) -> Result<Resolved, ResolveError> {
    let probes = vec![
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
    let (skipped, warnings) =
        match decide::decide(probes, federation::offers(input.vars, input.federation)?)? {
            Decision::Resolved(resolved) => return Ok(resolved),
            Decision::AskAz { skipped, warnings } => (skipped, warnings),
        };
    let session = az_cli::run(
        input.az_program,
        input.az_timeout,
        input.az_subscription,
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
