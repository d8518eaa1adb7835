//! The checks, in order: a token from Entra ID, then the two Resource
//! Manager reads in parallel (the subscription: state and tenant; the
//! principal's permissions: the role). A check that fails skips the ones
//! that depend on it.

use super::arm::{self, ArmError, Subscription};
use super::cloud::Endpoints;
use super::error::VerifyError;
use super::fixes;
use super::http::Http;
use super::jwt;
use super::rbac::{self, Level, Permission};
use super::report::{Check, CheckStatus, EARLIER_FAILED, Report};
use super::token::{self, Token};
use crate::ids::is_guid;
use crate::observe::Observe;
use crate::resolve::{Auth, Credentials};
use crate::secret::Secret;
use std::sync::Arc;

/// What to check against what.
pub struct Target<'a> {
    pub creds: &'a Credentials,
    pub subscription_id: &'a str,
    pub endpoints: &'a Endpoints,
    /// The weakest role that passes; `None`: the role is not checked.
    pub wanted: Option<Level>,
}

pub async fn run(
    http: &Arc<Http>,
    t: &Target<'_>,
    observe: &dyn Observe,
) -> Result<Report, VerifyError> {
    match token_step(http, t.creds, t.endpoints, observe).await? {
        Ok((token, report)) => resource_checks(http, t, &token, report, observe).await,
        Err(report) => Ok(report),
    }
}

/// The token check: the token and the report so far, or the report with
/// the token refused. Tokens derived on the way are masked first.
pub async fn token_step(
    http: &Arc<Http>,
    creds: &Credentials,
    endpoints: &Endpoints,
    observe: &dyn Observe,
) -> Result<Result<(Token, Report), Report>, VerifyError> {
    let mut report = Report::default();
    observe.status("asking Entra ID for a token");
    let token = match token::acquire(http, creds, endpoints).await? {
        Ok(token) => token,
        Err(rejection) => {
            report.fail(Check::Token, rejection.detail, Some(rejection.fix));
            return Ok(Err(report));
        }
    };
    for secret in &token.derived {
        observe.secret(secret);
    }
    report.pass(Check::Token, token_detail(creds, &token));
    emit(&mut report, creds, observe, Check::Token);
    Ok(Ok((token, report)))
}

/// The Resource Manager checks with `token`, completing `report`.
pub async fn resource_checks(
    http: &Http,
    t: &Target<'_>,
    token: &Token,
    mut report: Report,
    observe: &dyn Observe,
) -> Result<Report, VerifyError> {
    observe.status("reading the subscription and the role assignments from Resource Manager");
    let mut sub_name = None;
    let (sub, perms) = arm::read(http, t.endpoints, &token.access_token, t.subscription_id).await;
    match sub? {
        Ok(s) => {
            if !subscription(&mut report, t.subscription_id, &s) {
                // Tenant and role do not matter on an unusable subscription.
                return Ok(report);
            }
            tenant(&mut report, t.creds, &s, &token.access_token);
            sub_name = s.display_name.clone();
        }
        Err(e) => arm_refusal(&mut report, t, &e),
    }
    if !report.passed() {
        report.skip(Check::Role, EARLIER_FAILED);
        return Ok(report);
    }
    emit(&mut report, t.creds, observe, Check::Tenant);
    let Some(wanted) = t.wanted else {
        report.skip(Check::Role, "not checked (--require none)");
        return Ok(report);
    };
    role(&mut report, t, sub_name.as_deref(), perms?, wanted);
    Ok(report)
}

fn token_detail(creds: &Credentials, token: &Token) -> String {
    match &creds.auth {
        Auth::AzSession { .. } | Auth::ManagedIdentity { .. } => {
            format!("{} (tenant {})", token.how, creds.tenant_id)
        }
        Auth::ClientSecret(_)
        | Auth::GithubOidc { .. }
        | Auth::FederatedToken(_)
        | Auth::AzureDevopsOidc { .. } => format!(
            "issued by Entra ID for tenant {} ({}{})",
            creds.tenant_id,
            token.how,
            token
                .subject
                .as_deref()
                .map(|s| format!(", subject {s}"))
                .unwrap_or_default()
        ),
    }
}

/// The subscription's state; `false` when it cannot be deployed to.
fn subscription(report: &mut Report, id: &str, s: &Subscription) -> bool {
    let name = s.display_name.clone().unwrap_or_else(|| id.to_owned());
    let state = s.state.clone().unwrap_or_else(|| "Unknown".into());
    let detail = format!("{name} ({id}) is {state}");
    match state.as_str() {
        "Enabled" => report.pass(Check::Subscription, detail),
        "Warned" | "PastDue" => report.set(
            Check::Subscription,
            CheckStatus::Warn,
            detail,
            Some("the subscription has a billing problem and may be disabled soon: check Cost Management + Billing".into()),
        ),
        _ => {
            report.fail(
                Check::Subscription,
                format!("{detail}: resources cannot be deployed"),
                Some(format!("re-enable the subscription (in the Azure portal: Subscriptions > {name} > Reactivate) or target another one with --subscription-id")),
            );
            return false;
        }
    }
    true
}

