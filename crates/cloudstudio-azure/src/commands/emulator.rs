//! `emulator serve`: the built-in Azure emulator on a local port until
//! Ctrl-C, with its endpoints and how to point this tool, the Azure CLI,
//! the Azure SDKs and Terraform at it; `--print-env` prints only that.

use super::ctx::Ctx;
use crate::cli::ServeArgs;
use crate::error::Error;
use crate::exit::Outcome;
use azure_emulator::{CLOUD_NAME, Emulator, Options, Scenario, demo};
use serde_json::json;
use std::path::{Path, PathBuf};

pub async fn serve(ctx: &Ctx<'_>, args: &ServeArgs) -> Result<Outcome, Error> {
    if args.print_env {
        return print_env(ctx, args);
    }
    let scenario_path = args.scenario.as_ref().map(|p| ctx.cwd.join(p));
    let loaded = match &scenario_path {
        None => Scenario::demo(),
        Some(path) => load(path)?,
    };
    let is_demo = scenario_path.is_none();
    // Kept alive while serving: the CA file lives in it.
    let temp;
    let dir = match &args.state_dir {
        Some(d) => ctx.cwd.join(d),
        None => {
            temp = tempfile::Builder::new()
                .prefix("cloudstudio-azure-emulator-")
                .tempdir()
                .map_err(Error::io("create a temp directory for the emulator"))?;
            temp.path().to_path_buf()
        }
    };
    let options = Options {
        port: args.port,
        state_dir: dir,
        log: args.log.as_ref().map(|p| ctx.cwd.join(p)),
    };
    let emu = Emulator::start_with(loaded, &options).map_err(Error::emulator)?;

    if ctx.ui.json() {
        let mut doc = json!({
            "base_url": emu.base_url(),
            "port": emu.port(),
            "authority_host": emu.authority_host(),
            "arm_endpoint": emu.arm_endpoint(),
            "graph_endpoint": emu.graph_endpoint(),
            "metadata_host": emu.metadata_host(),
            "cloud_name": CLOUD_NAME,
            "token_endpoint": format!("{}/{{tenant}}/oauth2/v2.0/token", emu.authority_host()),
            "scope": format!("{}/.default", emu.arm_endpoint()),
            "jwks_uri": emu.jwks_uri(),
            "oidc_request_url": emu.oidc_request_url(),
            "oidc_request_token": emu.oidc_request_token(),
            "imds_endpoint": emu.imds_endpoint(),
            "identity_endpoint": emu.identity_endpoint(),
            "identity_header": emu.identity_header(),
            "ca_pem_path": emu.ca_pem_path(),
            "ca_reused": emu.ca_reused(),
            "log": options.log,
            "scenario": scenario_path.as_ref().map(|p| p.display().to_string()),
            "env": env_json(&emu.base_url(), &emu.ca_pem_path()),
            "az_commands": azure_emulator::az_cloud_commands(&emu.base_url()),
        });
        if is_demo {
            doc["demo"] = demo_json();
        }
        // One line, so scripts can read it before the server blocks.
        println!("{}", crate::untrusted::json_line(&doc));
    } else {
        print!(
            "{}",
            crate::untrusted::lines(&usage(&emu, scenario_path.as_deref(), is_demo))
        );
    }

    wait_for_stop().await;
    ctx.ui.info("emulator stopped");
    drop(emu);
    Ok(Outcome::Success)
}

/// `--print-env`: the variables for an emulator on `--port` with its CA in
/// `--state-dir` (made there now if missing), as shell lines to `eval`.
fn print_env(ctx: &Ctx<'_>, args: &ServeArgs) -> Result<Outcome, Error> {
    if args.port == 0 {
        return Err(Error::ServeUsage {
            message: "--print-env needs a fixed --port: with port 0 the emulator would listen elsewhere",
            hint: "use the same --port and --state-dir to print the environment and to serve",
        });
    }
    let dir: PathBuf = ctx
        .cwd
        .join(args.state_dir.as_deref().unwrap_or(Path::new(".")));
    if dir.display().to_string().chars().any(char::is_control) {
        return Err(Error::ServeUsage {
            message: "the --state-dir path contains control characters and cannot be printed for a shell",
            hint: "choose a --state-dir whose path has no control characters",
        });
    }
    let ca = azure_emulator::prepare_state_dir(&dir).map_err(Error::emulator)?;
    let base = format!("https://127.0.0.1:{}", args.port);
    if ctx.ui.json() {
        println!(
            "{}",
            crate::untrusted::json_line(&json!({
                "env": env_json(&base, &ca),
                "az_commands": azure_emulator::az_cloud_commands(&base),
            }))
        );
    } else {
        print!(
            "{}",
            crate::untrusted::lines(&env_lines(&base, &ca, args.scenario.is_none()))
        );
    }
    Ok(Outcome::Success)
}

