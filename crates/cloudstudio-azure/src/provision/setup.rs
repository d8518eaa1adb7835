//! The steps of `init` in order — application, service principal, secret
//! or federated credentials, role assignment — each a read first and a
//! write only when missing. A dry run does the reads and records what it
//! would write. Nothing here prints; the caller renders the [`Step`]s.

use super::graph::{App, Federated, Graph};
use super::roles::Role;
use super::roles::Roles;
use super::{Expiry, ProvisionError};
use crate::secret::Secret;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What `init` wants to exist.
pub struct Wanted<'a> {
    pub name: &'a str,
    pub role: Role,
    pub subscription: &'a str,
    /// `None`: federated credentials instead of a secret.
    pub expiry: Option<Expiry>,
    pub federated: &'a [Federated],
    /// The exported credential file's client id and secret, if any: reused
    /// when the app still lists that secret, unexpired.
    pub exported: Option<(&'a str, &'a Secret)>,
    /// The new secret's description in the portal.
    pub label: &'a str,
}

/// One object and what happened to it (or would, in a dry run).
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub object: &'static str,
    /// `created`, `reused`, `added`, `assigned`, `present`, or the same
    /// with `would ` in front for a dry run.
    pub action: String,
    pub detail: String,
}

/// Where `init` stands after its steps.
pub struct Done {
    /// `None` only in a dry run that would create the app.
    pub app: Option<App>,
    pub principal: Option<String>,
    /// A new or reused secret (secret mode, not dry run).
    pub secret: Option<Secret>,
    pub steps: Vec<Step>,
    /// Whether anything was created (so replication may need a wait).
    pub created: bool,
}

struct Log<'p> {
    dry_run: bool,
    /// Shows each step as it completes (a later failure keeps them).
    show: &'p dyn Fn(&Step),
    /// Masks a new secret (GitHub Actions) the moment it exists.
    mask: &'p dyn Fn(&Secret),
    steps: Vec<Step>,
    created: bool,
}

impl Log<'_> {
    fn push(&mut self, step: Step) {
        (self.show)(&step);
        self.steps.push(step);
    }

    fn kept(&mut self, object: &'static str, action: &str, detail: String) {
        self.push(Step {
            object,
            action: action.into(),
            detail,
        });
    }

    fn made(&mut self, object: &'static str, action: &str, detail: String) {
        self.created = true;
        let action = if self.dry_run {
            format!("would {}", would(action))
        } else {
            action.to_owned()
        };
        self.push(Step {
            object,
            action,
            detail,
        });
    }
}

fn would(past: &str) -> &str {
    match past {
        "created" => "create",
        "added" => "add",
        "assigned" => "assign",
        other => other,
    }
}

pub async fn run(
    graph: &Graph<'_>,
    roles: &Roles<'_>,
    want: &Wanted<'_>,
    dry_run: bool,
    show: &dyn Fn(&Step),
    mask: &dyn Fn(&Secret),
) -> Result<Done, ProvisionError> {
    let mut log = Log {
        dry_run,
        show,
        mask,
        steps: Vec::new(),
        created: false,
    };
    let app = match graph.find_app(want.name).await? {
        Some(app) => {
            log.kept(
                "application",
                "reused",
                format!("{} (client id {})", want.name, app.app_id),
            );
            Some(app)
        }
        None if dry_run => {
            log.made("application", "created", want.name.to_owned());
            None
        }
        None => {
            let app = graph.create_app(want.name).await?;
            log.made(
                "application",
                "created",
                format!("{} (client id {})", want.name, app.app_id),
            );
            Some(app)
        }
    };
    let principal = match &app {
        Some(app) => match graph.find_principal(&app.app_id).await? {
            Some(id) => {
                log.kept("service principal", "reused", format!("object id {id}"));
                Some(id)
            }
            None if dry_run => {
                log.made(
                    "service principal",
                    "created",
                    format!("for client id {}", app.app_id),
                );
                None
            }
            None => {
                let id = graph.create_principal(&app.app_id).await?;
                log.made("service principal", "created", format!("object id {id}"));
                Some(id)
            }
        },
        None => {
            log.made(
                "service principal",
                "created",
                "for the new application".into(),
            );
            None
        }
    };
    // The role before the secret: a refused assignment leaves no secret
    // behind that nobody exported.
    role(roles, want, principal.as_deref(), &mut log).await?;
    let secret = match want.expiry {
        Some(expiry) => secret(graph, want, app.as_ref(), expiry, &mut log).await?,
        None => {
            federated(graph, want, app.as_ref(), &mut log).await?;
            None
        }
    };
    Ok(Done {
        app,
        principal,
        secret,
        steps: log.steps,
        created: log.created,
    })
}

