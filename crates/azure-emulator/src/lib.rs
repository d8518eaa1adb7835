//! The offline Azure emulator: a local Azure that the real Azure CLI, the
//! Azure SDKs and this project's tool accept. Entra ID (v1/v2 token
//! endpoints, OpenID discovery, JWKS, RS256 access tokens), Resource
//! Manager (subscriptions, tenants, locations, RBAC, resource groups, cloud
//! metadata), Microsoft Graph (applications, passwords, federated
//! credentials, service principals), GitHub OIDC and the managed identity
//! endpoints, over HTTPS on `127.0.0.1` (the identity endpoints over plain
//! http, as Azure serves them) — for `demo`, `emulator serve` and the tests.
//!
//! [`Emulator::start`] serves from a background thread with its own tokio
//! runtime, so sync tests and async code use it alike; dropping the
//! [`Emulator`] stops it. Who exists and what fails is the [`Scenario`]
//! (YAML format in [`scenario`]); [`demo`] holds the built-in one. The CA
//! and the token-signing key live in the state directory and are reused by
//! the next start. Every request is logged ([`Emulator::requests`], and
//! `--log` as JSON lines); secrets and tokens appear only in HTTP responses,
//! never in logs or `Debug` output.
//!
//! Layout: `server` (accept loop, faults, dispatch), `entra` (tokens),
//! `discovery` (metadata, OpenID, JWKS), `arm` (Resource Manager), `graph`
//! (Microsoft Graph), `identity` (the managed identity endpoints, IMDS and
//! App Service, on a second, plain-http listener), `auth` (judging bearer tokens), `directory` (what
//! Graph and ARM change), `roles` (built-in RBAC roles), `github` (OIDC),
//! `tls`/`jwt`/`store` (the CA, the signing key, their files), `reqlog`.

mod ado;
mod arm;
mod auth;
mod body;
pub mod demo;
mod directory;
mod discovery;
mod entra;
mod github;
mod graph;
mod http;
mod identity;
mod ids;
mod jwt;
mod reqlog;
mod resources;
mod roles;
pub mod scenario;
pub mod secret;
mod server;
mod state;
mod store;
mod tls;

pub use discovery::CLOUD_NAME;
pub use scenario::{Fault, FaultRoute, Role, Scenario, SubscriptionState};
pub use secret::Secret;

use anyhow::Context as _;
use state::State;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::oneshot;

/// Which endpoint a request went to. Faults use these names too (in
/// snake_case), plus `any`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// `POST /{tenant}/oauth2/v2.0/token` and `/{tenant}/oauth2/token`
    Token,
    /// `/metadata/endpoints`, OpenID configurations, JWKS, instance discovery
    Discovery,
    /// `GET /subscriptions/{id}`
    Subscription,
    /// `GET {scope}/providers/Microsoft.Authorization/permissions`
    Permissions,
    /// `{scope}/providers/Microsoft.Authorization/roleAssignments[/{name}]`
    RoleAssignments,
    /// Other Resource Manager paths: `/subscriptions`, `/tenants`,
    /// locations, role definitions, resource groups
    Arm,
    /// `/graph/v1.0/...` and `/graph/beta/...`
    Graph,
    /// `GET /_github/token`, `POST /_ado/oidctoken` (CI token endpoints)
    Oidc,
    /// The managed identity endpoints, on the plain-http listener only:
    /// IMDS's `GET /metadata/identity/oauth2/token` and App Service's
    /// `GET /msi/token`
    Identity,
    /// Anything else (404).
    Other,
}

impl Route {
    /// The name faults and the request log use.
    pub fn name(self) -> &'static str {
        match self {
            Route::Token => "token",
            Route::Discovery => "discovery",
            Route::Subscription => "subscription",
            Route::Permissions => "permissions",
            Route::RoleAssignments => "role_assignments",
            Route::Arm => "arm",
            Route::Graph => "graph",
            Route::Oidc => "oidc",
            Route::Identity => "identity",
            Route::Other => "other",
        }
    }
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
    /// Who made it: a client id or user name (from the verified token, or
    /// the one a token request named).
    pub principal: Option<String>,
    /// The error code answered (`AuthorizationFailed`, `AADSTS7000215`, ...).
    pub error: Option<String>,
}

/// How to start an emulator.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// 0 picks a free port.
    pub port: u16,
    /// Where the CA and the signing key live (created when missing, reused
    /// when present).
    pub state_dir: PathBuf,
    /// Append one JSON line per request here.
    pub log: Option<PathBuf>,
}

/// Creates (or checks) the CA and the token-signing key in `dir` without
/// serving; returns the CA certificate's path. What `emulator serve
/// --print-env` needs before a server runs.
pub fn prepare_state_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    tls::load_or_create(dir)?;
    jwt::SigningKey::load_or_create(dir)?;
    Ok(dir.join(tls::CA_FILE))
}

/// The environment that points the Azure CLI, the Azure SDKs, Terraform's
/// azurerm provider and this tool at an emulator on `base_url` whose CA is
/// `ca_path`: (name, value, what reads it).
pub fn client_env(base_url: &str, ca_path: &Path) -> Vec<(&'static str, String, &'static str)> {
    let ca = ca_path.display().to_string();
    let host = base_url.trim_start_matches("https://").to_owned();
    vec![
        (
            "REQUESTS_CA_BUNDLE",
            ca.clone(),
            "Python's requests: the Azure CLI, azure-identity",
        ),
        (
            "SSL_CERT_FILE",
            ca.clone(),
            "OpenSSL, Go (Terraform), cloudstudio-azure",
        ),
        ("CURL_CA_BUNDLE", ca.clone(), "curl"),
        ("NODE_EXTRA_CA_CERTS", ca, "Node.js SDKs"),
        (
            "AZURE_AUTHORITY_HOST",
            base_url.to_owned(),
            "the Azure SDKs' Entra ID",
        ),
        (
            "AZURE_CORE_INSTANCE_DISCOVERY",
            "false".into(),
            "the Azure CLI: no authority check against login.microsoftonline.com",
        ),
        (
            "ARM_METADATA_HOSTNAME",
            host,
            "Terraform's azurerm provider (metadata_host)",
        ),
    ]
}

