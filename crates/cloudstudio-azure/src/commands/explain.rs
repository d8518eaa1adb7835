//! `explain`: which source won, why the others were skipped, and the target,
//! without any network call of its own. The target (branch, rule,
//! environment, credential) is shown even when resolution fails.

use super::ctx::Ctx;
use crate::ci::Ci;
use crate::cli::ResolveArgs;
use crate::config::Config;
use crate::error::Error;
use crate::exit::Outcome;
use crate::resolve::{Auth, Resolved, SourceKind, TokenFrom};
use crate::target::{EnvironmentFrom, Placement, SubscriptionFrom};
use serde_json::json;

pub async fn run(ctx: &Ctx<'_>, args: &ResolveArgs) -> Result<Outcome, Error> {
    let (config, placement) = ctx.place(args)?;
    let resolved = match ctx.credentials(args, &placement).await {
        Ok(r) => r,
        Err(e) => {
            // What was established before the failure, then the failure.
            show(ctx, &config, &placement, None, None, None);
            return Err(e);
        }
    };
    ctx.announce(&resolved);
    let token = federated_token(&resolved.credentials.auth)?;
    let target = placement
        .clone()
        .finish(resolved.credentials.subscription_id.as_deref());
    let sub = target
        .as_ref()
        .ok()
        .map(|t| (t.subscription_id.as_str(), t.subscription_from));
    show(
        ctx,
        &config,
        &placement,
        Some(&resolved),
        sub,
        token.as_ref(),
    );
    target?;
    Ok(Outcome::Success)
}

fn show(
    ctx: &Ctx<'_>,
    config: &Config,
    p: &Placement,
    resolved: Option<&Resolved>,
    sub: Option<(&str, SubscriptionFrom)>,
    token: Option<&TokenFacts>,
) {
    // Without credentials, the subscription the target asks for.
    let sub = sub.or_else(|| p.requested());
    if ctx.ui.json() {
        let mut doc = json_doc(config, p, resolved, sub);
        if let Some(map) = doc.as_object_mut() {
            map.insert("ci".into(), json!(Ci::detect(ctx.vars)));
        }
        ctx.ui.document(with_token(doc, token));
    } else {
        let mut out = String::new();
        let ci = Ci::detect(ctx.vars).map_or("(none detected)".into(), |ci| {
            format!(
                "{} ({}={})",
                ci.name(),
                ci.marker(),
                ctx.vars.get(ci.marker()).unwrap_or_default()
            )
        });
        line(&mut out, "ci:", &ci);
        if let Some(r) = resolved {
            out.push_str(&render_source(r));
            out.push_str(&token_lines(token));
        }
        out.push_str(&render_target(config, p, sub));
        print!("{}", crate::untrusted::lines(&out));
    }
}

/// The stable `explain --output json` document.
fn json_doc(
    config: &Config,
    p: &Placement,
    resolved: Option<&Resolved>,
    sub: Option<(&str, SubscriptionFrom)>,
) -> serde_json::Value {
    let mut doc = json!({
        "subscription_id": sub.map(|s| s.0),
        "subscription_from": sub.map(|s| s.1),
        "branch": p.branch,
        "branch_from": p.branch_from,
        "rule": p.rule,
        "rule_number": p.rule_number,
        "rule_line": p.rule_line,
        "unmatched_rules": p.unmatched.iter().map(|(n, line, pattern)| json!({"number": n, "line": line, "match": pattern})).collect::<Vec<_>>(),
        "overrides": p.overrides,
        "environment": p.environment,
        "environment_from": p.environment_from,
        "credential": p.credential.as_str(),
        "credential_from": p.credential_from,
        "config": config.path,
    });
    if let (Some(r), Some(map)) = (resolved, doc.as_object_mut()) {
        let creds = &r.credentials;
        map.insert("source".into(), json!(creds.source));
        map.insert("skipped".into(), json!(r.skipped));
        map.insert("client_id".into(), json!(creds.client_id));
        map.insert("tenant_id".into(), json!(creds.tenant_id));
        map.insert("has_secret".into(), json!(creds.auth.has_secret()));
    }
    doc
}

fn line(out: &mut String, k: &str, v: &str) {
    out.push_str(&format!("{k:<14}{v}\n"));
}