/// Reuses the exported secret when the app still lists it, else adds one.
async fn secret(
    graph: &Graph<'_>,
    want: &Wanted<'_>,
    app: Option<&App>,
    expiry: Expiry,
    log: &mut Log<'_>,
) -> Result<Option<Secret>, ProvisionError> {
    let now = OffsetDateTime::now_utc();
    if let (Some(app), Some((client_id, secret))) = (app, want.exported)
        && client_id.eq_ignore_ascii_case(&app.app_id)
        && let Some(end) = still_listed(app, secret, now)
    {
        log.kept(
            "client secret",
            "reused",
            format!(
                "the exported one (valid until {})",
                &end[..10.min(end.len())]
            ),
        );
        return Ok(Some(secret.clone()));
    }
    let end = now + time::Duration::days(i64::from(expiry.days));
    let end = end.format(&Rfc3339).unwrap_or_default();
    let why = if want.exported.is_some() && app.is_some() {
        "; the exported one is not this app's or no longer valid, and an existing secret's value cannot be read back"
    } else {
        ""
    };
    let detail = format!("expires {} ({} days){why}", &end[..10], expiry.days);
    match app {
        Some(app) if !log.dry_run => {
            let s = graph.add_password(app, want.label, &end).await?;
            (log.mask)(&s);
            log.made("client secret", "added", detail);
            Ok(Some(s))
        }
        _ => {
            log.made("client secret", "added", detail);
            Ok(None)
        }
    }
}

/// The end date of the app's password whose hint (its first three
/// characters) is `secret`'s, if it has not expired.
fn still_listed(app: &App, secret: &Secret, now: OffsetDateTime) -> Option<String> {
    let hint: String = secret.expose().chars().take(3).collect();
    app.passwords.iter().find_map(|(h, end)| {
        let t = OffsetDateTime::parse(end, &Rfc3339).ok()?;
        (*h == hint && t > now + time::Duration::hours(1)).then(|| end.clone())
    })
}

async fn federated(
    graph: &Graph<'_>,
    want: &Wanted<'_>,
    app: Option<&App>,
    log: &mut Log<'_>,
) -> Result<(), ProvisionError> {
    let existing = match app {
        Some(app) => graph.federated(app).await?,
        None => Vec::new(),
    };
    for f in want.federated {
        let detail = format!("issuer {}, subject {}", f.issuer, f.subject);
        let same = |e: &Federated| {
            e.issuer == f.issuer && e.subject == f.subject && e.audience == f.audience
        };
        if existing.iter().any(same) {
            log.kept("federated credential", "present", detail);
            continue;
        }
        if existing.iter().any(|e| e.name == f.name) {
            return Err(ProvisionError::Input(format!(
                "the app already has a federated credential named '{}' with another issuer, subject or audience; delete it (`az ad app federated-credential delete`) or choose another subject",
                f.name
            )));
        }
        if let (Some(app), false) = (app, log.dry_run) {
            graph.add_federated(app, f).await?;
        }
        log.made("federated credential", "added", detail);
    }
    Ok(())
}

async fn role(
    roles: &Roles<'_>,
    want: &Wanted<'_>,
    principal: Option<&str>,
    log: &mut Log<'_>,
) -> Result<(), ProvisionError> {
    let scope = format!("/subscriptions/{}", want.subscription);
    let detail = format!("{} on {scope}", want.role.name());
    let Some(principal) = principal else {
        log.made("role assignment", "assigned", detail);
        return Ok(());
    };
    if roles.has(principal, want.role, &scope).await? {
        log.kept("role assignment", "present", detail);
        return Ok(());
    }
    if !log.dry_run {
        roles
            .assign(principal, want.role, &scope, want.subscription)
            .await?;
    }
    log.made("role assignment", "assigned", detail);
    Ok(())
}
