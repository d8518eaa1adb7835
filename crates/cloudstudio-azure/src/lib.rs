//! cloudstudio-azure: resolve Azure service-principal credentials for a
//! pipeline's CloudStudio environment, verify them against Azure, export
//! them into the CloudStudio workdir and the pipeline.
//!
//! Data flows one way: inputs (`cli`, `vars`, `config`, `branch`) ->
//! resolution (`source`, `target`) -> verification (`azure`) -> plan ->
//! apply (`export`). Side effects live at the edges (`commands`, `ui`).

pub mod azure;
pub mod branch;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod export;
pub mod ids;
pub mod plan;
pub mod secret;
pub mod source;
pub mod target;
pub mod ui;
pub mod vars;
