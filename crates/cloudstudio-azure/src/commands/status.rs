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
    secrets: SecretsDir,
    /// Each credential file, parsed, with the environments it is current for.
    creds: Vec<(CredentialName, Existing<CredentialFile>, Vec<Environment>)>,
    /// Each environment with its credential, if any.
    environments: Vec<(Environment, Option<String>)>,
    warnings: Vec<String>,
}

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let config = ctx.config()?;
    let status = read(ctx.workdir(&config)?)?;
    for w in &status.warnings {
        ctx.ui.warn(w);
    }
    if ctx.ui.json() {
        println!("{}", crate::untrusted::json(&json_doc(&status))?);
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
        secrets,
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

fn render_text(status: &Status) -> String {
    let mut out = format!("workdir: {}\n", crate::untrusted::path(&status.workdir));
    if status.creds.is_empty() {
        out.push_str(&format!(
            "no Azure credentials in {}\n",
            status.secrets.dir.display()
        ));
    }
    for (name, file, current) in &status.creds {
        let current = if current.is_empty() {
            "not current for any environment".to_owned()
        } else {
            let names: Vec<&str> = current.iter().map(|e| e.as_str()).collect();
            format!("current for {}", names.join(", "))
        };
        out.push_str(&format!("credential {name} ({current})\n"));
        let Some(f) = file.value() else {
            out.push_str("  (not a valid credential file)\n");
            continue;
        };
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        let secret = if f.client_secret.is_some() {
            "***"
        } else {
            "(none)"
        };
        out.push_str(&format!("  client id:        {}\n", show(&f.client_id)));
        out.push_str(&format!("  client secret:    {secret}\n"));
        out.push_str(&format!("  tenant id:        {}\n", show(&f.tenant_id)));
        out.push_str(&format!("  subscription id:  {}\n", f.subscription_id));
    }
    out.push_str("environments:\n");
    for (env, c) in &status.environments {
        let c = c.clone().unwrap_or_else(|| NOT_SET.to_owned());
        out.push_str(&format!("  {:<12} {c}\n", env.as_str()));
    }
    out
}
