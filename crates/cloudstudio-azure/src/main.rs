//! Parse, run, map the error to its exit code and a message with a hint.

use clap::Parser;
use cloudstudio_azure::{
    cli::{Cli, Command},
    commands, error,
    ui::Ui,
    vars::Vars,
};
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = Cli::parse();
    let vars = Vars::from_process();
    let mut ui = Ui::new(
        &vars,
        cli.global.quiet,
        cli.global.verbose,
        cli.global.output,
    );
    ui.masks_on_stderr = matches!(cli.command, Command::Env { .. });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            ui.error(
                "cloudstudio-azure failed",
                &format!("could not start the async runtime: {e}"),
                None,
            );
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::run(cli, vars, &ui));
    // Don't wait for stray background tasks (e.g. a hung connection).
    runtime.shutdown_background();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let c = error::classify(&err);
            ui.error(c.title, &format!("{err:#}"), c.hint.as_deref());
            ExitCode::from(c.exit.code() as u8)
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
