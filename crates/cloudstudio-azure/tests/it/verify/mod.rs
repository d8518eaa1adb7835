//! `verify` end to end: the real binary against the in-tree emulator
//! (started in this process), over HTTPS trusting only the emulator's CA via
//! `SSL_CERT_FILE`, with `--cloud custom`. Every run is checked for leaks of
//! the demo secrets and of any token the emulator hands out.
//!
//! Layout: `success` (passing runs, JSON shape, the report snapshot),
//! `access` (every exit-3 mapping: AADSTS codes, ARM errors, subscription
//! states, tenants, roles), `sources` (GitHub OIDC, the `az` session),
//! `network` (retries, Retry-After, the deadline, dropped connections,
//! round trips and parallel reads, `-v`), `input` (exit 2).

mod access;
mod all;
mod input;
mod network;
mod sources;
mod success;

pub use crate::support::Run;
pub use crate::support::emu::*;
pub use crate::support::world::World;
pub use azure_emulator::{Route, Scenario, demo};
pub use serde_json::Value;
pub use std::time::Duration;
