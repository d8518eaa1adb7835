//! Issue 10, the CLI a demanding user expects, through the binary: config
//! discovery from a subdirectory, which source is present and `--source`,
//! fix blocks with the real ids, failures in Actions, both variable
//! dialects, the az session's cloud, live output, JSON errors, `explain`.

pub(super) use crate::support::Run;
pub(super) use crate::support::world::*;

mod actions;
mod az_cloud;
mod config_walk;
mod delegated;
mod dialects;
mod explain;
mod fixes;
mod json;
mod live;
mod local;
mod preflight;
mod shells;
mod sources;
