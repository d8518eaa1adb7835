//! cloudstudio-azure: resolve Azure service-principal credentials for a
//! pipeline's CloudStudio environment, verify them against Azure, export
//! them into the CloudStudio workdir and the pipeline.
//!
//! Data flows one way: inputs (`cli`, `vars`, `config`, `branch`) ->
//! resolution (`resolve`) -> target (`target`) -> verification (`verify`)
//! -> plan (`plan`) -> apply (`workdir`, `pipeline`). Side effects live at
//! the edges (`commands`, `ui`); `main` turns the run's [`Outcome`] or
//! [`Error`] into the exit code and prints a failure once.

mod branch;
mod ci;
mod cli;
mod commands;
mod completion;
mod config;
mod error;
mod exit;
mod file_error;
mod help;
mod ids;
mod lookup;
mod observe;
mod pattern;
mod pipeline;
mod plan;
/// Properties of the parsers and writers (proptest; cargo fuzz in `fuzz/`).
#[cfg(any(test, fuzzing))]
pub mod props;
mod provision;
mod resolve;
mod safe_read;
mod secret;
mod spinner;
mod target;
mod ui;
mod untrusted;
mod vars;
mod verify;
mod workdir;

use cli::{Cli, Command};
use error::Error;
use exit::{Diagnose, Outcome};
use std::process::ExitCode;
use ui::Ui;
use vars::Vars;

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = parse_args();
    let vars = Vars::from_process();
    let mut ui = Ui::new(
        &vars,
        cli.global.quiet,
        cli.global.verbose,
        cli.global.output,
    )
    .with_color(cli.global.color, &vars);
    ui.masks_on_stderr = matches!(cli.command, Command::Env { .. });
    let result = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => {
            let result = runtime.block_on(commands::run(cli, vars, &ui));
            // Don't wait for stray background tasks (e.g. a hung connection).
            runtime.shutdown_background();
            result
        }
        Err(e) => Err(Error::io("start the async runtime")(e)),
    };
    ExitCode::from(finish(&ui, result))
}

/// The command line, or clap's message and exit code. The message goes
/// through [`untrusted::lines`]: clap quotes invalid values, and a value
/// from the environment (`CLOUDSTUDIO_ENVIRONMENT=$'x\n::warning::...'`)
/// must not print a workflow command.
fn parse_args() -> Cli {
    use std::io::{IsTerminal, Write};
    match Cli::from_process() {
        Ok(cli) => cli,
        Err(e) => {
            let styled = e.render();
            let colour = if e.use_stderr() {
                std::io::stderr().is_terminal()
            } else {
                std::io::stdout().is_terminal()
            };
            let text = if colour {
                styled.ansi().to_string()
            } else {
                styled.to_string()
            };
            let text = untrusted::lines(&text);
            // A closed stream has nobody to tell.
            let _ = if e.use_stderr() {
                write!(std::io::stderr(), "{text}")
            } else {
                write!(std::io::stdout(), "{text}")
            };
            std::process::exit(e.exit_code());
        }
    }
}

/// The exit code, after printing the failure (if any) once.
/// With `--output json`, stdout is then the run's one document, the
/// failure its `error` key.
fn finish(ui: &Ui, result: Result<Outcome, Error>) -> u8 {
    match result {
        Ok(outcome) => {
            let code = outcome.exit_code();
            if let Outcome::AccessNotSufficient(failure) | Outcome::Failed(_, failure) = &outcome {
                ui.finish_document(Some((failure, code)));
                ui.fail(failure);
            } else {
                ui.finish_document(None);
            }
            code
        }
        Err(err) => {
            let failure = err.failure();
            let code = err.exit().code();
            ui.finish_document(Some((&failure, code)));
            ui.fail(&failure);
            code
        }
    }
}

/// `cloudstudio-azure explain | head -1`: a closed stdout makes `println!`
/// panic. End quietly, as a process killed by SIGPIPE would (exit 141),
/// instead of printing a backtrace. Other panics keep the default report.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if payload.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}