/// Resource Manager refused the subscription read: which check that fails.
fn arm_refusal(report: &mut Report, t: &Target<'_>, e: &ArmError) {
    let creds = t.creds;
    let (cause, fix) = fixes::arm(&e.code).unwrap_or((
        "Resource Manager refused the subscription read",
        fixes::IAM_FIX,
    ));
    let fix = if fix == fixes::IAM_FIX {
        fixes::iam_fix(
            "Contributor",
            fixes::Principal::of(creds),
            t.subscription_id,
            None,
        )
    } else {
        fix.to_owned()
    };
    let mut detail = format!("{cause} (HTTP {} {}: {})", e.status, e.code, e.message);
    let mut fix = fix;
    if let Some(t) = other_tenant(&e.message) {
        fix = tenant_fix(&t, &creds.tenant_id);
        detail = format!(
            "the subscription belongs to tenant {t}, not the credentials' tenant {}; {detail}",
            creds.tenant_id
        );
    }
    // A token Resource Manager refuses fails the read it refused: Entra ID
    // did issue it, and the token line was printed when it did.
    let check = match e.code.as_str() {
        "InvalidAuthenticationTokenTenant" => Check::Tenant,
        _ => Check::Subscription,
    };
    report.fail(check, detail, Some(fix));
    if check != Check::Subscription {
        report.skip(
            Check::Subscription,
            "not checked: the token is not accepted for it",
        );
    }
}

/// The fix for a subscription in another tenant, with both tenant ids.
fn tenant_fix(sub_tenant: &str, ours: &str) -> String {
    format!(
        "use the tenant id the subscription belongs to, {sub_tenant} (and an app registered there), or a subscription in the credentials' tenant {ours} (`az account list --query \"[?tenantId=='{ours}']\"` lists them)"
    )
}

/// The subscription's tenant in ARM's InvalidAuthenticationTokenTenant
/// message ("It must match the tenant 'https://sts.windows.net/<id>/'").
pub(super) fn other_tenant(message: &str) -> Option<String> {
    let rest = &message[message.find("must match the tenant")?..];
    let url = rest.split('\'').nth(1)?;
    let id = url.trim_end_matches('/').rsplit('/').next()?;
    is_guid(id).then(|| id.to_ascii_lowercase())
}

fn tenant(report: &mut Report, creds: &Credentials, sub: &Subscription, token: &Secret) {
    let Some(sub_tenant) = sub.tenant_id.as_deref().map(str::to_ascii_lowercase) else {
        report.set(
            Check::Tenant,
            CheckStatus::Warn,
            "Resource Manager did not say which tenant the subscription is in",
            None,
        );
        return;
    };
    // A tenant given as a domain is compared through the token's `tid`
    // when the token is a JWT (real Entra ID tokens are).
    let ours = if is_guid(&creds.tenant_id) {
        Some(creds.tenant_id.to_ascii_lowercase())
    } else {
        jwt::claim(token.expose(), "tid").map(|t| t.to_ascii_lowercase())
    };
    match ours {
        Some(t) if t == sub_tenant => report.pass(
            Check::Tenant,
            format!("the subscription is in the credentials' tenant {sub_tenant}"),
        ),
        // Azure Lighthouse: Resource Manager accepts the managing tenant's
        // token on a subscription delegated to it.
        Some(t) if sub.delegated_to(&t) => report.pass(
            Check::Tenant,
            format!(
                "the subscription is in tenant {sub_tenant}, delegated to the credentials' tenant {t} (managedByTenants, Azure Lighthouse)"
            ),
        ),
        Some(t) => report.fail(
            Check::Tenant,
            format!("the subscription belongs to tenant {sub_tenant}, the credentials are for {t}"),
            Some(tenant_fix(&sub_tenant, &t)),
        ),
        None => report.pass(
            Check::Tenant,
            format!("the subscription is in tenant {sub_tenant}; Resource Manager accepted the token for {} (a domain, not compared by id)", creds.tenant_id),
        ),
    }
}

/// The principal's role against the one `--require` asks for.
fn role(
    report: &mut Report,
    t: &Target<'_>,
    sub_name: Option<&str>,
    perms: Result<Vec<Permission>, ArmError>,
    wanted: Level,
) {
    let creds = t.creds;
    let perms = match perms {
        Ok(perms) => perms,
        Err(e) => {
            report.fail(
                Check::Role,
                format!(
                    "could not read the principal's permissions ({}: {})",
                    e.code, e.message
                ),
                Some(fixes::iam_fix(
                    "Contributor",
                    fixes::Principal::of(creds),
                    t.subscription_id,
                    sub_name,
                )),
            );
            return;
        }
    };
    let level = rbac::level(&perms);
    if level >= wanted {
        report.pass(Check::Role, level.describe());
        return;
    }
    let need = wanted.role();
    report.fail(
        Check::Role,
        format!(
            "{}; --require {} needs {need}",
            level.describe(),
            need.to_ascii_lowercase()
        ),
        Some(fixes::iam_fix(
            need,
            fixes::Principal::of(creds),
            t.subscription_id,
            sub_name,
        )),
    );
}

/// Hands the checks settled so far (up to `upto`) to the observer, scrubbed.
pub fn emit(report: &mut Report, creds: &Credentials, observe: &dyn Observe, upto: Check) {
    scrub(report, creds);
    report.emit_upto(upto, observe);
}

/// Service text is shown as detail; should a service ever echo a credential
/// back, it is replaced here (defence in depth: nothing we send is echoed
/// by Entra ID or Resource Manager today).
fn scrub(report: &mut Report, creds: &Credentials) {
    let secrets: Vec<&str> = creds
        .auth
        .secrets()
        .into_iter()
        .map(|s| s.expose())
        .filter(|s| s.len() >= 4)
        .collect();
    for r in report.results_mut() {
        for text in std::iter::once(&mut r.detail).chain(r.fix.as_mut()) {
            for s in &secrets {
                if text.contains(s) {
                    *text = text.replace(s, "***");
                }
            }
        }
    }
}
