//! The one place that decides which credential source is used.
//!
//! Precedence, first present source wins (DESIGN.md):
//! 1. `flags`: `--client-id`, `--tenant-id` (+ `--subscription-id`), secret
//!    from `--client-secret-stdin` or `AZURE_CLIENT_SECRET`;
//! 2. `azure-credentials`: `AZURE_CREDENTIALS` or `--creds-file` (JSON);
//! 3. `azure-env`: `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET` + `AZURE_TENANT_ID`;
//! 4. `arm-env`: the same with `ARM_`;
//! 5. `github-oidc`: client and tenant ids from 1, 3 or 4 when that source has
//!    no secret, plus `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN`;
//! 6. `az-cli`: one `az account get-access-token` process.
//!
//! Fields are never mixed across sources. A present but incomplete source is
//! an error naming what is missing; it never falls through to a lower one.
//! A source with ids but no secret is only deferred to `github-oidc` when the
//! runner offers OIDC; a complete source further down still wins over it,
//! since `github-oidc` is fifth.

use super::{Auth, Credentials, SourceError, SourceKind, az_cli, creds_json, env_vars, flags};
use crate::ids::{is_guid, is_tenant};
use crate::secret::{Secret, Trimmed};
use crate::vars::Vars;
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// Everything resolution reads. The secret from stdin is read by the caller.
pub struct ResolveInput<'a> {
    pub vars: &'a Vars,
    pub client_id: Option<&'a str>,
    pub tenant_id: Option<&'a str>,
    pub subscription_id: Option<&'a str>,
    pub secret_stdin: Option<String>,
    pub creds_file: Option<&'a Path>,
    pub az_timeout: Duration,
    /// Passed to `az --subscription` so the session's token is for the tenant
    /// of the subscription this run targets.
    pub az_subscription: Option<&'a str>,
    /// The `az` executable (tests put a fake one first on PATH).
    pub az_program: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub source: SourceKind,
    pub reason: String,
}

#[derive(Debug)]
pub struct Resolved {
    pub credentials: Credentials,
    /// Every source but the winner, in precedence order, with the reason.
    pub skipped: Vec<Skipped>,
    /// Things fixed up on the way (trimmed whitespace), to print as warnings.
    pub warnings: Vec<String>,
}

/// What one source saw.
pub(super) enum Probe {
    Absent(String),
    Present(Box<Fields>),
    Invalid(SourceError),
}

/// Raw values of a secret-bearing source, each with the name of where it came
/// from (a variable, a flag, a JSON key) for messages.
pub(super) struct Fields {
    pub kind: SourceKind,
    pub client_id: Option<(String, String)>,
    pub tenant_id: Option<(String, String)>,
    pub subscription_id: Option<(String, String)>,
    pub secret: Option<(String, String)>,
    /// How to name the secret when it is missing.
    pub missing_secret: String,
    /// How to name the client id and tenant id when missing.
    pub missing_names: [String; 2],
    pub arm_endpoint: Option<String>,
    pub authority_host: Option<String>,
    /// Whether its ids may be used for GitHub OIDC when it has no secret.
    pub oidc_capable: bool,
}

impl Fields {
    pub fn into_probe(self) -> Probe {
        Probe::Present(Box::new(self))
    }

    fn missing_ids(&self) -> Vec<String> {
        let [c, t] = &self.missing_names;
        let mut m = Vec::new();
        if self.client_id.is_none() {
            m.push(c.clone());
        }
        if self.tenant_id.is_none() {
            m.push(t.clone());
        }
        m
    }

    /// Validated credentials with the given auth (the secret is checked by
    /// the caller).
    fn validate(self, auth: Auth, warnings: &mut Vec<String>) -> Result<Credentials, SourceError> {
        let client_id = check(
            self.client_id,
            is_guid,
            "a GUID (the app's Application (client) ID)",
            warnings,
        )?;
        let tenant_id = check(
            self.tenant_id,
            is_tenant,
            "a GUID or a domain such as contoso.onmicrosoft.com (the Directory (tenant) ID)",
            warnings,
        )?;
        let subscription_id = check(
            self.subscription_id,
            is_guid,
            "a GUID (the Subscription ID)",
            warnings,
        )?;
        Ok(Credentials {
            source: self.kind,
            client_id: client_id.map(|c| c.to_ascii_lowercase()),
            tenant_id: tenant_id.unwrap_or_default().to_ascii_lowercase(),
            subscription_id: subscription_id.map(|s| s.to_ascii_lowercase()),
            auth,
            arm_endpoint: self.arm_endpoint,
            authority_host: self.authority_host,
        })
    }
}

