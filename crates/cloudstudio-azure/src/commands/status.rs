//! `status`: the workdir's Azure credentials (masked), which environment
//! each is current for, and each environment with no credential (the app's
//! "Credential not set on environment"). Reads only; needs no credentials.

use super::ctx::Ctx;
use crate::config::CredentialName;
use crate::error::Error;
use crate::exit::Outcome;
use crate::ids::Environment;
use crate::workdir::{self, CredentialFile, Existing, SecretsDir, parse_bindings};
use serde_json::json;
use std::path::PathBuf;

const NOT_SET: &str = "Credential not set on environment";

/// What the workdir holds.
struct Status {
    workdir: PathBuf,
    /// Each credential file, parsed, with the environments it is current for.
    creds: Vec<(CredentialName, Existing<CredentialFile>, Vec<Environment>)>,
    /// Each environment with its credential, if any.
    environments: Vec<(Environment, Option<String>)>,
    warnings: Vec<String>,
}

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let config = ctx.config()?;
    let status = read(ctx.workdir(&config)?)?;
    // The table (text) and `environments` (JSON) show the unset ones: they
    // are not repeated as warnings.
    for w in status.warnings.iter().filter(|w| !w.starts_with(NOT_SET)) {
        ctx.ui.warn(w);
    }
    if ctx.ui.json() {
        ctx.ui.document(json_doc(&status));
    } else if !ctx.ui.quiet {
        print!("{}", crate::untrusted::lines(&render_text(&status)));
    }
    Ok(Outcome::Success)
}

fn read(workdir: PathBuf) -> Result<Status, Error> {
    let secrets = SecretsDir::new(&workdir);
    let mut warnings = Vec::new();
    let bindings = match workdir::read(&secrets.environments_path(), parse_bindings)? {
        Existing::Valid { value, .. } => value,
        Existing::Missing => Default::default(),
        Existing::Malformed { problem } => {
            warnings.push(format!(
                "{}: {problem}",
                secrets.environments_path().display()
            ));
            Default::default()
        }
    };
    let mut creds = Vec::new();
    for name in workdir::credential_names(&secrets)? {
        let path = secrets.credential_path(&name);
        let current_for: Vec<Environment> = bindings
            .iter()
            .filter(|(_, c)| **c == name)
            .map(|(e, _)| *e)
            .collect();
        let file = workdir::read(&path, CredentialFile::parse)?;
        if let Existing::Malformed { problem } = &file {
            warnings.push(format!("{}: {problem}", path.display()));
        }
        creds.push((name, file, current_for));
    }
    let mut environments = Vec::new();
    for env in Environment::ALL {
        match bindings.get(&env) {
            None => warnings.push(format!("{NOT_SET} {env}")),
            Some(c) if !secrets.credential_path(c).is_file() => warnings.push(format!(
                "{env} is set to credential `{c}`, but {} is missing",
                secrets.credential_path(c).display()
            )),
            Some(_) => {}
        }
        environments.push((env, bindings.get(&env).map(|c| c.to_string())));
    }
    Ok(Status {
        workdir,
        creds,
        environments,
        warnings,
    })
}

fn json_doc(status: &Status) -> serde_json::Value {
    let list: Vec<_> = status
        .creds
        .iter()
        .map(|(name, file, current)| {
            let v = file.value();
            json!({
                "name": name.as_str(),
                "client_id": v.and_then(|f| f.client_id.clone()),
                "has_secret": v.is_some_and(|f| f.client_secret.is_some()),
                "tenant_id": v.and_then(|f| f.tenant_id.clone()),
                "subscription_id": v.map(|f| f.subscription_id.clone()),
                "current_for": current,
                "valid": v.is_some(),
            })
        })
        .collect();
    let envs: serde_json::Map<_, _> = status
        .environments
        .iter()
        .map(|(e, c)| (e.to_string(), json!(c)))
        .collect();
    json!({
        "workdir": status.workdir,
        "credentials": list,
        "environments": envs,
        "warnings": status.warnings,
    })
}

/// One line for an empty workdir; else a table (credential, environments
/// it is current for, subscription, kind) and the environments with none.
fn render_text(status: &Status) -> String {
    let unset: Vec<&str> = status
        .environments
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(e, _)| e.as_str())
        .collect();
    if status.creds.is_empty() && unset.len() == status.environments.len() {
        return format!(
            "no Azure credentials in {} yet (`cloudstudio-azure export` adds one)\n",
            crate::untrusted::path(&status.workdir)
        );
    }
    let mut rows = vec![[
        "CREDENTIAL".to_owned(),
        "CURRENT FOR".to_owned(),
        "SUBSCRIPTION".to_owned(),
        "KIND".to_owned(),
    ]];
    for (name, file, current) in &status.creds {
        let current = if current.is_empty() {
            "-".to_owned()
        } else {
            current
                .iter()
                .map(|e| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (sub, kind) = match file.value() {
            Some(f) => (f.subscription_id.clone(), kind(f)),
            None => ("-".to_owned(), "not a valid credential file"),
        };
        rows.push([name.to_string(), current, sub, kind.to_owned()]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if !unset.is_empty() {
        out.push_str(&format!("{NOT_SET}: {}\n", unset.join(", ")));
    }
    out
}

/// How a credential file authenticates, from its keys. A managed
/// identity's file has no tenant (a system-assigned one's is the az
/// session's: the subscription alone).
fn kind(f: &CredentialFile) -> &'static str {
    match (&f.client_id, &f.client_secret, &f.tenant_id) {
        (Some(_), Some(_), _) => "client secret",
        (Some(_), None, Some(_)) => "federated (OIDC)",
        (Some(_), None, None) => "managed identity (user-assigned)",
        (None, ..) => "az session or managed identity",
    }
}
