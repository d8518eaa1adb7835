//! Verification against Azure: cloud endpoints, the shared HTTP client and
//! its retry policy, Entra ID tokens, Resource Manager checks, error mapping.
//!
//! Access problems (token rejected, subscription unusable, role too weak)
//! are failed checks in the [`Report`] (exit 3); network trouble, outages and
//! the deadline are [`AzureError`]s (exit 1).

mod arm;
pub mod cloud;
pub mod errors;
pub mod http;
pub mod rbac;
mod token;

use crate::cli::{CloudArgs, Require};
use crate::error::{Diagnose, Exit};
use crate::ids::is_guid;
use crate::source::{Auth, Credentials};
use crate::ui::Ui;
use crate::vars::Vars;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AzureError {
    #[error("{0}")]
    CloudConfig(String),
    #[error(
        "verification passed its deadline: it did not finish within {seconds} s (--timeout); it was waiting for {step}"
    )]
    Deadline { step: &'static str, seconds: u64 },
    #[error("{step} failed after {attempts} attempt(s): {detail}")]
    Network {
        step: &'static str,
        attempts: u32,
        detail: String,
    },
    #[error("{service} answered HTTP {status} after {attempts} attempt(s): {detail}")]
    Service {
        /// The endpoint: "the Entra ID token endpoint", "the Resource Manager permissions read".
        service: &'static str,
        status: u16,
        attempts: u32,
        detail: String,
    },
    /// GitHub refused the ID token request (reported as a failed check).
    #[error("GitHub refused the OIDC token request (HTTP {status})")]
    OidcRefused { status: u16, detail: String },
}

impl Diagnose for AzureError {
    fn exit(&self) -> Exit {
        match self {
            AzureError::CloudConfig(_) => Exit::Input,
            AzureError::OidcRefused { .. } => Exit::Access,
            _ => Exit::Runtime,
        }
    }
    fn hint(&self) -> Option<String> {
        Some(match self {
            AzureError::CloudConfig(_) => "see `--cloud`, `--authority-host`, `--arm-endpoint`; SSL_CERT_FILE must name a PEM bundle".into(),
            AzureError::Deadline { .. } | AzureError::Network { .. } => "check the network path to Entra ID and Resource Manager (a proxy needs HTTPS_PROXY, a TLS-inspecting one SSL_CERT_FILE); raise --timeout for slow links".into(),
            AzureError::Service { .. } => "Azure is throttling or having an outage; retry later (https://status.azure.com)".into(),
            AzureError::OidcRefused { .. } => "give the job `permissions: id-token: write`".into(),
        })
    }
    fn title(&self) -> &'static str {
        "Azure verification"
    }
}

/// How to verify.
pub struct VerifyOptions<'a> {
    pub cloud: &'a CloudArgs,
    pub require: Require,
    /// The deadline for the whole verification.
    pub timeout: Duration,
    /// For `SSL_CERT_FILE`.
    pub vars: &'a Vars,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Not run because an earlier check failed, or not asked for.
    Skip,
}

/// One line of the verification report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `token`, `subscription`, `tenant`, `role`.
    pub name: String,
    pub status: CheckStatus,
    pub detail: String,
    /// What to do about a failure or warning.
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.status != CheckStatus::Fail)
    }

    /// One line per check, with a `fix:` line under failures and warnings.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for c in &self.checks {
            let mark = match c.status {
                CheckStatus::Pass => "✓",
                CheckStatus::Warn => "!",
                CheckStatus::Fail => "✗",
                CheckStatus::Skip => "-",
            };
            out.push_str(&format!("{mark} {:<13}{}\n", c.name, c.detail));
            if let Some(fix) = &c.fix {
                out.push_str(&format!("  {:<13}fix: {fix}\n", ""));
            }
        }
        out
    }

    fn set(
        &mut self,
        name: &str,
        status: CheckStatus,
        detail: impl Into<String>,
        fix: Option<String>,
    ) {
        if let Some(c) = self.checks.iter_mut().find(|c| c.name == name) {
            c.status = status;
            c.detail = detail.into();
            c.fix = fix;
        }
    }
}

