//! `explain`: which source won, why the others were skipped, and the target,
//! without any network call of its own.

use super::ctx::{Ctx, Parts};
use crate::cli::ResolveArgs;
use crate::error::Error;
use crate::exit::Outcome;
use crate::resolve::{Auth, SourceKind, TokenFrom};
use crate::target::{EnvironmentFrom, SubscriptionFrom};
use serde_json::json;

pub async fn run(ctx: &Ctx<'_>, args: &ResolveArgs) -> Result<Outcome, Error> {
    let parts = ctx.resolve_parts(args).await?;
    ctx.announce(&parts.resolved);
    let token = federated_token(&parts.resolved.credentials.auth)?;
    let creds = &parts.resolved.credentials;
    let p = &parts.placement;
    let target = p.clone().finish(creds.subscription_id.as_deref());
    let (subscription, sub_from) = match &target {
        Ok(t) => (Some(t.subscription_id.as_str()), Some(t.subscription_from)),
        Err(_) => (None, None),
    };

    if ctx.ui.json() {
        println!(
            "{}",
            crate::untrusted::json(&with_token(
                json_doc(&parts, subscription, sub_from),
                token.as_ref()
            ))?
        );
    } else {
        print!(
            "{}",
            crate::untrusted::lines(&with_token_line(
                render_text(&parts, subscription, sub_from),
                token.as_ref()
            ))
        );
    }
    target?;
    Ok(Outcome::Success)
}

/// The stable `explain --output json` document.
fn json_doc(
    parts: &Parts,
    subscription: Option<&str>,
    sub_from: Option<SubscriptionFrom>,
) -> serde_json::Value {
    let creds = &parts.resolved.credentials;
    let p = &parts.placement;
    json!({
        "source": creds.source,
        "skipped": parts.resolved.skipped,
        "client_id": creds.client_id,
        "tenant_id": creds.tenant_id,
        "subscription_id": subscription,
        "subscription_from": sub_from,
        "branch": p.branch,
        "branch_from": p.branch_from,
        "rule": p.rule,
        "environment": p.environment,
        "environment_from": p.environment_from,
        "credential": p.credential.as_str(),
        "credential_from": p.credential_from,
        "has_secret": creds.auth.has_secret(),
        "config": parts.config.path,
    })
}

/// `explain` for people: one line per fact, the skipped sources under the
/// winner.
fn render_text(
    parts: &Parts,
    subscription: Option<&str>,
    sub_from: Option<SubscriptionFrom>,
) -> String {
    let creds = &parts.resolved.credentials;
    let p = &parts.placement;
    let mut out = String::new();
    let mut line = |k: &str, v: String| out.push_str(&format!("{k:<14}{v}\n"));
    line(
        "source:",
        format!("{} ({})", creds.source, describe_source(creds.source)),
    );
    for s in &parts.resolved.skipped {
        line("", format!("skipped {}: {}", s.source, s.reason));
    }
    line(
        "client id:",
        creds
            .client_id
            .clone()
            .unwrap_or_else(|| "(none: az session)".into()),
    );
    line("tenant id:", creds.tenant_id.clone());
    line(
        "secret:",
        if creds.auth.has_secret() {
            "*** (present, not shown)".into()
        } else {
            "(none)".into()
        },
    );
    let branch = match (&p.branch, &p.branch_from) {
        (Some(b), Some(f)) => format!("{} (from {f})", crate::untrusted::text(b)),
        _ if p.branch_notes.is_empty() => "(none found)".into(),
        _ => format!("(none found: {})", p.branch_notes.join("; ")),
    };
    line("branch:", branch);
    line(
        "config:",
        parts
            .config
            .path
            .as_ref()
            .map_or("(none found)".into(), |p| crate::untrusted::path(p)),
    );
    line(
        "rule:",
        p.rule
            .clone()
            .map_or("(none matched)".into(), |r| format!("`{r}`")),
    );
    line(
        "environment:",
        format!(
            "{} ({})",
            p.environment,
            describe_environment_from(p.environment_from)
        ),
    );
    line(
        "subscription:",
        match (subscription, sub_from) {
            (Some(s), Some(f)) => format!("{s} ({})", describe_sub_from(f)),
            _ => "(none)".into(),
        },
    );
    line(
        "credential:",
        format!(
            "{} (from {})",
            p.credential,
            format!("{:?}", p.credential_from).to_lowercase()
        ),
    );
    out
}

