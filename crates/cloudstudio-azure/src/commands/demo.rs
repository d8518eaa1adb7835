//! `demo`: the whole `export` flow, offline, against the built-in emulator.
//!
//! It builds a CloudStudio workdir and a `cloudstudio.yml` with branch
//! rules in a temp directory, starts the emulator in-process, pretends to be
//! a GitHub Actions job on `main` (its `GITHUB_ENV`, `GITHUB_OUTPUT` and
//! step summary are files in the temp directory), and runs `export` for real:
//! resolve, verify over HTTPS, write. Then it shows what happened: a second
//! run that changes nothing, and what a Reader-only credential looks like.
//! Last, `init` as a developer signed in with `az login` would run it (a
//! stand-in `az` prints the emulator's signed-in user): the app, its
//! secret and the Contributor assignment created, verified and exported,
//! then a re-run that creates nothing.

use super::ctx::Ctx;
use crate::cli::{CloudArgs, ExportArgs, GlobalArgs, ResolveArgs, VerifyArgs};
use crate::error::Error;
use crate::exit::Outcome;
use crate::ui::{OutputFormat, Ui};
use crate::vars::Vars;
use crate::verify::{Cloud, Require};
use azure_emulator::{Emulator, Route, Scenario, demo};
use std::path::{Path, PathBuf};

const CONFIG: &str = "\
# cloudstudio.yml written by `cloudstudio-azure demo`
environments:
  production: { subscription_id: 11111111-2222-4333-8444-555555555501 }
  stage: { subscription_id: 11111111-2222-4333-8444-555555555502 }
  development: { subscription_id: 11111111-2222-4333-8444-555555555503 }
branches:
  - match: main
    environment: production
  - match: \"release/**\"
    environment: stage
  - match: \"**\"
    environment: development
";

pub async fn run(ctx: &Ctx<'_>) -> Result<Outcome, Error> {
    let root = tempfile::Builder::new()
        .prefix("cloudstudio-azure-demo-")
        .tempdir()
        .map_err(Error::io("create a temp directory"))?
        .keep();
    let workdir = root.join("workdir");
    let github = root.join("github");
    scaffold(&workdir, &github).map_err(Error::io("write the demo's workdir"))?;

    let emulator = Emulator::start(Scenario::demo(), 0, &root.join("emulator")).map_err(|e| {
        Error::Emulator {
            message: format!("could not start the built-in Azure emulator: {e:#}"),
        }
    })?;
    let say = |s: &str| println!("{}", crate::untrusted::lines(s));
    say(&format!(
        "Azure emulator on {} (Entra ID, Resource Manager, GitHub OIDC)",
        emulator.base_url()
    ));
    say(&format!(
        "Workdir {} (aws/, azure/, google/, cloudstudio.yml)",
        workdir.display()
    ));
    say(
        "Pretending to be a GitHub Actions job on branch `main` with AZURE_CLIENT_ID/SECRET/TENANT_ID set.\n",
    );

    let vars = ci_vars(&emulator, &github, demo::CLIENT_ID, demo::CLIENT_SECRET);
    let (resolve, verify) = job_args(&emulator);

    say("$ cloudstudio-azure export");
    let (global, ui) = (global(ctx, &workdir), demo_ui(ctx));
    let job = job_ctx(&global, &ui, &vars, &workdir);
    let outcome = super::export::run(&job, &resolve, &verify, &ExportArgs::default()).await?;
    if outcome != Outcome::Success {
        return Err(Error::Emulator {
            message: format!("the demo export failed (exit {})", outcome.exit_code()),
        });
    }
    let log = emulator.requests();
    say(&format!(
        "\n  {} requests to the emulator: {} token, then subscription + permissions in parallel",
        log.len(),
        log.iter().filter(|r| r.route == Route::Token).count()
    ));

    say("\n$ cloudstudio-azure export   # again: nothing to change");
    super::export::run(&job, &resolve, &verify, &ExportArgs::default()).await?;

    say("\n$ cloudstudio-azure verify   # a Reader-only service principal, on release/1.0");
    let mut reader = ci_vars(
        &emulator,
        &github,
        demo::READER_CLIENT_ID,
        demo::READER_SECRET,
    );
    reader = reader.with("GITHUB_REF_NAME", "release/1.0");
    let outcome =
        super::verify::run(&job_ctx(&global, &ui, &reader, &workdir), &resolve, &verify).await?;
    say(&format!(
        "  (exit {}: access not sufficient, as expected; nothing was written)",
        outcome.exit_code()
    ));

    #[cfg(unix)]
    init_scene(&emulator, &root, &global, &ui).await?;

    print_job_files(&github, &workdir);
    Ok(Outcome::Success)
}

