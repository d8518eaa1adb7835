//! The integration tests: one binary, every run of the product through
//! [`support::Bin`] (scrubbed environment, leak check, placeholders).
//!
//! Layout, following the pipeline: `cli` (help, completions, demo),
//! `resolve` (sources, precedence, branch rules, `explain`), `verify/`
//! (against the in-tree emulator), `export`, `github`, `git_guard`,
//! `concurrency`, `env_shell`, `status_cleanup`, `leaks`,
//! `export_verified`, `emulator_serve`, `init/` (app, secret or
//! federation, role assignment over a fake `az` session, against the emulator); snapshots in `snapshots/`.

mod support;

mod ci;
#[cfg(feature = "emulator")]
mod cli;
mod concurrency;
#[cfg(feature = "emulator")]
mod emulator_serve;
mod env_shell;
mod export;
mod export_verified;
mod federation;
mod git_guard;
mod github;
mod hostile;
mod init;
mod layout;
mod leaks;
mod managed_identity;
mod resolve;
mod status_cleanup;
mod ux;
mod verify;