/// Runs the checks for `creds` on `subscription_id`. Masks every token it
/// obtains (GitHub Actions) as soon as it has it.
pub async fn verify(
    creds: &Credentials,
    subscription_id: &str,
    opts: &VerifyOptions<'_>,
    ui: &Ui,
) -> Result<Report, AzureError> {
    let endpoints = cloud::Endpoints::for_cloud(opts.cloud)?;
    if let Some(arm) = &creds.arm_endpoint
        && !endpoints.same_arm(arm)
    {
        ui.warn(&format!(
            "the credentials' resourceManagerEndpointUrl ({arm}) is not this cloud's Resource Manager ({}); pass --cloud to match",
            endpoints.arm
        ));
    }
    let http = Arc::new(http::Http::new(opts.vars, opts.timeout)?);
    let run = checks(&http, creds, subscription_id, &endpoints, opts.require, ui);
    // The policy never waits past the deadline; this is the backstop for
    // anything that would (a hung TLS handshake inside a library).
    match tokio::time::timeout(opts.timeout + Duration::from_millis(500), run).await {
        Ok(Ok(mut report)) => {
            scrub(&mut report, creds);
            for c in report
                .checks
                .iter()
                .filter(|c| c.status == CheckStatus::Warn)
            {
                ui.warn(&format!("{}: {}", c.name, c.detail));
            }
            Ok(report)
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(AzureError::Deadline {
            step: "Azure to answer",
            seconds: opts.timeout.as_secs(),
        }),
    }
}

async fn checks(
    http: &Arc<http::Http>,
    creds: &Credentials,
    subscription_id: &str,
    endpoints: &cloud::Endpoints,
    require: Require,
    ui: &Ui,
) -> Result<Report, AzureError> {
    let pending = |name: &str| Check {
        name: name.into(),
        status: CheckStatus::Skip,
        detail: "not checked: an earlier check failed".into(),
        fix: None,
    };
    let mut report = Report {
        checks: ["token", "subscription", "tenant", "role"]
            .map(pending)
            .to_vec(),
    };

    let token = match token::acquire(http, creds, endpoints).await? {
        Ok(t) => t,
        Err(rejection) => {
            report.set(
                "token",
                CheckStatus::Fail,
                rejection.detail,
                Some(rejection.fix),
            );
            return Ok(report);
        }
    };
    ui.mask(token.derived.iter());
    let token_detail = match &creds.auth {
        Auth::AzSession { .. } => format!("{} (tenant {})", token.how, creds.tenant_id),
        _ => format!(
            "issued by Entra ID for tenant {} ({}{})",
            creds.tenant_id,
            token.how,
            token
                .subject
                .as_deref()
                .map(|s| format!(", subject {s}"))
                .unwrap_or_default()
        ),
    };
    report.set("token", CheckStatus::Pass, token_detail, None);

    let (sub, perms) = arm::read(http, endpoints, &token.access_token, subscription_id).await;
    match sub? {
        Ok(s) => {
            let name = s
                .display_name
                .clone()
                .unwrap_or_else(|| subscription_id.to_owned());
            let state = s.state.clone().unwrap_or_else(|| "Unknown".into());
            let detail = format!("{name} ({subscription_id}) is {state}");
            match state.as_str() {
                "Enabled" => report.set("subscription", CheckStatus::Pass, detail, None),
                "Warned" | "PastDue" => report.set(
                    "subscription",
                    CheckStatus::Warn,
                    detail,
                    Some("the subscription has a billing problem and may be disabled soon: check Cost Management + Billing".into()),
                ),
                _ => {
                    report.set(
                        "subscription",
                        CheckStatus::Fail,
                        format!("{detail}: resources cannot be deployed"),
                        Some("re-enable the subscription (Subscriptions > <subscription> > Reactivate) or target another one".into()),
                    );
                    // Tenant and role do not matter on an unusable subscription.
                    return Ok(report);
                }
            }
            check_tenant(&mut report, creds, &s, &token.access_token);
        }
        Err(e) => {
            let (cause, fix) = errors::arm(&e.code).unwrap_or((
                "Resource Manager refused the subscription read",
                errors::IAM_FIX,
            ));
            let fix = if fix == errors::IAM_FIX {
                errors::iam_fix("Contributor", creds.client_id.as_deref())
            } else {
                fix.to_owned()
            };
            let mut detail = format!("{cause} (HTTP {} {}: {})", e.status, e.code, e.message);
            if let Some(t) = other_tenant(&e.message) {
                detail = format!(
                    "the subscription belongs to tenant {t}, not the credentials' tenant {}; {detail}",
                    creds.tenant_id
                );
            }
            let check = match e.code.as_str() {
                "InvalidAuthenticationTokenTenant" => "tenant",
                "InvalidAuthenticationToken"
                | "AuthenticationFailed"
                | "ExpiredAuthenticationToken" => "token",
                _ => "subscription",
            };
            report.set(check, CheckStatus::Fail, detail, Some(fix));
            if check != "subscription" {
                report.set(
                    "subscription",
                    CheckStatus::Skip,
                    "not checked: the token is not accepted for it",
                    None,
                );
            }
        }
    }

    if report.checks.iter().any(|c| c.status == CheckStatus::Fail) {
        report.set(
            "role",
            CheckStatus::Skip,
            "not checked: an earlier check failed",
            None,
        );
        return Ok(report);
    }
    if require == Require::None {
        report.set(
            "role",
            CheckStatus::Skip,
            "not checked (--require none)",
            None,
        );
        return Ok(report);
    }
    match perms? {
        Ok(perms) => {
            let level = rbac::level(&perms);
            let wanted = if require == Require::Contributor {
                rbac::Level::Contributor
            } else {
                rbac::Level::Reader
            };
            let have = match level {
                rbac::Level::Owner => "Owner-level: can deploy and assign roles",
                rbac::Level::Contributor => {
                    "Contributor-level: can create resource groups and deployments"
                }
                rbac::Level::Reader => "Reader only: can read, cannot deploy",
                rbac::Level::None => "no role on the subscription",
            };
            if level >= wanted {
                report.set("role", CheckStatus::Pass, have, None);
            } else {
                let need = if wanted == rbac::Level::Contributor {
                    "Contributor"
                } else {
                    "Reader"
                };
                report.set(
                    "role",
                    CheckStatus::Fail,
                    format!(
                        "{have}; --require {} needs {need}",
                        if need == "Contributor" {
                            "contributor"
                        } else {
                            "reader"
                        }
                    ),
                    Some(errors::iam_fix(need, creds.client_id.as_deref())),
                );
            }
        }
        Err(_) if report.checks.iter().any(|c| c.status == CheckStatus::Fail) => {
            report.set(
                "role",
                CheckStatus::Skip,
                "not checked: an earlier check failed",
                None,
            );
        }
        Err(e) => {
            report.set(
                "role",
                CheckStatus::Fail,
                format!(
                    "could not read the principal's permissions ({}: {})",
                    e.code, e.message
                ),
                Some(errors::iam_fix("Contributor", creds.client_id.as_deref())),
            );
        }
    }
    Ok(report)
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
    for c in &mut report.checks {
        for text in std::iter::once(&mut c.detail).chain(c.fix.as_mut()) {
            for s in &secrets {
                if text.contains(s) {
                    *text = text.replace(s, "***");
                }
            }
        }
    }
}

/// The subscription's tenant in ARM's InvalidAuthenticationTokenTenant
/// message ("It must match the tenant 'https://sts.windows.net/<id>/'").
fn other_tenant(message: &str) -> Option<String> {
    let rest = &message[message.find("must match the tenant")?..];
    let url = rest.split('\'').nth(1)?;
    let id = url.trim_end_matches('/').rsplit('/').next()?;
    is_guid(id).then(|| id.to_ascii_lowercase())
}

fn check_tenant(
    report: &mut Report,
    creds: &Credentials,
    sub: &arm::Subscription,
    token: &crate::secret::Secret,
) {
    let Some(sub_tenant) = sub.tenant_id.as_deref().map(str::to_ascii_lowercase) else {
        report.set(
            "tenant",
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
        token::jwt_claim(token.expose(), "tid").map(|t| t.to_ascii_lowercase())
    };
    match ours {
        Some(t) if t == sub_tenant => {
            report.set("tenant", CheckStatus::Pass, format!("the subscription is in the credentials' tenant {sub_tenant}"), None)
        }
        Some(t) => report.set(
            "tenant",
            CheckStatus::Fail,
            format!("the subscription belongs to tenant {sub_tenant}, the credentials are for {t}"),
            errors::arm("InvalidAuthenticationTokenTenant").map(|(_, fix)| fix.to_owned()),
        ),
        None => report.set(
            "tenant",
            CheckStatus::Pass,
            format!("the subscription is in tenant {sub_tenant}; Resource Manager accepted the token for {} (a domain, not compared by id)", creds.tenant_id),
            None,
        ),
    }
}