/// `init` twice on the developer's machine (no CI variables): creates,
/// then reuses. The stand-in `az` is a shell script, hence Unix only.
#[cfg(unix)]
async fn init_scene(
    emulator: &Emulator,
    root: &Path,
    global: &GlobalArgs,
    ui: &Ui,
) -> Result<(), Error> {
    use clap::Parser as _;
    let say = |s: &str| println!("{}", crate::untrusted::lines(s));
    let az = write_fake_az(root).map_err(Error::io("write the demo's stand-in `az`"))?;
    let ca = emulator.ca_pem_path().display().to_string();
    let vars = Vars::from_pairs([("SSL_CERT_FILE", ca.as_str())]);
    let base = emulator.base_url();
    let graph = format!("{base}/graph");
    let argv = [
        "cloudstudio-azure",
        "init",
        "--subscription-id",
        demo::DEV_SUBSCRIPTION_ID,
        "--environment",
        "development",
        "--name",
        "cloudstudio-demo-development",
        "--cloud",
        "custom",
        "--authority-host",
        &base,
        "--arm-endpoint",
        &base,
        "--graph-endpoint",
        &graph,
    ];
    let Ok(crate::cli::Cli {
        command: crate::cli::Command::Init(args),
        ..
    }) = crate::cli::Cli::try_parse_from(argv)
    else {
        return Err(Error::Emulator {
            message: "the demo's init arguments do not parse".into(),
        });
    };
    let dev = Ctx {
        global,
        vars: &vars,
        ui,
        cwd: root.join("workdir"),
    };
    let line = "$ cloudstudio-azure init --subscription-id <development> --environment development --name cloudstudio-demo-development";
    say(&format!(
        "\n{line}\n  # on a developer's machine, signed in with `az login` as {}",
        demo::CLI_USER
    ));
    super::init::run_with(&dev, &args, &az).await?;
    say(&format!("\n{line}   # again: creates nothing"));
    super::init::run_with(&dev, &args, &az).await?;
    Ok(())
}

/// A stand-in for `az account get-access-token`: the emulator's signed-in
/// user, whose token Graph and Resource Manager accept.
#[cfg(unix)]
fn write_fake_az(root: &Path) -> std::io::Result<String> {
    use std::os::unix::fs::PermissionsExt;
    let session = serde_json::json!({
        "accessToken": demo::CLI_ACCESS_TOKEN,
        "expiresOn": "2099-01-01 00:00:00.000000",
        "subscription": demo::DEV_SUBSCRIPTION_ID,
        "tenant": demo::TENANT_ID,
        "tokenType": "Bearer",
    });
    let path = root.join("az");
    std::fs::write(&path, format!("#!/bin/sh\ncat <<'EOF'\n{session}\nEOF\n"))?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))?;
    Ok(path.display().to_string())
}