fn describe_source(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Flags => "--client-id, --tenant-id, secret from AZURE_CLIENT_SECRET or stdin",
        SourceKind::AzureCredentials => "JSON from AZURE_CREDENTIALS or --creds-file",
        SourceKind::AzureEnv => "AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID",
        SourceKind::ArmEnv => "ARM_CLIENT_ID, ARM_CLIENT_SECRET, ARM_TENANT_ID",
        SourceKind::FederatedToken => {
            "a CI token (ARM_OIDC_TOKEN, --federated-token-env or a token file) as a client assertion; no secret"
        }
        SourceKind::AzureDevopsOidc => {
            "an Azure DevOps service connection's OIDC token as a client assertion; no secret"
        }
        SourceKind::GithubOidc => "GitHub OIDC token as a client assertion; no secret",
        SourceKind::AzCli => "the `az login` session",
    }
}

fn describe_environment_from(f: EnvironmentFrom) -> &'static str {
    match f {
        EnvironmentFrom::Flag => "from --environment",
        EnvironmentFrom::Rule => "from the matched rule",
        EnvironmentFrom::Default => "default: no flag and no matching rule",
    }
}

fn describe_sub_from(f: SubscriptionFrom) -> &'static str {
    match f {
        SubscriptionFrom::Flag => "from --subscription-id",
        SubscriptionFrom::Rule => "from the matched rule",
        SubscriptionFrom::Environment => "from the environment's default in the config",
        SubscriptionFrom::Source => "from the credentials",
    }
}

/// What `explain` shows of the CI token before any network call: where it
/// is and, for a token already in hand (a variable or a file), its claims.
struct TokenFacts {
    from: String,
    claims: Option<crate::verify::Claims>,
}

fn federated_token(auth: &Auth) -> Result<Option<TokenFacts>, Error> {
    Ok(Some(match auth {
        Auth::FederatedToken(from) => TokenFacts {
            from: match from {
                TokenFrom::Env { var, .. } => var.clone(),
                TokenFrom::File { var, path } => {
                    format!("{} ({var}, read each run)", crate::untrusted::path(path))
                }
            },
            claims: crate::verify::token_claims(from)?,
        },
        Auth::AzureDevopsOidc {
            service_connection_id,
            ..
        } => TokenFacts {
            from: format!(
                "requested from SYSTEM_OIDCREQUESTURI for service connection {} during verification",
                crate::untrusted::text(service_connection_id)
            ),
            claims: None,
        },
        _ => return Ok(None),
    }))
}

fn with_token(mut doc: serde_json::Value, token: Option<&TokenFacts>) -> serde_json::Value {
    doc["federated_token"] = token.map_or(serde_json::Value::Null, |t| {
        let c = t.claims.clone().unwrap_or_default();
        json!({ "from": t.from, "iss": c.iss, "sub": c.sub, "aud": c.aud, "exp": c.exp })
    });
    doc
}

/// The token's lines go under the secret line.
fn with_token_line(text: String, token: Option<&TokenFacts>) -> String {
    let Some(t) = token else {
        return text;
    };
    let mut lines = format!("{:<14}{}\n", "token:", t.from);
    match &t.claims {
        Some(c) => {
            let q = |v: &Option<String>| {
                v.as_deref().map_or("(none)".into(), |s| {
                    format!("`{}`", crate::untrusted::text(s))
                })
            };
            lines.push_str(&format!("{:<14}iss {}\n", "", q(&c.iss)));
            lines.push_str(&format!("{:<14}sub {}\n", "", q(&c.sub)));
            let aud: Vec<String> = c
                .aud
                .iter()
                .map(|a| format!("`{}`", crate::untrusted::text(a)))
                .collect();
            lines.push_str(&format!("{:<14}aud {}\n", "", aud.join(", ")));
            lines.push_str(&format!(
                "{:<14}expires {}\n",
                "",
                crate::verify::expiry(c.exp)
            ));
        }
        None if matches!(t.from.as_str(), s if s.starts_with("requested")) => {}
        None => lines.push_str(&format!("{:<14}(not a JWT: Entra ID will refuse it)\n", "")),
    }
    match text.find("\nbranch:") {
        Some(i) => format!("{}{lines}{}", &text[..=i], &text[i + 1..]),
        None => text + &lines,
    }
}
