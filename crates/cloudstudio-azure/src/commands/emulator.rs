//! `emulator serve`: the built-in Azure emulator on a local port until
//! Ctrl-C, with its endpoints and how to point this tool (and others) at it.

use super::ctx::Ctx;
use crate::error::Error;
use crate::exit::Outcome;
use azure_emulator::{Emulator, Scenario, demo};
use serde_json::json;
use std::path::Path;

pub async fn serve(
    ctx: &Ctx<'_>,
    port: u16,
    scenario: Option<&Path>,
    state_dir: Option<&Path>,
) -> Result<Outcome, Error> {
    let scenario_path = scenario.map(|p| ctx.cwd.join(p));
    let loaded = match &scenario_path {
        None => Scenario::demo(),
        Some(path) => load(path)?,
    };
    let is_demo = scenario_path.is_none();
    // Kept alive while serving: the CA file lives in it.
    let temp;
    let dir = match state_dir {
        Some(d) => ctx.cwd.join(d),
        None => {
            temp = tempfile::Builder::new()
                .prefix("cloudstudio-azure-emulator-")
                .tempdir()
                .map_err(Error::io("create a temp directory for the emulator"))?;
            temp.path().to_path_buf()
        }
    };
    let emu = Emulator::start(loaded, port, &dir).map_err(|e| Error::Emulator {
        message: format!("{e:#}"),
    })?;

    if ctx.ui.json() {
        let mut doc = json!({
            "base_url": emu.base_url(),
            "port": emu.port(),
            "authority_host": emu.authority_host(),
            "arm_endpoint": emu.arm_endpoint(),
            "token_endpoint": format!("{}/{{tenant}}/oauth2/v2.0/token", emu.authority_host()),
            "scope": format!("{}/.default", emu.arm_endpoint()),
            "oidc_request_url": emu.oidc_request_url(),
            "oidc_request_token": emu.oidc_request_token(),
            "ca_pem_path": emu.ca_pem_path(),
            "scenario": scenario_path.as_ref().map(|p| p.display().to_string()),
        });
        if is_demo {
            doc["demo"] = demo_json();
        }
        // One line, so scripts can read it before the server blocks.
        println!("{doc}");
    } else {
        print!("{}", usage(&emu, scenario_path.as_deref(), is_demo));
    }

    wait_for_stop().await;
    ctx.ui.info("emulator stopped");
    drop(emu);
    Ok(Outcome::Success)
}

/// Reads and validates a scenario file; every problem is invalid input.
fn load(path: &Path) -> Result<Scenario, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Scenario {
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
        "cli_access_token": demo::CLI_ACCESS_TOKEN,
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
    let ca = ca.display();
    let name = scenario.map_or("built-in demo".to_owned(), |p| p.display().to_string());
    let mut s = format!(
        "Azure emulator (Entra ID, Resource Manager, GitHub OIDC) on {base}\n\
         scenario:        {name}\n\
         authority host:  {base}   token: {base}/{{tenant}}/oauth2/v2.0/token\n\
         arm endpoint:    {base}   scope: {base}/.default\n\
         github oidc:     {oidc}\n\
         CA certificate:  {ca}\n\n\
         Point cloudstudio-azure at it (from another shell):\n\
         \x20 export SSL_CERT_FILE={ca}\n\
         \x20 cloudstudio-azure verify --cloud custom --authority-host {base} --arm-endpoint {base} ...\n\
         GitHub OIDC, as a runner would hand it to the job:\n\
         \x20 export ACTIONS_ID_TOKEN_REQUEST_URL='{oidc}'\n\
         \x20 export ACTIONS_ID_TOKEN_REQUEST_TOKEN='{token}'\n",
        oidc = emu.oidc_request_url(),
        token = emu.oidc_request_token(),
    );
    if is_demo {
        s.push_str(&format!(
            "\nDemo credentials (fake; valid only here):\n\
             \x20 export AZURE_TENANT_ID={t} AZURE_CLIENT_ID={c} AZURE_CLIENT_SECRET='{cs}'\n\
             \x20 subscriptions: production {p}, stage {st}, development {d}\n\
             \x20 reader-only app {rc}, expired-secret app {ec}, OIDC app {oc} (subject {sub})\n\
             \x20 disabled subscription {ds}, other tenant's {os}, no role on {us}\n",
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
    }
    s.push_str("\nPress Ctrl-C to stop.\n");
    s
}