/// Trims an id, warns when that changed it, and checks its shape. The value
/// is not echoed: a secret pasted into the wrong field must not leak.
fn check(
    value: Option<(String, String)>,
    ok: fn(&str) -> bool,
    expected: &str,
    warnings: &mut Vec<String>,
) -> Result<Option<String>, SourceError> {
    let Some((raw, origin)) = value else {
        return Ok(None);
    };
    let v = raw.trim();
    if v.len() != raw.len() {
        warnings.push(format!("{origin}: surrounding whitespace removed"));
    }
    if !ok(v) {
        return Err(SourceError::Invalid {
            origin,
            problem: format!(
                "is not {expected} (value not shown, {} characters)",
                v.chars().count()
            ),
            hint: Some(
                "copy the value from the app registration's Overview page in the Azure portal"
                    .into(),
            ),
        });
    }
    Ok(Some(v.to_owned()))
}

fn secret_of(raw: &str, origin: &str, warnings: &mut Vec<String>) -> Option<Secret> {
    let (secret, trimmed) = Secret::parse(raw)?;
    if trimmed == Trimmed::Yes {
        warnings.push(format!(
            "{origin}: whitespace or a line break around the client secret was removed"
        ));
    }
    Some(secret)
}

/// Resolves credentials in the documented precedence.
pub async fn resolve(input: ResolveInput<'_>) -> Result<Resolved, SourceError> {
    let vars = input.vars;
    let mut skipped = Vec::new();
    let mut warnings = Vec::new();
    let oidc_request = match (
        vars.get("ACTIONS_ID_TOKEN_REQUEST_URL"),
        vars.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) {
        (Some(url), Some(token)) => {
            Some((url.trim().to_owned(), Secret::new(token.trim().to_owned())))
        }
        _ => None,
    };
    let mut winner: Option<Credentials> = None;
    // The first id-only source, kept for github-oidc.
    let mut oidc_ids: Option<Box<Fields>> = None;

    for kind in [
        SourceKind::Flags,
        SourceKind::AzureCredentials,
        SourceKind::AzureEnv,
        SourceKind::ArmEnv,
    ] {
        let probe = match kind {
            SourceKind::Flags => flags::probe(&input),
            SourceKind::AzureCredentials => creds_json::probe(&input),
            _ => env_vars::probe(kind, vars),
        };
        let fields = match probe {
            Probe::Absent(reason) => {
                skipped.push(Skipped {
                    source: kind,
                    reason,
                });
                continue;
            }
            Probe::Invalid(e) => match &winner {
                Some(w) => {
                    skipped.push(Skipped {
                        source: kind,
                        reason: format!("present but unusable ({e}); {} comes first", w.source),
                    });
                    continue;
                }
                None => return Err(e),
            },
            Probe::Present(f) => f,
        };
        if let Some(w) = &winner {
            skipped.push(Skipped {
                source: kind,
                reason: format!("present, but {} comes first", w.source),
            });
            continue;
        }
        let missing = fields.missing_ids();
        match (&fields.secret, missing.is_empty()) {
            (Some((raw, origin)), true) => {
                let Some(secret) = secret_of(raw, origin, &mut warnings) else {
                    return Err(blank_secret(kind, origin));
                };
                winner = Some(fields.validate(Auth::ClientSecret(secret), &mut warnings)?);
            }
            (None, true) if fields.oidc_capable && oidc_request.is_some() => {
                if kind == SourceKind::Flags
                    && let Some((request_url, request_token)) = oidc_request.clone()
                {
                    // Ids given on the command line are the most explicit
                    // choice there is: with OIDC on offer they win at once,
                    // rather than lose to a complete variable source below.
                    skipped.push(Skipped {
                        source: kind,
                        reason: "client and tenant ids but no client secret: used by github-oidc"
                            .into(),
                    });
                    winner = Some(oidc(*fields, request_url, request_token, &mut warnings)?);
                    continue;
                }
                if oidc_ids.is_none() {
                    skipped.push(Skipped {
                        source: kind,
                        reason: "client and tenant ids but no client secret: they are used for github-oidc".into(),
                    });
                    oidc_ids = Some(fields);
                } else {
                    skipped.push(Skipped {
                        source: kind,
                        reason: "ids without a secret; a higher source already supplies github-oidc's ids".into(),
                    });
                }
            }
            _ => {
                let mut missing = missing;
                if fields.secret.is_none() {
                    missing.push(fields.missing_secret.clone());
                }
                let hint = if fields.oidc_capable && fields.secret.is_none() {
                    "add the missing values; for GitHub OIDC without a secret, give the job `permissions: id-token: write`"
                } else {
                    "add the missing values, or unset this source so that the next one is used"
                };
                return Err(SourceError::Incomplete {
                    which: kind,
                    missing,
                    hint: Some(hint.into()),
                });
            }
        }
    }

    if winner.is_none()
        && let (Some(fields), Some((request_url, request_token))) =
            (oidc_ids.take(), oidc_request.clone())
    {
        winner = Some(oidc(*fields, request_url, request_token, &mut warnings)?);
    }

    // A deferred id source whose ids were not used after all.
    if let Some(w) = winner
        .as_ref()
        .filter(|w| w.source != SourceKind::GithubOidc)
    {
        for s in skipped
            .iter_mut()
            .filter(|s| s.reason.ends_with("they are used for github-oidc"))
        {
            s.reason = format!(
                "client and tenant ids but no client secret, for github-oidc; but {} (a complete source) comes first",
                w.source
            );
        }
    }

    // github-oidc's own line, unless it won.
    if winner.as_ref().map(|w| w.source) != Some(SourceKind::GithubOidc) {
        let reason = match (&oidc_request, &winner) {
            (None, _) => "ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN not set (the job needs `permissions: id-token: write`)".to_owned(),
            (Some(_), Some(w)) => format!("runner offers OIDC, but {} comes first", w.source),
            (Some(_), None) => "runner offers OIDC, but no client id + tenant id in flags, AZURE_* or ARM_*".to_owned(),
        };
        skipped.push(Skipped {
            source: SourceKind::GithubOidc,
            reason,
        });
    }

    if let Some(credentials) = winner {
        skipped.push(Skipped {
            source: SourceKind::AzCli,
            reason: format!("not run: {} comes first", credentials.source),
        });
        return Ok(Resolved {
            credentials,
            skipped,
            warnings,
        });
    }

    match az_cli::run(input.az_program, input.az_timeout, input.az_subscription).await? {
        az_cli::Outcome::Session(credentials) => Ok(Resolved {
            credentials,
            skipped,
            warnings,
        }),
        az_cli::Outcome::Unavailable(reason) => {
            let mut tried: Vec<String> = skipped
                .iter()
                .map(|s| format!("{}: {}", s.source, s.reason))
                .collect();
            tried.push(format!("az-cli: {reason}"));
            Err(SourceError::NoneFound { tried })
        }
    }
}

/// GitHub OIDC credentials with the ids of `fields` (the credential is
/// github-oidc's, not the id source's).
fn oidc(
    fields: Fields,
    request_url: String,
    request_token: Secret,
    warnings: &mut Vec<String>,
) -> Result<Credentials, SourceError> {
    let mut creds = fields.validate(
        Auth::GithubOidc {
            request_url,
            request_token,
        },
        warnings,
    )?;
    creds.source = SourceKind::GithubOidc;
    Ok(creds)
}

/// Blank values are dropped before they get here, so this is not expected;
/// it is an error rather than a panic all the same.
fn blank_secret(kind: SourceKind, origin: &str) -> SourceError {
    SourceError::Incomplete {
        which: kind,
        missing: vec![format!("a non-blank client secret in {origin}")],
        hint: None,
    }
}