/// The commands that make the emulator the Azure CLI's cloud.
pub fn az_cloud_commands(base_url: &str) -> Vec<String> {
    vec![
        format!("az cloud register --name {CLOUD_NAME} --endpoint-resource-manager {base_url}/"),
        format!("az cloud set --name {CLOUD_NAME}"),
    ]
}

/// A running emulator; dropping it stops the server.
pub struct Emulator {
    state: Arc<State>,
    port: u16,
    /// The plain-http listener's port (the managed identity endpoints).
    identity_port: u16,
    ca_pem: String,
    ca_path: PathBuf,
    ca_reused: bool,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Starts on 127.0.0.1:`port` (0 = any free port) with its CA and
    /// signing key in `state_dir` (made there when missing, reused when
    /// present). See [`Emulator::start_with`].
    pub fn start(scenario: Scenario, port: u16, state_dir: &Path) -> anyhow::Result<Emulator> {
        Emulator::start_with(
            scenario,
            &Options {
                port,
                state_dir: state_dir.to_path_buf(),
                log: None,
            },
        )
    }

    /// Starts in a background thread with its own tokio runtime. Issues a
    /// leaf certificate for 127.0.0.1 and localhost from the state
    /// directory's CA; writes the CA PEM there as `ca.pem`.
    pub fn start_with(scenario: Scenario, options: &Options) -> anyhow::Result<Emulator> {
        scenario.validate()?;
        let state_dir = &options.state_dir;
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("could not create {}", state_dir.display()))?;
        let port = options.port;
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))
            .with_context(|| format!("could not listen on 127.0.0.1:{port}"))?;
        listener
            .set_nonblocking(true)
            .context("could not make the emulator's socket non-blocking")?;
        let port = listener.local_addr()?.port();
        // The managed identity endpoints are plain http in Azure, so here too:
        // a second listener, on any free loopback port.
        let plain = std::net::TcpListener::bind(("127.0.0.1", 0))
            .context("could not listen on 127.0.0.1 for the identity endpoints")?;
        plain
            .set_nonblocking(true)
            .context("could not make the identity endpoints' socket non-blocking")?;
        let identity_port = plain.local_addr()?.port();

        let pki = tls::load_or_create(state_dir)?;
        let signing = jwt::SigningKey::load_or_create(state_dir)?;
        let request_log = options
            .log
            .as_deref()
            .map(reqlog::RequestLog::open)
            .transpose()?;
        let ca_path = state_dir.join(tls::CA_FILE);

        let state = Arc::new(State::new(scenario, port, signing, request_log)?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("could not start the emulator's runtime")?;
        let (tx, rx) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("azure-emulator-{port}"))
            .spawn({
                let state = state.clone();
                move || runtime.block_on(server::run(listener, plain, pki.server, state, rx))
            })
            .context("could not start the emulator's thread")?;

        Ok(Emulator {
            state,
            port,
            identity_port,
            ca_pem: pki.ca_pem,
            ca_path,
            ca_reused: pki.reused,
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

    /// Microsoft Graph's base URL (`{graph}/v1.0/...`); it is also Graph's
    /// resource id, so the token scope is `{graph}/.default`.
    pub fn graph_endpoint(&self) -> String {
        format!("{}/graph", self.base_url())
    }

    /// `127.0.0.1:PORT`: Terraform's `ARM_METADATA_HOSTNAME`.
    pub fn metadata_host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The JWKS that verifies the access tokens this emulator issues.
    pub fn jwks_uri(&self) -> String {
        format!("{}/common/discovery/v2.0/keys", self.base_url())
    }

    /// Whether the CA came from the state directory (trusted before).
    pub fn ca_reused(&self) -> bool {
        self.ca_reused
    }

    /// [`client_env`] for this emulator.
    pub fn client_env(&self) -> Vec<(&'static str, String, &'static str)> {
        client_env(&self.base_url(), &self.ca_path)
    }

    /// The value for `IMDS_ENDPOINT`: the emulated IMDS, plain http
    /// (`GET {it}/metadata/identity/oauth2/token` with `Metadata: true`).
    /// azure-identity reads it as `AZURE_POD_IDENTITY_AUTHORITY_HOST`.
    pub fn imds_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.identity_port)
    }

    /// The value for `IDENTITY_ENDPOINT` (App Service, plain http).
    pub fn identity_endpoint(&self) -> String {
        format!(
            "http://127.0.0.1:{}{}",
            self.identity_port,
            identity::APP_SERVICE_PATH
        )
    }

    /// The value for `IDENTITY_HEADER` (App Service's secret for the process).
    pub fn identity_header(&self) -> String {
        self.state.identity_header.expose().to_owned()
    }

    /// The value for `SYSTEM_OIDCREQUESTURI` (Azure DevOps).
    pub fn ado_request_uri(&self) -> String {
        format!("{}/_ado/oidctoken", self.base_url())
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
        github::sign(&self.state.github_key, claims)
    }

    /// Signs arbitrary claims with the emulator's Entra ID key, for tests
    /// that need a token the token endpoint would not issue (expired, other
    /// audience or issuer).
    pub fn sign_access_token(&self, claims: &serde_json::Value) -> String {
        self.state.signing.sign(claims)
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