/// What the simulated job's later steps get, and where the files are.
fn print_job_files(github: &Path, workdir: &Path) {
    println!("\nWhat the job's later steps get:");
    for name in ["env", "output"] {
        let path = github.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut names: Vec<&str> = Vec::new();
        for n in text
            .lines()
            .filter_map(|l| l.split_once("<<").map(|(n, _)| n))
        {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        println!(
            "  GITHUB_{} ({}): {}",
            name.to_uppercase(),
            crate::untrusted::path(&path),
            crate::untrusted::text(&names.join(", "))
        );
    }
    println!(
        "  step summary: {}",
        crate::untrusted::path(&github.join("summary.md"))
    );
    println!(
        "\nFiles: {}",
        crate::untrusted::path(&workdir.join("azure/secrets"))
    );
    println!(
        "Done. Everything above ran offline against the emulator; delete the temp directory when finished."
    );
}

/// A CloudStudio workdir as the app lays it out, with a config and a
/// `.gitignore`; the simulated job's file directory.
fn scaffold(workdir: &Path, github: &Path) -> std::io::Result<()> {
    for provider in ["aws", "azure", "google"] {
        for sub in ["projects", "templates", "modules", "keys", "roles"] {
            std::fs::create_dir_all(workdir.join(provider).join(sub))?;
        }
    }
    std::fs::write(workdir.join("cloudstudio.yml"), CONFIG)?;
    std::fs::write(workdir.join(".gitignore"), "azure/secrets/\n")?;
    std::fs::create_dir_all(github)
}

/// The flags the simulated job passes: the emulator's cloud, defaults.
fn job_args(emulator: &Emulator) -> (ResolveArgs, VerifyArgs) {
    let cloud = CloudArgs {
        cloud: Some(Cloud::Custom),
        authority_host: Some(emulator.authority_host()),
        arm_endpoint: Some(emulator.arm_endpoint()),
    };
    let resolve = ResolveArgs {
        cloud,
        az_timeout: 30,
        ..ResolveArgs::default()
    };
    let verify = VerifyArgs {
        require: Require::Contributor,
        timeout: 60,
    };
    (resolve, verify)
}

/// The variables a GitHub Actions job would have.
fn ci_vars(emulator: &Emulator, github: &Path, client_id: &str, secret: &str) -> Vars {
    let ca = emulator.ca_pem_path();
    let paths: Vec<(String, PathBuf)> = vec![
        ("GITHUB_ENV".into(), github.join("env")),
        ("GITHUB_OUTPUT".into(), github.join("output")),
        ("GITHUB_STEP_SUMMARY".into(), github.join("summary.md")),
        ("SSL_CERT_FILE".into(), ca),
    ];
    let mut pairs: Vec<(String, String)> = vec![
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("GITHUB_REF_NAME".into(), "main".into()),
        ("GITHUB_REF".into(), "refs/heads/main".into()),
        ("AZURE_CLIENT_ID".into(), client_id.into()),
        ("AZURE_CLIENT_SECRET".into(), secret.into()),
        ("AZURE_TENANT_ID".into(), demo::TENANT_ID.into()),
    ];
    pairs.extend(paths.into_iter().map(|(k, p)| (k, p.display().to_string())));
    Vars::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

/// The simulated job's context: the demo's variables and workdir, and a
/// terminal-friendly Ui.
fn job_ctx<'a>(global: &'a GlobalArgs, ui: &'a Ui, vars: &'a Vars, workdir: &Path) -> Ctx<'a> {
    Ctx {
        global,
        vars,
        ui,
        cwd: workdir.to_path_buf(),
    }
}

fn global(ctx: &Ctx<'_>, workdir: &Path) -> GlobalArgs {
    GlobalArgs {
        config: None,
        config_on_command_line: false,
        workdir: Some(workdir.to_path_buf()),
        output: OutputFormat::Text,
        quiet: ctx.global.quiet,
        verbose: ctx.global.verbose,
        color: ctx.global.color,
    }
}

/// The demo talks to a terminal: no workflow commands on it, even though
/// the job it simulates writes GitHub's files.
fn demo_ui(ctx: &Ctx<'_>) -> Ui {
    let mut ui = Ui::new(
        ctx.vars,
        ctx.global.quiet,
        ctx.global.verbose,
        OutputFormat::Text,
    )
    .with_color(ctx.global.color, ctx.vars);
    ui.github = false;
    ui
}
