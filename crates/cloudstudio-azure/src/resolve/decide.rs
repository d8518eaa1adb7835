//! The one place that decides which credential source is used: a pure
//! function over what the sources saw.

use super::credentials::{Auth, Credentials, SourceKind};
use super::error::ResolveError;
use super::probe::{Fields, OidcRequest, Probe, secret_of};
use serde::Serialize;

/// A source that was not used, and why (`explain`).
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

/// What [`decide`] leaves to do.
pub enum Decision {
    Resolved(Resolved),
    /// No source above it is present: the `az login` session is asked.
    AskAz {
        skipped: Vec<Skipped>,
        warnings: Vec<String>,
    },
}

/// Why a source was skipped; `IdsForOidc` is worded once the winner is known.
enum Reason {
    Text(String),
    IdsForOidc,
}

/// Decides, in the documented precedence (DESIGN.md), first present source
/// wins:
/// 1. `flags`: `--client-id`, `--tenant-id` (+ `--subscription-id`), secret
///    from `--client-secret-stdin` or `AZURE_CLIENT_SECRET`;
/// 2. `azure-credentials`: `AZURE_CREDENTIALS` or `--creds-file` (JSON);
/// 3. `azure-env`: `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET` + `AZURE_TENANT_ID`;
/// 4. `arm-env`: the same with `ARM_`;
/// 5. `github-oidc`: client and tenant ids from 1, 3 or 4 when that source has
///    no secret, plus `ACTIONS_ID_TOKEN_REQUEST_URL` and `_TOKEN`;
/// 6. `az-cli`: one `az account get-access-token` process ([`Decision::AskAz`]).
///
/// Fields are never mixed across sources. A present but incomplete source is
/// an error naming what is missing; it never falls through to a lower one.
/// A source with ids but no secret is only deferred to `github-oidc` when the
/// runner offers OIDC; a complete source further down still wins over it,
/// since `github-oidc` is fifth. Ids given as flags are the exception: the
/// most explicit choice there is, with OIDC on offer they win at once.
///
/// `probes` are the first four sources' probes, in precedence order.
pub fn decide(
    probes: Vec<(SourceKind, Probe)>,
    oidc: Option<OidcRequest>,
) -> Result<Decision, ResolveError> {
    let mut d = Decider {
        oidc,
        reasons: Vec::new(),
        warnings: Vec::new(),
        winner: None,
        oidc_ids: None,
    };
    for (kind, probe) in probes {
        d.take(kind, probe)?;
    }
    d.finish()
}

struct Decider {
    oidc: Option<OidcRequest>,
    reasons: Vec<(SourceKind, Reason)>,
    warnings: Vec<String>,
    winner: Option<Credentials>,
    /// The first id-only source, kept for github-oidc.
    oidc_ids: Option<Box<Fields>>,
}

impl Decider {
    fn skip(&mut self, kind: SourceKind, reason: impl Into<String>) {
        self.reasons.push((kind, Reason::Text(reason.into())));
    }

    fn take(&mut self, kind: SourceKind, probe: Probe) -> Result<(), ResolveError> {
        let winner = self.winner.as_ref().map(|w| w.source);
        let fields = match (probe, winner) {
            (Probe::Present(f), None) => f,
            (Probe::Invalid(e), None) => return Err(e),
            (Probe::Absent(reason), _) => {
                self.skip(kind, reason);
                return Ok(());
            }
            (Probe::Invalid(e), Some(w)) => {
                self.skip(kind, format!("present but unusable ({e}); {w} comes first"));
                return Ok(());
            }
            (Probe::Present(_), Some(w)) => {
                self.skip(kind, format!("present, but {w} comes first"));
                return Ok(());
            }
        };
        let missing = fields.missing_ids();
        match (&fields.secret, missing.is_empty(), self.oidc.clone()) {
            (Some((raw, origin)), true, _) => {
                let secret = secret_of(raw, origin, &mut self.warnings)
                    .ok_or_else(|| blank_secret(kind, origin))?;
                self.winner =
                    Some(fields.validate(Auth::ClientSecret(secret), &mut self.warnings)?);
            }
            (None, true, Some(request)) if fields.oidc_capable => {
                self.defer(kind, fields, request)?;
            }
            _ => return Err(incomplete(kind, &fields, missing)),
        }
        Ok(())
    }

