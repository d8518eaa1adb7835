//! The one place that decides which credential source is used: a pure
//! function over what the sources saw.

use super::credentials::{Auth, Credentials, SourceKind};
use super::error::ResolveError;
use super::federation::{Offer, Offers};
use super::managed_identity::{Asked, MiRequest};
use super::probe::{Fields, Probe, secret_of};
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
    /// No source above it is present, and a managed identity is asked
    /// for: its endpoint is asked for a token.
    AskManagedIdentity {
        request: MiRequest,
        skipped: Vec<Skipped>,
        warnings: Vec<String>,
    },
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
    /// A client id without a secret, lent to the managed identity.
    IdsForMi,
}

/// Decides, in the documented precedence (DESIGN.md), first present source
/// wins:
/// 1. `flags`: `--client-id`, `--tenant-id` (+ `--subscription-id`), secret
///    from `--client-secret-stdin` or `AZURE_CLIENT_SECRET`;
/// 2. `azure-credentials`: `AZURE_CREDENTIALS` or `--creds-file` (JSON);
/// 3. `azure-env`: `AZURE_CLIENT_ID` + `AZURE_CLIENT_SECRET` + `AZURE_TENANT_ID`;
/// 4. `arm-env`: the same with `ARM_`;
/// 5. federation: client and tenant ids from 1, 3 or 4 when that source has
///    no secret, plus the first CI token on offer ([`super::federation`]):
///    `federated-token`, `azure-devops-oidc`, `github-oidc`;
/// 6. `managed-identity`, only when asked ([`Decision::AskManagedIdentity`]);
/// 7. `az-cli`: one `az account get-access-token` process ([`Decision::AskAz`]).
///
/// Fields are never mixed across sources. A present but incomplete source is
/// an error naming what is missing; it never falls through to a lower one.
/// A source with ids but no secret is only deferred to federation when the
/// job offers a CI token; a complete source further down still wins over
/// it, since federation is fifth. Ids given as flags are the exception: the
/// most explicit choice there is, with OIDC on offer they win at once.
/// With a managed identity asked and no CI token to federate with, the
/// first id-only source lends it its client id (a user-assigned identity,
/// as Terraform reads `ARM_USE_MSI` + `ARM_CLIENT_ID`) instead of being
/// incomplete; `--managed-identity CLIENT_ID` wins over that.
///
/// `probes` are the first four sources' probes, in precedence order; `mi`
/// says whether a managed identity is asked for.
pub fn decide(
    probes: Vec<(SourceKind, Probe)>,
    fed: Offers,
    mi: Option<Asked>,
) -> Result<Decision, ResolveError> {
    let mut d = Decider {
        oidc: fed.first(),
        fed,
        reasons: Vec::new(),
        warnings: Vec::new(),
        winner: None,
        oidc_ids: None,
        mi,
        mi_ids: None,
    };
    for (kind, probe) in probes {
        d.take(kind, probe)?;
    }
    d.finish()
}

