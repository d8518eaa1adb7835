//! The federated-credential doctor: when Entra ID refuses a CI token
//! (AADSTS700211/700212/700213/7002138/700024), say what the token claims
//! (never the token), which claim did not match, why that usually happens,
//! and the `az ad app federated-credential create` command that matches it.

use super::jwt::Claims;
use crate::resolve::Credentials;
use crate::untrusted;

/// The doctor's verdict for `code`, when it is a federation refusal: the
/// detail and the fix.
pub fn diagnose(
    code: u32,
    creds: &Credentials,
    claims: &Claims,
    description: &str,
) -> Option<(String, String)> {
    let (claim, what) = match code {
        700211 => (
            "iss",
            "no federated credential on the app trusts the token's issuer",
        ),
        700212 => (
            "aud",
            "no federated credential on the app accepts the token's audience",
        ),
        700213 => (
            "sub",
            "no federated credential on the app matches the token's subject",
        ),
        7002138 => (
            "sub",
            "the token's subject matches a federated credential only when case is ignored",
        ),
        700024 => ("exp", "the CI token is expired (or not yet valid)"),
        _ => return None,
    };
    let client = creds.client_id.as_deref().unwrap_or("<client id>");
    let mut detail = format!(
        "{what} (AADSTS{code}, app {client}){IND}{}{IND}mismatch: {claim}: {}",
        token_line(claims),
        cause(code, claims)
    );
    if description.contains("Trace ID") || description.contains("Correlation ID") {
        detail.push_str(IND);
        detail.push_str("Entra ID: ");
        detail.push_str(&super::fixes::first_line(description));
    }
    let fix = if code == 700024 {
        "use a token the CI system refreshes: a token file (AZURE_FEDERATED_TOKEN_FILE / ARM_OIDC_TOKEN_FILE_PATH, re-read each run) or a token requested right before this step (GitHub, Azure DevOps); check the runner's clock".to_owned()
    } else {
        let audience = claims
            .aud
            .first()
            .map_or("api://AzureADTokenExchange", String::as_str);
        super::fixes::federated_fix(
            client,
            claims.iss.as_deref().unwrap_or_default(),
            claims.sub.as_deref().unwrap_or_default(),
            audience,
        )
    };
    Some((detail, fix))
}

/// Continuation lines line up under the report's detail column.
const IND: &str = "\n               ";

/// `token: iss ..., sub ..., aud ..., expires ...` (sanitised).
fn token_line(c: &Claims) -> String {
    let t = |v: &Option<String>| {
        v.as_deref().map_or_else(
            || "(none)".to_owned(),
            |s| format!("`{}`", untrusted::text_capped(s, 200)),
        )
    };
    let aud = if c.aud.is_empty() {
        "(none)".to_owned()
    } else {
        c.aud
            .iter()
            .map(|a| format!("`{}`", untrusted::text_capped(a, 200)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "token: iss {}, sub {}, aud {aud}, expires {}",
        t(&c.iss),
        t(&c.sub),
        expiry(c.exp)
    )
}

/// The expiry, and how far from now.
pub fn expiry(exp: Option<i64>) -> String {
    let Some(exp) = exp else {
        return "(no exp claim)".into();
    };
    let iso = time::OffsetDateTime::from_unix_timestamp(exp)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| exp.to_string());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let delta = exp - now;
    if delta <= 0 {
        format!("{iso} (expired {} ago)", human(-delta))
    } else {
        format!("{iso} (in {})", human(delta))
    }
}

fn human(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s => format!("{} h", s / 3600),
    }
}

/// Why this claim usually does not match.
fn cause(code: u32, c: &Claims) -> String {
    let sub = c.sub.as_deref().unwrap_or_default();
    let iss = c.iss.as_deref().unwrap_or_default();
    match code {
        700211 if iss.ends_with('/') => "the issuer ends with `/`: issuers are compared exactly, so `https://host/` and `https://host` differ; the credential's issuer must be the token's `iss` character for character".into(),
        700211 => "issuers are compared exactly (scheme, host, path, trailing slash); a GitHub Enterprise issuer carries the enterprise's slug, a re-created AKS cluster has a new OIDC issuer URL, a self-managed GitLab is not https://gitlab.com".into(),
        700212 => "the CI token was requested for another audience: GitLab's `id_tokens:` `aud:`, the Kubernetes projected token's audience and the credential's audiences must agree; Entra's recommended audience is api://AzureADTokenExchange".into(),
        7002138 => "Entra compares subjects case-sensitively: the organisation, repository, project or branch was renamed with other capitals, or the credential was typed by hand".into(),
        700024 => "the token was issued for a short time (GitHub: 5 min, GitLab: the job, Kubernetes: about an hour) and was copied into a variable at the start of a long job".into(),
        _ => subject_cause(sub),
    }
}

/// The usual reason a subject does not match, from its shape.
fn subject_cause(sub: &str) -> String {
    let base = "subjects are compared exactly and case-sensitively";
    let why = if sub.contains(":environment:") {
        "the job runs in a GitHub environment, so the subject names the environment, not the branch: a credential for `ref:refs/heads/...` does not match it"
    } else if sub.contains("repository_owner_id")
        || sub.contains("repository_id")
        || sub.contains('@')
    {
        "the organisation customised its subject claim to immutable ids (`owner@id/repo@id` or `repository_owner_id:...`): credentials written with names no longer match"
    } else if sub.starts_with("repo:") && sub.contains(":pull_request") {
        "pull request jobs have the subject `repo:<owner>/<repo>:pull_request`, whatever the branch"
    } else if sub.starts_with("project_path:") {
        "GitLab's subject names the project path, `ref_type` (branch or tag) and `ref`: a credential for another branch, a tag, or a moved project does not match"
    } else if sub.starts_with("system:serviceaccount:") {
        "a Kubernetes subject is `system:serviceaccount:<namespace>:<service account>`: the pod runs under another namespace or service account"
    } else if sub.starts_with("sc://") {
        "an Azure DevOps subject is `sc://<organization>/<project>/<service connection>`: the organization, project or connection was renamed"
    } else if sub.starts_with("repo:") {
        "the job's branch, tag or environment differs from the credential's (a credential is for one entity)"
    } else {
        "the credential was created for another subject"
    };
    format!("{why}; {base}")
}
