//! The commands: thin wiring of the pipeline's stages, and printing. Each
//! returns how the run ended ([`Outcome`]) or an [`Error`]; `main` turns
//! either into the exit code.

mod cleanup;
mod ctx;
#[cfg(feature = "emulator")]
mod demo;
mod dotenv_report;
#[cfg(feature = "emulator")]
mod emulator;
mod env;
mod explain;
mod export;
mod init;
mod status;
mod verify;
mod verify_all;

#[cfg(feature = "emulator")]
use crate::cli::EmulatorCommand;
use crate::cli::{Cli, Command};
use crate::completion::{self, CompletionShell};
use crate::error::Error;
use crate::exit::Outcome;
use crate::pipeline::Shell;
use crate::ui::{OutputFormat, Ui};
use crate::vars::Vars;
use ctx::Ctx;

pub async fn run(cli: Cli, vars: Vars, ui: &Ui) -> Result<Outcome, Error> {
    refuse_unused_globals(&cli)?;
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
        Command::Init(args) => init::run(&ctx, args).await,
        #[cfg(feature = "emulator")]
        Command::Demo => demo::run(&ctx).await,
        Command::Env { resolve, shell } => env::run(&ctx, resolve, env_shell(*shell, ui)?).await,
        Command::Cleanup(args) => cleanup::run(&ctx, args).await,
        Command::Completions { shell } => completions(*shell),
    }
}

/// Global flags are accepted by every command (clap), but a command that
/// has no use for one refuses it: a flag is never silently ignored.
fn refuse_unused_globals(cli: &Cli) -> Result<(), Error> {
    // `--config` only when typed: CLOUDSTUDIO_CONFIG sets it from the
    // environment, where it is meant for the commands that read a config.
    let (name, has_json) = match &cli.command {
        Command::Explain(_)
        | Command::Verify { .. }
        | Command::Export { .. }
        | Command::Status
        | Command::Env { .. }
        | Command::Init(_)
        | Command::Cleanup(_) => return Ok(()),
        #[cfg(feature = "emulator")]
        Command::Demo => ("demo", false),
        #[cfg(feature = "emulator")]
        Command::Emulator { .. } => ("emulator serve", true),
        Command::Completions { .. } => ("completions", false),
    };
    let g = &cli.global;
    let unused = [
        (g.config_on_command_line, "--config"),
        (g.workdir.is_some(), "--workdir"),
        (g.output == OutputFormat::Json && !has_json, "--output json"),
    ];
    match unused.iter().find(|(given, _)| *given) {
        Some((_, flag)) => Err(Error::Usage {
            message: format!("{flag} does not apply to `{name}`"),
            hint: format!("drop {flag}; `cloudstudio-azure {name} --help` lists what it takes"),
        }),
        None => Ok(()),
    }
}

/// `env`'s shell: `--shell`, else `json` with `--output json`, else bash.
fn env_shell(shell: Option<Shell>, ui: &Ui) -> Result<Shell, Error> {
    match (shell, ui.json()) {
        (None, true) | (Some(Shell::Json), _) => Ok(Shell::Json),
        (None, false) => Ok(Shell::Bash),
        (Some(s), true) => Err(Error::Usage {
            message: format!(
                "--output json prints JSON; --shell {} prints something else",
                format!("{s:?}").to_lowercase()
            ),
            hint: "drop --shell (or use --shell json) with --output json".into(),
        }),
        (Some(s), false) => Ok(s),
    }
}

/// Shell completions from the command line's definition.
fn completions(shell: CompletionShell) -> Result<Outcome, Error> {
    use clap::CommandFactory;
    use std::io::Write;
    let script = completion::script(shell, &mut Cli::command());
    let mut out = std::io::stdout().lock();
    out.write_all(script.as_bytes())
        .and_then(|()| out.flush())
        .map_err(Error::io("write to standard output"))?;
    Ok(Outcome::Success)
}
