//! Command dispatch and what the commands share: config discovery, the
//! workdir, and resolution (credentials + target) with masking done first.

mod cleanup;
#[cfg(feature = "emulator")]
mod demo;
#[cfg(feature = "emulator")]
mod emulator;
mod env;
mod explain;
mod export;
mod status;
mod verify;

use crate::branch;
#[cfg(feature = "emulator")]
use crate::cli::EmulatorCommand;
use crate::cli::{Cli, Command, GlobalArgs, ResolveArgs};
use crate::config::Config;
use crate::error::{Exit, Failure};
use crate::source::{self, Credentials, ResolveInput, Skipped};
use crate::target::{Placement, Target};
use crate::ui::Ui;
use crate::vars::Vars;
use anyhow::{Context as _, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What every command gets.
pub struct Ctx<'a> {
    pub global: &'a GlobalArgs,
    pub vars: &'a Vars,
    pub ui: &'a Ui,
    pub cwd: PathBuf,
}

/// Credentials and target, resolved and validated.
#[derive(Debug)]
pub struct Resolution {
    pub config: Config,
    pub credentials: Credentials,
    pub skipped: Vec<Skipped>,
    pub target: Target,
}

/// Resolution before the subscription is settled (`explain` shows it even
/// when there is none).
pub struct Parts {
    pub config: Config,
    pub resolved: source::Resolved,
    pub placement: Placement,
}

pub async fn run(cli: Cli, vars: Vars, ui: &Ui) -> Result<u8> {
    let cwd = std::env::current_dir().context("could not read the current directory")?;
    let ctx = Ctx {
        global: &cli.global,
        vars: &vars,
        ui,
        cwd,
    };
    match &cli.command {
        Command::Explain(args) => explain::run(&ctx, args).await,
        Command::Verify { resolve, verify } => verify::run(&ctx, resolve, verify).await,
        #[cfg(feature = "emulator")]
        Command::Emulator {
            command: EmulatorCommand::Serve(args),
        } => emulator::serve(&ctx, args).await,
        Command::Export {
            resolve,
            verify,
            export,
        } => export::run(&ctx, resolve, verify, export).await,
        Command::Status => status::run(&ctx).await,
        #[cfg(feature = "emulator")]
        Command::Demo => demo::run(&ctx).await,
        Command::Env { resolve, shell } => env::run(&ctx, resolve, *shell).await,
        Command::Cleanup(args) => cleanup::run(&ctx, args).await,
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            clap_complete::generate(
                *shell,
                &mut cmd,
                "cloudstudio-azure",
                &mut std::io::stdout(),
            );
            Ok(0)
        }
    }
}

impl Ctx<'_> {
    /// `--workdir`, else `CLOUDSTUDIO_WORKDIR`, relative to the current
    /// directory.
    pub fn named_workdir(&self) -> Option<PathBuf> {
        self.global
            .workdir
            .clone()
            .or_else(|| self.vars.get("CLOUDSTUDIO_WORKDIR").map(PathBuf::from))
            .map(|p| self.cwd.join(p))
    }

    pub fn config(&self) -> Result<Config> {
        let explicit = self.global.config.as_ref().map(|p| self.cwd.join(p));
        Ok(Config::discover(
            explicit.as_deref(),
            &self.cwd,
            self.named_workdir().as_deref(),
        )?)
    }

    /// The CloudStudio workdir: `--workdir` / `CLOUDSTUDIO_WORKDIR` > the
    /// config's `workdir:` > the nearest directory at or above the current
    /// one that holds `azure/`.
    pub fn workdir(&self, config: &Config) -> Result<PathBuf> {
        let named = self
            .named_workdir()
            .map(|p| (p, "--workdir / CLOUDSTUDIO_WORKDIR"))
            .or_else(|| {
                config
                    .workdir
                    .clone()
                    .map(|p| (p, "the config's `workdir:`"))
            });
        if let Some((path, from)) = named {
            if !path.is_dir() {
                return Err(Failure::new(
                    Exit::Input,
                    format!("the workdir {} (from {from}) does not exist", path.display()),
                )
                .hint("create it, or point --workdir at the CloudStudio workdir (the folder with aws/, azure/, google/)")
                .into());
            }
            return Ok(path);
        }
        self.cwd
            .ancestors()
            .find(|d| d.join("azure").is_dir())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                Failure::new(
                    Exit::Input,
                    format!(
                        "no CloudStudio workdir found: no `azure/` folder in {} or above",
                        self.cwd.display()
                    ),
                )
                .hint(
                    "pass --workdir, set CLOUDSTUDIO_WORKDIR, or add `workdir:` to cloudstudio.yml",
                )
                .into()
            })
    }

    /// Config, credentials and placement; prints nothing.
    pub async fn resolve_parts(&self, args: &ResolveArgs) -> Result<Parts> {
        let config = self.config()?;
        let detection = branch::detect(args.branch.as_deref(), self.vars, &self.cwd);
        let placement = Placement::compute(
            &config,
            detection,
            args.environment,
            args.subscription_id.as_deref(),
            args.credential.as_ref(),
        )?;
        let secret_stdin = if args.client_secret_stdin {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|err| source::SourceError::Io {
                    what: "the client secret from standard input".into(),
                    err,
                })?;
            Some(s)
        } else {
            None
        };
        let resolved = source::resolve(ResolveInput {
            vars: self.vars,
            client_id: args.client_id.as_deref(),
            tenant_id: args.tenant_id.as_deref(),
            subscription_id: args.subscription_id.as_deref(),
            secret_stdin,
            creds_file: args.creds_file.as_deref(),
            az_timeout: Duration::from_secs(args.az_timeout.max(1)),
            az_subscription: placement.requested_subscription(),
            az_program: "az",
        })
        .await?;
        Ok(Parts {
            config,
            resolved,
            placement,
        })
    }

    /// Masks the secrets (GitHub Actions), prints resolution warnings.
    pub fn announce(&self, resolved: &source::Resolved) {
        self.ui.mask(resolved.credentials.auth.secrets());
        for w in &resolved.warnings {
            self.ui.warn(w);
        }
    }

    /// Full resolution for the commands that act on it.
    pub async fn resolve(&self, args: &ResolveArgs) -> Result<Resolution> {
        let parts = self.resolve_parts(args).await?;
        self.announce(&parts.resolved);
        let target = parts
            .placement
            .finish(parts.resolved.credentials.subscription_id.as_deref())?;
        Ok(Resolution {
            config: parts.config,
            credentials: parts.resolved.credentials,
            skipped: parts.resolved.skipped,
            target,
        })
    }
}
