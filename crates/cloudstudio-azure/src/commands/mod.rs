//! The commands: thin wiring of the pipeline's stages, and printing. Each
//! returns how the run ended ([`Outcome`]) or an [`Error`]; `main` turns
//! either into the exit code.

mod cleanup;
mod ctx;
#[cfg(feature = "emulator")]
mod demo;
#[cfg(feature = "emulator")]
mod emulator;
mod env;
mod explain;
mod export;
mod status;
mod verify;
mod verify_all;

#[cfg(feature = "emulator")]
use crate::cli::EmulatorCommand;
use crate::cli::{Cli, Command};
use crate::error::Error;
use crate::exit::Outcome;
use crate::ui::Ui;
use crate::vars::Vars;
use ctx::Ctx;

pub async fn run(cli: Cli, vars: Vars, ui: &Ui) -> Result<Outcome, Error> {
    let cwd = std::env::current_dir().map_err(Error::io("read the current directory"))?;
    let ctx = Ctx {
        global: &cli.global,
        vars: &vars,
        ui,
        cwd,
    };
    match &cli.command {
        Command::Explain(args) => explain::run(&ctx, args).await,
        Command::Verify {
            resolve,
            verify,
            all: false,
        } => verify::run(&ctx, resolve, verify).await,
        Command::Verify {
            resolve,
            verify,
            all: true,
        } => verify_all::run(&ctx, resolve, verify).await,
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
            Ok(Outcome::Success)
        }
    }
}
