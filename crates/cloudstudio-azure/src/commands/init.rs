//! `init`: what the CloudStudio guide does by hand, over the developer's
//! `az login` session — one `az account get-access-token` per resource
//! (Resource Manager, Microsoft Graph) — then `verify` and `export` through
//! the same path `export` takes (plan, guards, atomic writes).
//!
//! Order: inputs and the workdir are checked before any `az` call or
//! request; the Graph and role-assignment steps ([`provision::setup`]) read
//! before they write; a new principal is waited for (Azure replicates it
//! to Resource Manager and the token service after a while) by polling the
//! real checks with backoff, a progress line and `--wait-timeout`.
//!
//! Re-runs: the app, its principal, federated credentials and the role
//! assignment are found and kept. A secret's value cannot be read back
//! from Azure, so the secret in the exported credential file is reused
//! while the app still lists it unexpired; otherwise a new one is added.

use super::ctx::{Ctx, Resolution};
use super::export;
use crate::cli::{InitArgs, ResolveArgs, VerifyArgs};
use crate::error::Error;
use crate::exit::Outcome;
use crate::ids::{Environment, is_guid};
use crate::observe::Observe;
use crate::provision::graph::{Federated, Graph};
use crate::provision::roles::Role;
use crate::provision::roles::Roles;
use crate::provision::setup::{self, Done, Step};
use crate::provision::{ProvisionError, federation, next};
use crate::resolve::{self, Auth, AzCloud, Credentials, SourceKind};
use crate::secret::Secret;
use crate::untrusted;
use crate::verify::{self, Endpoints, Http, Require};
use crate::workdir::{self, SecretsDir};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Each `az account get-access-token` (as `--az-timeout`'s default).
const AZ_TIMEOUT: Duration = Duration::from_secs(30);
/// The deadline for all of `init`'s Graph and Resource Manager calls.
const PROVISION_TIMEOUT: Duration = Duration::from_secs(120);

/// The inputs, checked: everything known before `az` runs.
struct Inputs {
    endpoints: Endpoints,
    graph_root: String,
    subscription: String,
    federated: Vec<Federated>,
    config: crate::config::Config,
    placement: crate::target::Placement,
    secrets: SecretsDir,
    name: String,
    name_from: String,
    /// The exported credential file's client id and secret.
    exported: Option<(String, Secret)>,
}

pub async fn run(ctx: &Ctx<'_>, args: &InitArgs) -> Result<Outcome, Error> {
    run_with(ctx, args, "az").await
}

/// `run` with another `az` program (the demo's stand-in).
pub async fn run_with(ctx: &Ctx<'_>, args: &InitArgs, az: &str) -> Result<Outcome, Error> {
    let inputs = inputs(ctx, args)?;
    guard(ctx, args, &inputs).await?;
    let arm_token = az_token(ctx, az, &inputs.endpoints.arm, &inputs).await?;
    let graph_token = az_token(ctx, az, &inputs.graph_root, &inputs).await?;
    let tenant = arm_token.tenant_id.clone();
    let http = Http::new(
        ctx.vars.get("SSL_CERT_FILE"),
        PROVISION_TIMEOUT,
        ctx.observer(),
    )?;
    let graph = Graph {
        http: &http,
        base: format!("{}/v1.0", inputs.graph_root),
        token: session_token(&graph_token)?,
    };
    let roles = Roles {
        http: &http,
        arm: &inputs.endpoints.arm,
        token: session_token(&arm_token)?,
    };
    let placement = &inputs.placement;
    let label = format!("cloudstudio-azure {}", placement.credential);
    let want = setup::Wanted {
        name: &inputs.name,
        role: args.init.role,
        subscription: &inputs.subscription,
        expiry: inputs
            .federated
            .is_empty()
            .then_some(args.init.secret_expiry),
        federated: &inputs.federated,
        exported: inputs.exported.as_ref().map(|(id, s)| (id.as_str(), s)),
        label: &label,
    };
    ctx.ui.info(&format!(
        "init: app '{}' ({}) in tenant {tenant}; {} on subscription {}; exported for {} as credential '{}'{}",
        inputs.name,
        inputs.name_from,
        args.init.role.name(),
        inputs.subscription,
        placement.environment,
        placement.credential,
        if args.export.dry_run { " (dry run: nothing is written)" } else { "" }
    ));
    let show = |step: &Step| print_step(ctx, step);
    let mask = |s: &Secret| ctx.ui.mask([s]);
    let done = setup::run(&graph, &roles, &want, args.export.dry_run, &show, &mask).await?;
    if args.export.dry_run {
        let cred_path = inputs.secrets.credential_path(&placement.credential);
        return Ok(dry_run_end(ctx, &done, &cred_path, &tenant));
    }
    finish(ctx, args, inputs, &done, tenant).await
}

/// Every refusal `export` would make (git guard, secrets folder, a bad
/// existing file, retargeting another environment), before anything exists
/// in Azure: a refusal after it would orphan a new secret.
async fn guard(ctx: &Ctx<'_>, args: &InitArgs, inputs: &Inputs) -> Result<(), Error> {
    let (secrets, p) = (&inputs.secrets, &inputs.placement);
    super::export::guard(ctx, secrets, &p.credential, &args.export).await?;
    let state = workdir::read_state(secrets, &p.credential)?;
    let (env, sub) = (p.environment, &inputs.subscription);
    crate::plan::refusals(secrets, &state, &p.credential, env, sub, args.export.force)?;
    Ok(())
}

/// Every input problem before `az` runs or a request is sent.
fn inputs(ctx: &Ctx<'_>, args: &InitArgs) -> Result<Inputs, Error> {
    let endpoints = args.cloud.endpoints(ctx.vars)?;
    let graph_root =
        crate::provision::graph_endpoint(&endpoints, args.init.graph_endpoint.as_deref())?;
    let subscription = args.init.subscription_id.trim().to_ascii_lowercase();
    if !is_guid(&subscription) {
        return Err(usage(
            "--subscription-id is not a GUID",
            "`az account list --output table` lists your subscriptions and their ids",
        ));
    }
    let federated = federated_specs(args, &endpoints)?;
    let resolve_args = ResolveArgs {
        subscription_id: Some(subscription.clone()),
        environment: args.init.environment,
        credential: args.init.credential.clone(),
        cloud: args.cloud.clone(),
        ..ResolveArgs::default()
    };
    let (config, placement) = ctx.place(&resolve_args)?;
    let workdir = ctx.workdir(&config)?;
    let (name, name_from) = app_name(args, &ctx.cwd, &workdir, placement.environment)?;
    let secrets = SecretsDir::new(&workdir);
    let state = workdir::read_state(&secrets, &placement.credential)?;
    let exported = state
        .credential
        .value()
        .and_then(|f| Some((f.client_id.clone()?, f.client_secret.clone()?)));
    if let Some((_, s)) = &exported {
        ctx.ui.mask([s]);
    }
    Ok(Inputs {
        endpoints,
        graph_root,
        subscription,
        federated,
        config,
        placement,
        secrets,
        name,
        name_from,
        exported,
    })
}

/// The replication wait, then `export`'s own path, then the next steps.
async fn finish(
    ctx: &Ctx<'_>,
    args: &InitArgs,
    inputs: Inputs,
    done: &Done,
    tenant: String,
) -> Result<Outcome, Error> {
    let app = done
        .app
        .clone()
        .ok_or_else(|| ProvisionError::Input("no application".into()))?;
    let credentials = Credentials {
        source: SourceKind::Flags,
        client_id: Some(app.app_id.clone()),
        tenant_id: tenant,
        subscription_id: Some(inputs.subscription.clone()),
        auth: match &done.secret {
            Some(s) => Auth::ClientSecret(s.clone()),
            // No token to verify with outside the CI system: the file
            // holds the ids only, as for any federated credential.
            None => Auth::GithubOidc {
                request_url: String::new(),
                request_token: Secret::new(String::new()),
            },
        },
        arm_endpoint: None,
    };
    let cred_path = inputs.secrets.credential_path(&inputs.placement.credential);
    let target = inputs.placement.finish(Some(&inputs.subscription))?;
    let res = Resolution {
        config: inputs.config,
        credentials,
        target,
    };
    let require = match args.init.role {
        Role::Contributor | Role::Owner => Require::Contributor,
        Role::Reader => Require::Reader,
    };
    let endpoints = &inputs.endpoints;
    if done.secret.is_some() && done.created && !args.export.no_verify {
        wait_until_usable(ctx, &res, endpoints, require, args.init.wait_timeout).await?;
    }
    let verify_args = VerifyArgs {
        require,
        timeout: 60,
    };
    let mut export_args = args.export.clone();
    export_args.no_verify |= done.secret.is_none();
    let outcome = export::run_resolved(ctx, &res, endpoints, &verify_args, &export_args).await?;
    if outcome != Outcome::Success {
        return Ok(outcome);
    }
    next_steps(ctx, args, &res, done, &cred_path, &inputs.federated);
    Ok(Outcome::Success)
}

fn usage(message: &str, hint: &str) -> Error {
    Error::Usage {
        message: message.into(),
        hint: hint.into(),
    }
}

fn federated_specs(args: &InitArgs, endpoints: &Endpoints) -> Result<Vec<Federated>, Error> {
    let mut out: Vec<Federated> = Vec::new();
    for spec in &args.init.federated {
        let f = federation::parse(
            spec,
            endpoints.oidc_audience,
            args.init.federated_issuer.as_deref(),
        )
        .map_err(|problem| {
            usage(
                &format!("--federated {}: {problem}", untrusted::text_capped(spec, 200)),
                "e.g. --federated github:OWNER/REPO:branch:main (see `cloudstudio-azure init --help`)",
            )
        })?;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    Ok(out)
}

/// `--name`, else `cloudstudio-<folder>-<environment>`, the folder being
/// the git repository's (the nearest `.git` at or above the current
/// directory), else the workdir's; and where it came from, to say so.
fn app_name(
    args: &InitArgs,
    cwd: &Path,
    workdir: &Path,
    env: Environment,
) -> Result<(String, String), Error> {
    if let Some(n) = &args.init.name {
        let n = n.trim();
        if n.is_empty() || n.chars().count() > 120 || n.chars().any(char::is_control) {
            return Err(usage(
                "--name must be 1 to 120 printable characters",
                "e.g. --name cloudstudio-infra-production",
            ));
        }
        return Ok((n.to_owned(), "--name".into()));
    }
    let repo = cwd.ancestors().find(|d| d.join(".git").exists());
    let (folder, from) = match repo {
        Some(r) => (r, "git repository folder"),
        None => (workdir, "workdir folder"),
    };
    let base: String = folder
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workdir".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect::<String>()
        .trim_matches('-')
        .to_owned();
    let name = format!("cloudstudio-{base}-{env}");
    Ok((
        name,
        format!("named after the {from} '{base}'; --name to choose"),
    ))
}

async fn az_token(
    ctx: &Ctx<'_>,
    program: &str,
    resource: &str,
    inputs: &Inputs,
) -> Result<Credentials, Error> {
    let set_cloud = inputs.endpoints.az_set_command();
    let cloud = AzCloud {
        resource,
        set_cloud: &set_cloud,
    };
    let creds = resolve::az_token(
        program,
        &cloud,
        Some(&inputs.subscription),
        AZ_TIMEOUT,
        ctx.ui,
    )
    .await
    .map_err(|e| match e {
        resolve::ResolveError::NoneFound { tried } => usage(
            &format!("init works over your `az login` session: {}", tried.join("; ")),
            "run `az login` (with an account that may register apps and assign roles), then init again",
        ),
        other => other.into(),
    })?;
    ctx.ui.mask(creds.auth.secrets());
    Ok(creds)
}

fn session_token(creds: &Credentials) -> Result<&Secret, Error> {
    match &creds.auth {
        Auth::AzSession { access_token } => Ok(access_token),
        _ => Err(ProvisionError::Input("the az session carried no token".into()).into()),
    }
}

/// Masks and `-v` lines as usual, the checks themselves not shown: the
/// polls are not the verification.
struct Quiet(crate::ui::Ui);

impl Observe for Quiet {
    fn secret(&self, secret: &Secret) {
        self.0.secret(secret);
    }
    fn verbose(&self) -> bool {
        self.0.verbose()
    }
    fn debug(&self, line: &str) {
        self.0.debug(line);
    }
}

/// Polls the real checks until the new credential gets a token and its
/// role shows, with backoff (1 s doubling to 10 s), a progress line each
/// time and `--wait-timeout`. A failure replication cannot explain (the
/// subscription's state or tenant) ends the wait: `verify` reports it.
async fn wait_until_usable(
    ctx: &Ctx<'_>,
    res: &Resolution,
    endpoints: &Endpoints,
    require: Require,
    wait_timeout: u64,
) -> Result<(), Error> {
    let started = Instant::now();
    let limit = Duration::from_secs(wait_timeout);
    let mut delay = Duration::from_secs(1);
    loop {
        let opts = verify::Options {
            endpoints,
            require,
            timeout: Duration::from_secs(30),
            ssl_cert_file: ctx.vars.get("SSL_CERT_FILE"),
        };
        let quiet: Arc<dyn Observe> = Arc::new(Quiet(ctx.ui.clone()));
        let report =
            verify::verify(&res.credentials, &res.target.subscription_id, &opts, quiet).await?;
        let Some(failed) = report.first_failure() else {
            if started.elapsed() >= Duration::from_secs(1) {
                ctx.ui.info(&format!(
                    "the new service principal is usable (after {} s)",
                    started.elapsed().as_secs()
                ));
            }
            return Ok(());
        };
        if !matches!(failed.check, verify::Check::Token | verify::Check::Role) {
            return Ok(());
        }
        let detail = untrusted::text_capped(&failed.detail, 200);
        if started.elapsed() + delay > limit {
            return Err(ProvisionError::Replication {
                seconds: wait_timeout,
                last: detail,
            }
            .into());
        }
        ctx.ui.info(&format!(
            "waiting for Azure to replicate the new service principal ({} s of at most {wait_timeout} s, --wait-timeout): {detail}",
            started.elapsed().as_secs()
        ));
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// One step, as it completes: `  <action> <object> <detail>`, in columns.
fn print_step(ctx: &Ctx<'_>, s: &Step) {
    if ctx.ui.json() || ctx.ui.quiet {
        return;
    }
    println!(
        "{}",
        untrusted::text(&format!("  {:<14} {:<21} {}", s.action, s.object, s.detail))
    );
}

fn dry_run_end(ctx: &Ctx<'_>, done: &Done, cred_path: &Path, tenant: &str) -> Outcome {
    if ctx.ui.json() {
        ctx.ui.document(json!({
            "dry_run": true,
            "tenant_id": tenant,
            "client_id": done.app.as_ref().map(|a| &a.app_id),
            "principal_id": done.principal,
            "steps": done.steps,
            "credential_file": cred_path,
        }));
    } else if !ctx.ui.quiet {
        println!(
            "  {:<14} {:<21} {}",
            "would write",
            "credential file",
            untrusted::path(cred_path)
        );
        println!("dry run: nothing was created or written");
    }
    Outcome::Success
}

fn next_steps(
    ctx: &Ctx<'_>,
    args: &InitArgs,
    res: &Resolution,
    done: &Done,
    cred_path: &Path,
    federated: &[Federated],
) {
    let creds = &res.credentials;
    let client_id = creds.client_id.clone().unwrap_or_default();
    if ctx.ui.json() {
        ctx.ui.document(json!({
            "dry_run": false,
            "tenant_id": creds.tenant_id,
            "client_id": client_id,
            "principal_id": done.principal,
            "subscription_id": res.target.subscription_id,
            "environment": res.target.placement.environment,
            "credential": res.target.placement.credential.as_str(),
            "credential_file": cred_path,
            "steps": done.steps,
            "verified": done.secret.is_some(),
        }));
        return;
    }
    if ctx.ui.quiet {
        return;
    }
    let env = res.target.placement.environment;
    let text = if let Some(secret) = &done.secret {
        if args.init.show_secret {
            ctx.ui.warn("--show-secret: the client secret is printed below; clear your terminal's scrollback afterwards");
            println!("client secret: {}", secret.expose());
        }
        next::secret(&cred_path.display().to_string(), env)
    } else {
        next::federated(
            &client_id,
            &creds.tenant_id,
            &res.target.subscription_id,
            env,
            federated,
        )
    };
    print!("{}", untrusted::lines(&text));
}