/// The source, the skipped ones under it, the ids.
fn render_source(r: &Resolved) -> String {
    let creds = &r.credentials;
    let mut out = String::new();
    line(
        &mut out,
        "source:",
        &format!("{} ({})", creds.source, describe_source(creds.source)),
    );
    for s in &r.skipped {
        line(&mut out, "", &format!("skipped {}: {}", s.source, s.reason));
    }
    let client = match (&creds.client_id, &creds.auth) {
        (Some(c), Auth::ManagedIdentity { user_assigned, .. }) => {
            let kind = if *user_assigned {
                "user-assigned"
            } else {
                "system-assigned"
            };
            format!("{c} ({kind} managed identity)")
        }
        (Some(c), _) => c.clone(),
        (None, _) => "(none: az session)".into(),
    };
    line(&mut out, "client id:", &client);
    line(&mut out, "tenant id:", &creds.tenant_id);
    let secret = if creds.auth.has_secret() {
        "*** (present, not shown)"
    } else {
        "(none)"
    };
    line(&mut out, "secret:", secret);
    out
}

/// Branch, config, rule (number, line, the ones that did not match),
/// environment, subscription, credential.
fn render_target(config: &Config, p: &Placement, sub: Option<(&str, SubscriptionFrom)>) -> String {
    let mut out = String::new();
    let branch = match (&p.branch, &p.branch_from) {
        (Some(b), Some(f)) => format!("{} (from {f})", crate::untrusted::text(b)),
        _ if p.branch_notes.is_empty() => "(none found)".into(),
        _ => format!("(none found: {})", p.branch_notes.join("; ")),
    };
    line(&mut out, "branch:", &branch);
    let cfg = config
        .path
        .as_ref()
        .map_or("(none found)".into(), |p| crate::untrusted::path(p));
    line(&mut out, "config:", &cfg);
    let rule = match (&p.rule, p.rule_number) {
        (Some(r), Some(n)) => format!("`{r}` (rule {n}{})", at_line(p.rule_line)),
        _ => "(none matched)".into(),
    };
    line(&mut out, "rule:", &rule);
    for (n, l, pattern) in &p.unmatched {
        line(
            &mut out,
            "",
            &format!("rule {n}{} `{pattern}` does not match", at_line(*l)),
        );
    }
    for o in &p.overrides {
        line(&mut out, "", o);
    }
    let env = format!(
        "{} ({})",
        p.environment,
        describe_environment_from(p.environment_from)
    );
    line(&mut out, "environment:", &env);
    let sub = match sub {
        Some((s, f)) => format!("{s} ({})", describe_sub_from(f)),
        None => "(none)".into(),
    };
    line(&mut out, "subscription:", &sub);
    let credential = format!(
        "{} (from {})",
        p.credential,
        format!("{:?}", p.credential_from).to_lowercase()
    );
    line(&mut out, "credential:", &credential);
    out
}

fn at_line(l: Option<usize>) -> String {
    l.map(|l| format!(", line {l}")).unwrap_or_default()
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
        SourceKind::ManagedIdentity => {
            "the machine's managed identity (IMDS or App Service's IDENTITY_ENDPOINT), asked for; its token came with resolution; no secret"
        }
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
    /// Requested during verification: no claims before then.
    requested: bool,
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
            requested: false,
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
            requested: true,
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

/// The token's lines, under the secret line.
fn token_lines(token: Option<&TokenFacts>) -> String {
    let Some(t) = token else {
        return String::new();
    };
    let mut lines = format!("{:<14}{}\n", "token:", t.from);
    match &t.claims {
        Some(c) => {
            let q = |v: &Option<String>| {
                v.as_deref().map_or("(none)".into(), |s| {
                    format!("`{}`", crate::untrusted::text(s))
                })
            };
            let aud: Vec<String> = c
                .aud
                .iter()
                .map(|a| format!("`{}`", crate::untrusted::text(a)))
                .collect();
            lines.push_str(&format!("{:<14}iss {}\n", "", q(&c.iss)));
            lines.push_str(&format!("{:<14}sub {}\n", "", q(&c.sub)));
            lines.push_str(&format!("{:<14}aud {}\n", "", aud.join(", ")));
            lines.push_str(&format!(
                "{:<14}expires {}\n",
                "",
                crate::verify::expiry(c.exp)
            ));
        }
        None if t.requested => {}
        None => lines.push_str(&format!("{:<14}(not a JWT: Entra ID will refuse it)\n", "")),
    }
    lines
}