    /// Ids without a secret, with OIDC on offer: flags win at once; the
    /// first other such source lends github-oidc its ids.
    fn defer(
        &mut self,
        kind: SourceKind,
        fields: Box<Fields>,
        request: OidcRequest,
    ) -> Result<(), ResolveError> {
        if kind == SourceKind::Flags {
            self.skip(
                kind,
                "client and tenant ids but no client secret: used by github-oidc",
            );
            self.winner = Some(self.oidc_credentials(*fields, request)?);
        } else if self.oidc_ids.is_none() {
            self.reasons.push((kind, Reason::IdsForOidc));
            self.oidc_ids = Some(fields);
        } else {
            self.skip(
                kind,
                "ids without a secret; a higher source already supplies github-oidc's ids",
            );
        }
        Ok(())
    }

    /// GitHub OIDC credentials with the ids of `fields` (the credential is
    /// github-oidc's, not the id source's).
    fn oidc_credentials(
        &mut self,
        fields: Fields,
        request: OidcRequest,
    ) -> Result<Credentials, ResolveError> {
        let auth = Auth::GithubOidc {
            request_url: request.url,
            request_token: request.token,
        };
        let mut creds = fields.validate(auth, &mut self.warnings)?;
        creds.source = SourceKind::GithubOidc;
        Ok(creds)
    }

    fn finish(mut self) -> Result<Decision, ResolveError> {
        if self.winner.is_none()
            && let (Some(fields), Some(request)) = (self.oidc_ids.take(), self.oidc.clone())
        {
            self.winner = Some(self.oidc_credentials(*fields, request)?);
        }
        let winner = self.winner.as_ref().map(|w| w.source);
        let mut skipped: Vec<Skipped> = self
            .reasons
            .into_iter()
            .map(|(source, reason)| Skipped {
                source,
                reason: match (reason, winner) {
                    (Reason::Text(t), _) => t,
                    (Reason::IdsForOidc, Some(w)) if w != SourceKind::GithubOidc => format!(
                        "client and tenant ids but no client secret, for github-oidc; but {w} (a complete source) comes first"
                    ),
                    (Reason::IdsForOidc, _) => {
                        "client and tenant ids but no client secret: they are used for github-oidc"
                            .into()
                    }
                },
            })
            .collect();
        if winner != Some(SourceKind::GithubOidc) {
            skipped.push(Skipped {
                source: SourceKind::GithubOidc,
                reason: oidc_reason(self.oidc.is_some(), winner),
            });
        }
        let Some(credentials) = self.winner else {
            return Ok(Decision::AskAz {
                skipped,
                warnings: self.warnings,
            });
        };
        skipped.push(Skipped {
            source: SourceKind::AzCli,
            reason: format!("not run: {} comes first", credentials.source),
        });
        Ok(Decision::Resolved(Resolved {
            credentials,
            skipped,
            warnings: self.warnings,
        }))
    }
}

/// github-oidc's own line, when it did not win.
fn oidc_reason(offered: bool, winner: Option<SourceKind>) -> String {
    match (offered, winner) {
        (false, _) => "ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN not set (the job needs `permissions: id-token: write`)".to_owned(),
        (true, Some(w)) => format!("runner offers OIDC, but {w} comes first"),
        (true, None) => "runner offers OIDC, but no client id + tenant id in flags, AZURE_* or ARM_*".to_owned(),
    }
}

/// A present source missing values (or a secret, when OIDC cannot stand in).
fn incomplete(kind: SourceKind, fields: &Fields, mut missing: Vec<String>) -> ResolveError {
    if fields.secret.is_none() {
        missing.push(fields.missing_secret.clone());
    }
    let hint = if fields.oidc_capable && fields.secret.is_none() {
        format!(
            "set {}; or, to use the `az login` session instead, pass `--source az-cli` (or CLOUDSTUDIO_SOURCE=az-cli); for GitHub OIDC without a secret, give the job `permissions: id-token: write`",
            fields.missing_secret
        )
    } else {
        format!(
            "add the missing values, or pick another source with `--source NAME` (e.g. `--source az-cli`); {kind} is used because it is present"
        )
    };
    ResolveError::Incomplete {
        which: kind,
        missing,
        hint: Some(hint),
    }
}

/// Blank values are dropped before they get here, so this is not expected;
/// it is an error rather than a panic all the same.
fn blank_secret(kind: SourceKind, origin: &str) -> ResolveError {
    ResolveError::Incomplete {
        which: kind,
        missing: vec![format!("a non-blank client secret in {origin}")],
        hint: None,
    }
}