struct Decider {
    /// The CI token federation uses, if any is offered.
    oidc: Option<Offer>,
    fed: Offers,
    reasons: Vec<(SourceKind, Reason)>,
    warnings: Vec<String>,
    winner: Option<Credentials>,
    /// The first id-only source, kept for federation.
    oidc_ids: Option<Box<Fields>>,
    mi: Option<Asked>,
    /// The first id-only source, kept for the managed identity.
    mi_ids: Option<Box<Fields>>,
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
            (None, ..) if fields.oidc_capable && self.mi.is_some() => self.lend(kind, fields),
            _ => return Err(incomplete(kind, &fields, missing)),
        }
        Ok(())
    }

    /// Ids without a secret, with a CI token on offer: flags win at once;
    /// the first other such source lends federation its ids.
    fn defer(
        &mut self,
        kind: SourceKind,
        fields: Box<Fields>,
        request: Offer,
    ) -> Result<(), ResolveError> {
        if kind == SourceKind::Flags {
            self.skip(
                kind,
                format!(
                    "client and tenant ids but no client secret: used by {}",
                    request.kind
                ),
            );
            self.winner = Some(self.oidc_credentials(*fields, request)?);
        } else if self.oidc_ids.is_none() {
            self.reasons.push((kind, Reason::IdsForOidc));
            self.oidc_ids = Some(fields);
        } else {
            self.skip(
                kind,
                "ids without a secret; a higher source already supplies federation's ids",
            );
        }
        Ok(())
    }

    /// A client id without a secret, with a managed identity asked: the
    /// first such source lends it (unless the asking named the identity).
    fn lend(&mut self, kind: SourceKind, fields: Box<Fields>) {
        if let Some(by) = self
            .mi
            .as_ref()
            .filter(|m| m.client_id.is_some())
            .map(|m| m.by.clone())
        {
            self.skip(
                kind,
                format!("a client id without a client secret; the managed identity is the one {by} names"),
            );
        } else if self.mi_ids.is_none() {
            self.reasons.push((kind, Reason::IdsForMi));
            self.mi_ids = Some(fields);
        } else {
            self.skip(
                kind,
                "a client id without a secret; a higher source already lends the managed identity its client id",
            );
        }
    }

    /// Federated credentials with the ids of `fields` (the credential is
    /// the token source's, not the id source's).
    fn oidc_credentials(
        &mut self,
        fields: Fields,
        request: Offer,
    ) -> Result<Credentials, ResolveError> {
        let mut creds = fields.validate(request.auth, &mut self.warnings)?;
        creds.source = request.kind;
        Ok(creds)
    }

    fn finish(mut self) -> Result<Decision, ResolveError> {
        if self.winner.is_none()
            && let (Some(fields), Some(request)) = (self.oidc_ids.take(), self.oidc.clone())
        {
            self.winner = Some(self.oidc_credentials(*fields, request)?);
        }
        let mi_wins = self.winner.is_none() && self.mi.is_some();
        let winner = self
            .winner
            .as_ref()
            .map(|w| w.source)
            .or(mi_wins.then_some(SourceKind::ManagedIdentity));
        let mut skipped = self.reasons_for(winner);
        skipped.extend(federation_reasons(&self.fed, self.oidc.as_ref(), winner));
        if mi_wins && let Some(asked) = self.mi.take() {
            return Ok(Decision::AskManagedIdentity {
                request: mi_request(asked, self.mi_ids.take().map(|f| *f)),
                skipped,
                warnings: self.warnings,
            });
        }
        skipped.push(Skipped {
            source: SourceKind::ManagedIdentity,
            reason: match (&self.mi, winner) {
                (Some(a), Some(w)) => format!("asked ({}), but {w} comes first", a.by),
                _ => {
                    "not asked (ARM_USE_MSI=true, AZURE_USE_MSI=true or --managed-identity)".into()
                }
            },
        });
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

    /// The first four sources' lines, worded for the winner.
    fn reasons_for(&mut self, winner: Option<SourceKind>) -> Vec<Skipped> {
        let fed_kind = self
            .oidc
            .as_ref()
            .map_or(SourceKind::GithubOidc, |o| o.kind);
        std::mem::take(&mut self.reasons)
            .into_iter()
            .map(|(source, reason)| Skipped {
                source,
                reason: match (reason, winner) {
                    (Reason::Text(t), _) => t,
                    (Reason::IdsForOidc, Some(w)) if w != fed_kind => format!(
                        "client and tenant ids but no client secret, for {fed_kind}; but {w} (a complete source) comes first"
                    ),
                    (Reason::IdsForOidc, _) => format!(
                        "client and tenant ids but no client secret: they are used for {fed_kind}"
                    ),
                    (Reason::IdsForMi, Some(SourceKind::ManagedIdentity)) => {
                        "a client id without a client secret: it names the (user-assigned) managed identity".into()
                    }
                    (Reason::IdsForMi, w) => format!(
                        "a client id without a client secret, for managed-identity; but {} (a complete source) comes first",
                        w.map_or("another source", SourceKind::name)
                    ),
                },
            })
            .collect()
    }
}

/// What the managed identity's token request takes from the asking and
/// from the id-only source that lends it its client id: the asking's own
/// client id first, then the lender's (with its tenant and subscription).
fn mi_request(asked: Asked, lent: Option<Fields>) -> MiRequest {
    let (lent_client, tenant_id, subscription_id) = match lent {
        Some(f) => (f.client_id, f.tenant_id, f.subscription_id),
        None => (None, None, None),
    };
    let client_id = match &asked.client_id {
        Some(c) => Some((c.clone(), asked.by.clone())),
        None => lent_client,
    };
    MiRequest {
        client_id,
        tenant_id,
        subscription_id,
    }
}

/// The federation sources' lines, but the winner's: not offered (why),
/// or offered and not used (why not).
fn federation_reasons(
    fed: &Offers,
    first: Option<&Offer>,
    winner: Option<SourceKind>,
) -> Vec<Skipped> {
    let first = first.map(|o| o.kind);
    [
        SourceKind::FederatedToken,
        SourceKind::AzureDevopsOidc,
        SourceKind::GithubOidc,
    ]
    .into_iter()
    .filter(|&k| Some(k) != winner)
    .map(|kind| {
        let offers = if kind == SourceKind::GithubOidc {
            "runner offers OIDC"
        } else {
            "the job offers a token"
        };
        let reason = match (
            fed.not_offered.iter().find(|(k, _)| *k == kind),
            first,
            winner,
        ) {
            (Some((_, why)), ..) => why.clone(),
            (None, Some(f), _) if f != kind => format!("{offers}, but {f} comes first"),
            // The managed identity comes after federation: it won because
            // federation had no complete ids.
            (None, _, Some(w)) if w != SourceKind::ManagedIdentity => {
                format!("{offers}, but {w} comes first")
            }
            (None, _, _) => {
                format!("{offers}, but no client id + tenant id in flags, AZURE_* or ARM_*")
            }
        };
        Skipped {
            source: kind,
            reason,
        }
    })
    .collect()
}

/// A present source missing values (or a secret, when OIDC cannot stand in).
fn incomplete(kind: SourceKind, fields: &Fields, mut missing: Vec<String>) -> ResolveError {
    if fields.secret.is_none() {
        missing.push(fields.missing_secret.clone());
    }
    let hint = if fields.oidc_capable && fields.secret.is_none() {
        format!(
            "set {}; or, to use the `az login` session instead, pass `--source az-cli` (or CLOUDSTUDIO_SOURCE=az-cli); for federation without a secret, give the job a CI token (GitHub: `permissions: id-token: write`; GitLab: `id_tokens:` as ARM_OIDC_TOKEN; Kubernetes: AZURE_FEDERATED_TOKEN_FILE; Azure DevOps: SYSTEM_ACCESSTOKEN and the service connection id); on an Azure VM or App Service with a managed identity, set ARM_USE_MSI=true (the client id then names a user-assigned identity)",
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
