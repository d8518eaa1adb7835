//! The offline Azure emulator (Entra ID v2 token endpoint, Resource Manager,
//! GitHub OIDC) for `demo`, `emulator serve` and the tests.
//!
//! [`Emulator::start`] serves HTTPS on `127.0.0.1` from a background thread
//! with its own tokio runtime, so sync tests and async code use it alike;
//! dropping the [`Emulator`] stops it. Who exists and what fails is the
//! [`Scenario`] (YAML format in [`scenario`]); [`demo`] holds the built-in
//! one. Every request is logged ([`Emulator::requests`]); secrets and tokens
//! appear only in HTTP responses, never in logs or `Debug` output.
//!
//! Layout: `server` (accept loop, faults, dispatch), `entra` (tokens),
//! `arm` (subscription and permissions), `github` (OIDC tokens, JWTs),
//! `tls` (throwaway CA), `state` (what a running emulator remembers), `ids`
//! and `secret` (its own small id checks and secret type).

mod arm;
pub mod demo;
mod entra;
mod github;
mod http;
mod ids;
pub mod scenario;
pub mod secret;
mod server;
mod state;
mod tls;

pub use scenario::{Fault, FaultRoute, Role, Scenario, SubscriptionState};
pub use secret::Secret;

use anyhow::Context as _;
use state::State;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::oneshot;

/// Which endpoint a request went to. Faults use these names too, plus `any`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    /// `POST /{tenant}/oauth2/v2.0/token`
    Token,
    /// `GET /subscriptions/{id}`
    Subscription,
    /// `GET /subscriptions/{id}/providers/Microsoft.Authorization/permissions`
    Permissions,
    /// `GET /_github/token`
    Oidc,
    /// Anything else (404).
    Other,
}

/// One request as the emulator saw it.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub route: Route,
    pub method: String,
    /// Without the query string.
    pub path: String,
    /// 0 if the connection was dropped or the request hung (by a fault).
    pub status: u16,
    pub started: Instant,
    /// When the response was sent, or when the emulator decided to drop or
    /// hang the request.
    pub finished: Instant,
}

/// A running emulator; dropping it stops the server.
pub struct Emulator {
    state: Arc<State>,
    port: u16,
    ca_pem: String,
    ca_path: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts on 127.0.0.1:`port` (0 = any free port) in a background
    /// thread with its own tokio runtime. Generates a fresh CA and a leaf
    /// certificate for 127.0.0.1 and localhost, writes the CA PEM to
    /// `state_dir/ca.pem` (creating `state_dir`).
    pub fn start(scenario: Scenario, port: u16, state_dir: &Path) -> anyhow::Result<Emulator> {
        scenario.validate()?;
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("could not create {}", state_dir.display()))?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .with_context(|| format!("could not listen on 127.0.0.1:{port}"))?;
        listener
            .set_nonblocking(true)
            .context("could not make the emulator's socket non-blocking")?;
        let port = listener.local_addr()?.port();

        let pki = tls::generate()?;
        let ca_path = state_dir.join("ca.pem");
        std::fs::write(&ca_path, &pki.ca_pem)
            .with_context(|| format!("could not write {}", ca_path.display()))?;

        let state = Arc::new(State::new(scenario, port)?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("could not start the emulator's runtime")?;
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("azure-emulator-{port}"))
            .spawn({
                let state = state.clone();
                move || runtime.block_on(server::run(listener, pki.server, state, rx))
            })
            .context("could not start the emulator's thread")?;

        Ok(Emulator {
            state,
            port,
            ca_pem: pki.ca_pem,
            ca_path,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The Entra ID authority; the token endpoint is
    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority_host(&self) -> String {
        self.base_url()
    }

    /// The Resource Manager endpoint; the token scope is `{arm}/.default`.
    pub fn arm_endpoint(&self) -> String {
        self.base_url()
    }

    /// The value for `ACTIONS_ID_TOKEN_REQUEST_URL`.
    pub fn oidc_request_url(&self) -> String {
        format!("{}/_github/token?api-version=2.0", self.base_url())
    }

    /// The value for `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (empty when the
    /// scenario has no `github_oidc`).
    pub fn oidc_request_token(&self) -> String {
        self.state
            .scenario
            .github_oidc
            .as_ref()
            .map(|o| o.request_token.expose().to_owned())
            .unwrap_or_default()
    }

    pub fn ca_pem_path(&self) -> PathBuf {
        self.ca_path.clone()
    }

    pub fn ca_pem(&self) -> String {
        self.ca_pem.clone()
    }

    /// The request log, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.requests()
    }

    pub fn scenario(&self) -> &Scenario {
        &self.state.scenario
    }

    /// Signs arbitrary claims as this emulator's GitHub OIDC provider, for
    /// tests that need an assertion the OIDC endpoint would not issue (other
    /// audience, subject or lifetime).
    pub fn sign_oidc_token(&self, claims: &serde_json::Value) -> String {
        github::sign(&self.state.jwt_key, claims)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            // The runtime drops hung connections when the thread ends.
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.state.base_url)
            .field("ca_path", &self.ca_path)
            .finish_non_exhaustive()
    }
}