fn env_json(base: &str, ca: &Path) -> serde_json::Value {
    azure_emulator::client_env(base, ca)
        .into_iter()
        .map(|(k, v, _)| (k.to_owned(), json!(v)))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `'value'` for POSIX shells.
fn quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// The environment as commented `export` lines, then the `az` commands as
/// comments (they change `AZURE_CONFIG_DIR`, so they are run once, not on
/// every `eval`).
fn env_lines(base: &str, ca: &Path, is_demo: bool) -> String {
    let mut s = format!("# The cloudstudio-azure Azure emulator on {base}\n");
    for (name, value, reader) in azure_emulator::client_env(base, ca) {
        s.push_str(&format!("# {reader}\nexport {name}={}\n", quote(&value)));
    }
    s.push_str("# The Azure CLI, once per AZURE_CONFIG_DIR:\n");
    for c in azure_emulator::az_cloud_commands(base) {
        s.push_str(&format!("#   {c}\n"));
    }
    if is_demo {
        s.push_str(&format!(
            "#   az login --service-principal --username {} --password {} --tenant {}\n",
            demo::CLIENT_ID,
            quote(demo::CLIENT_SECRET),
            demo::TENANT_ID
        ));
    }
    s.push_str(
        "# azure-identity: pass disable_instance_discovery=True to the credential\n\
         # (its authority is not a Microsoft host, so MSAL must not look it up online).\n",
    );
    s
}

/// Reads and validates a scenario file; every problem is invalid input.
fn load(path: &Path) -> Result<Scenario, Error> {
    let text = crate::safe_read::text(
        path,
        crate::safe_read::CONFIG_MAX,
        crate::safe_read::Links::Follow,
    )
    .map_err(|e| Error::Scenario {
        message: format!("could not read the scenario {}: {e}", path.display()),
    })?;
    Scenario::from_yaml(&text).map_err(|e| Error::Scenario {
        message: format!("{}: {e:#}", path.display()),
    })
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    // No handler could be installed: serve until killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

fn demo_json() -> serde_json::Value {
    json!({
        "tenant_id": demo::TENANT_ID,
        "tenant_domain": demo::TENANT_DOMAIN,
        "client_id": demo::CLIENT_ID,
        "client_secret": demo::CLIENT_SECRET,
        "reader_client_id": demo::READER_CLIENT_ID,
        "reader_secret": demo::READER_SECRET,
        "expired_client_id": demo::EXPIRED_CLIENT_ID,
        "expired_secret": demo::EXPIRED_SECRET,
        "oidc_client_id": demo::OIDC_CLIENT_ID,
        "github_subject": demo::GITHUB_SUBJECT,
        "cli_user": demo::CLI_USER,
        "cli_password": demo::CLI_PASSWORD,
        "cli_access_token": demo::CLI_ACCESS_TOKEN,
        "managed_identity_client_id": demo::MI_CLIENT_ID,
        "user_assigned_identity_client_id": demo::MI_USER_CLIENT_ID,
        "subscriptions": {
            "production": demo::PROD_SUBSCRIPTION_ID,
            "stage": demo::STAGE_SUBSCRIPTION_ID,
            "development": demo::DEV_SUBSCRIPTION_ID,
            "disabled": demo::DISABLED_SUBSCRIPTION_ID,
            "warned": demo::WARNED_SUBSCRIPTION_ID,
            "other_tenant": demo::OTHER_TENANT_SUBSCRIPTION_ID,
            "unassigned": demo::UNASSIGNED_SUBSCRIPTION_ID,
        },
    })
}

fn usage(emu: &Emulator, scenario: Option<&Path>, is_demo: bool) -> String {
    let base = emu.base_url();
    let ca = emu.ca_pem_path();
    let name = scenario.map_or("built-in demo".to_owned(), |p| p.display().to_string());
    let reused = if emu.ca_reused() {
        " (reused: clients that trust it keep working)"
    } else {
        ""
    };
    let mut s = format!(
        "Azure emulator (Entra ID, Resource Manager, Microsoft Graph, GitHub OIDC) on {base}\n\
         scenario:        {name}\n\
         authority host:  {base}   token: {base}/{{tenant}}/oauth2/v2.0/token\n\
         arm endpoint:    {base}   scope: {base}/.default   metadata: {base}/metadata/endpoints\n\
         graph:           {graph}\n\
         github oidc:     {oidc}\n\
         CA certificate:  {ca}{reused}\n\n\
         Point cloudstudio-azure at it (from another shell):\n\
         \x20 export SSL_CERT_FILE={ca}\n\
         \x20 cloudstudio-azure verify --cloud custom --authority-host {base} --arm-endpoint {base} ...\n\
         GitHub OIDC, as a runner would hand it to the job:\n\
         \x20 export ACTIONS_ID_TOKEN_REQUEST_URL='{oidc}'\n\
         \x20 export ACTIONS_ID_TOKEN_REQUEST_TOKEN='{token}'\n\
         Managed identities (the scenario's managed_identities), plain http as on Azure;\n\
         then ARM_USE_MSI=true (or --managed-identity CLIENT_ID):\n\
         \x20 export IMDS_ENDPOINT='{imds}'\n\
         \x20 App Service instead: export IDENTITY_ENDPOINT='{identity}' IDENTITY_HEADER='{header}'\n\n\
         The Azure CLI, the Azure SDKs and Terraform (`--print-env` prints this alone):\n",
        ca = ca.display(),
        graph = emu.graph_endpoint(),
        oidc = emu.oidc_request_url(),
        token = emu.oidc_request_token(),
        imds = emu.imds_endpoint(),
        identity = emu.identity_endpoint(),
        header = emu.identity_header(),
    );
    for line in env_lines(&base, &ca, is_demo).lines().skip(1) {
        s.push_str(&format!("  {line}\n"));
    }
    s.push_str(&principals(emu, is_demo));
    s.push_str("\nPress Ctrl-C to stop.\n");
    s
}

/// Who is in the scenario: the demo's credentials, or the scenario's apps.
fn principals(emu: &Emulator, is_demo: bool) -> String {
    let mut s = String::new();
    if is_demo {
        s.push_str(&format!(
            "\nDemo credentials (fake; valid only here):\n\
             \x20 export AZURE_TENANT_ID={t} AZURE_CLIENT_ID={c} AZURE_CLIENT_SECRET='{cs}'\n\
             \x20 subscriptions: production {p}, stage {st}, development {d}\n\
             \x20 reader-only app {rc}, expired-secret app {ec}, OIDC app {oc} (subject {sub})\n\
             \x20 disabled subscription {ds}, other tenant's {os}, no role on {us}\n\
             \x20 signed-in user {u} (may register apps and assign roles on dev and prod)\n\
             \x20 managed identities: system-assigned {mi} (Contributor on prod, stage, dev),\n\
             \x20 user-assigned {mu} (Contributor on dev)\n",
            t = demo::TENANT_ID,
            c = demo::CLIENT_ID,
            cs = demo::CLIENT_SECRET,
            p = demo::PROD_SUBSCRIPTION_ID,
            st = demo::STAGE_SUBSCRIPTION_ID,
            d = demo::DEV_SUBSCRIPTION_ID,
            rc = demo::READER_CLIENT_ID,
            ec = demo::EXPIRED_CLIENT_ID,
            oc = demo::OIDC_CLIENT_ID,
            sub = demo::GITHUB_SUBJECT,
            ds = demo::DISABLED_SUBSCRIPTION_ID,
            os = demo::OTHER_TENANT_SUBSCRIPTION_ID,
            us = demo::UNASSIGNED_SUBSCRIPTION_ID,
            u = demo::CLI_USER,
            mi = demo::MI_CLIENT_ID,
            mu = demo::MI_USER_CLIENT_ID,
        ));
    } else {
        s.push_str("\nApps in this scenario (secrets are in the scenario file):\n");
        for a in &emu.scenario().apps {
            s.push_str(&format!(
                "  {} in tenant {}{}\n",
                a.client_id,
                a.tenant,
                a.display_name
                    .as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            ));
        }
        for m in &emu.scenario().managed_identities {
            let kind = if m.system_assigned {
                "system-assigned"
            } else {
                "user-assigned"
            };
            s.push_str(&format!(
                "  managed identity {} ({kind}) in tenant {}\n",
                m.client_id, m.tenant
            ));
        }
    }
    s
}
