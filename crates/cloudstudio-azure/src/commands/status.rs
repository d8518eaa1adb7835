//! `status`: the workdir's Azure credentials (masked), which environment
//! each is current for, and each environment with no credential (the app's
//! "Credential not set on environment"). Reads only; needs no credentials.

use super::Ctx;
use crate::export::workdir::{self, CredentialFile, Existing, SecretsDir, parse_bindings};
use crate::ids::Environment;
use anyhow::Result;
use serde_json::json;

const NOT_SET: &str = "Credential not set on environment";

pub async fn run(ctx: &Ctx<'_>) -> Result<u8> {
    let config = ctx.config()?;
    let workdir = ctx.workdir(&config)?;
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
    for name in secrets.credential_names()? {
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
    for w in &warnings {
        ctx.ui.warn(w);
    }

    if ctx.ui.json() {
        let list: Vec<_> = creds
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
        let envs: serde_json::Map<_, _> = environments
            .iter()
            .map(|(e, c)| (e.to_string(), json!(c)))
            .collect();
        let doc = json!({
            "workdir": workdir,
            "credentials": list,
            "environments": envs,
            "warnings": warnings,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(0);
    }
    if ctx.ui.quiet {
        return Ok(0);
    }
    println!("workdir: {}", workdir.display());
    if creds.is_empty() {
        println!("no Azure credentials in {}", secrets.dir.display());
    }
    for (name, file, current) in &creds {
        let current = if current.is_empty() {
            "not current for any environment".to_owned()
        } else {
            let names: Vec<&str> = current.iter().map(|e| e.as_str()).collect();
            format!("current for {}", names.join(", "))
        };
        println!("credential {name} ({current})");
        let Some(f) = file.value() else {
            println!("  (not a valid credential file)");
            continue;
        };
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
        println!("  client id:        {}", show(&f.client_id));
        let secret = if f.client_secret.is_some() {
            "***"
        } else {
            "(none)"
        };
        println!("  client secret:    {secret}");
        println!("  tenant id:        {}", show(&f.tenant_id));
        println!("  subscription id:  {}", f.subscription_id);
    }
    println!("environments:");
    for (env, c) in &environments {
        let c = c.clone().unwrap_or_else(|| NOT_SET.to_owned());
        println!("  {:<12} {c}", env.as_str());
    }
    Ok(0)
}
