//! The scenario: the directory the emulator pretends to be (tenants, apps,
//! subscriptions, role assignments, `az login` sessions, GitHub OIDC) and the
//! faults it injects. Parsed from YAML (`emulator serve --scenario`) or built
//! in code ([`Scenario::demo`]); validated before the server starts.
//!
//! The YAML format (every section optional):
//!
//! ```yaml
//! tenants:
//!   - id: 4c6f7a1e-8d2b-4e3f-9a51-0b7c2d9e6f10
//!     domain: contoso.onmicrosoft.com      # optional; the token endpoint accepts id or domain
//!     display_name: Contoso                 # optional; `GET /tenants` shows it
//! apps:                                     # app registrations, each with its service principal
//!   - client_id: a1b2c3d4-5e6f-4a8b-9c0d-1e2f3a4b5c6d
//!     tenant: 4c6f7a1e-8d2b-4e3f-9a51-0b7c2d9e6f10
//!     display_name: ci-deployer
//!     object_id: <guid>                     # the service principal's; default derived from client_id
//!     secrets:                              # id = the portal's "Secret ID"
//!       - { value: "kR48Q~...", id: d3f1a9c2-7b4e-4f60-8a15-2c9e7b3d5f81, expired: false }
//!     federated_subjects: ["repo:contoso/infra:ref:refs/heads/main"]   # trusted from GitHub
//!     federated:                            # other issuers (GitLab, AKS, Azure DevOps), exact match
//!       - { issuer: "https://gitlab.com", subject: "project_path:contoso/infra:ref_type:branch:ref:main", audiences: [api://AzureADTokenExchange] }
//!     service_principal: true               # false: the app is registered but has no principal yet
//!     owners: [dev@contoso.com]             # principals that may change the app through Graph
//!     can_create_apps: false                # may register apps through Graph (Application Developer)
//! subscriptions:                            # state: Enabled|Warned|PastDue|Disabled|Deleted
//!   - { id: <guid>, tenant: <guid>, name: "Contoso Production", state: Enabled }
//! role_assignments:                         # role: Owner|Contributor|Reader|UserAccessAdministrator
//!   - { principal: <client_id or cli session name>, subscription: <guid>, role: Contributor }
//! cli_sessions:                             # signed-in users (what `az login` would hold)
//!   - name: dev@contoso.com                 # the user principal name
//!     tenant: <guid>
//!     access_token: "..."                   # a token Resource Manager and Graph accept as is
//!     object_id: <guid>                     # optional; default derived from the name
//!     display_name: Dev                     # optional
//!     password: "..."                       # optional: lets `az login -u NAME -p ...` sign in
//!     can_create_apps: false                # may register apps through Graph (Application Developer)
//! replication_delay_ms: 0                   # a service principal created through Graph stays
//!                                           # invisible to Resource Manager and token issuance this long
//! github_oidc:
//!   request_token: "..."                    # the bearer the runner gives the job
//!   subject: "repo:contoso/infra:ref:refs/heads/main"
//!   expired: false                          # issue already-expired ID tokens (AADSTS700024)
//! azure_devops:                             # POST /_ado/oidctoken (SYSTEM_OIDCREQUESTURI)
//!   access_token: "..."                     # System.AccessToken
//!   service_connection_id: <guid>
//!   issuer: "https://vstoken.dev.azure.com/<organization id>"
//!   subject: "sc://contoso/infra/azure-prod"
//! managed_identities:                       # the emulated machine's identities, served over plain
//!                                           # http on 127.0.0.1 (IMDS, App Service's IDENTITY_ENDPOINT)
//!   - client_id: <guid>                     # role_assignments name it like an app's client id
//!     tenant: <guid>
//!     object_id: <guid>                     # the principal id; default derived from client_id
//!     name: runner-vm                       # display name
//!     system_assigned: false                # the one asked for without a client id (at most one)
//! identity_header: "..."                    # App Service's IDENTITY_HEADER [default: random per start]
//! latency_ms: 0                             # added to every request
//! faults:                                   # the first matching fault with budget left applies
//!   - route: token                          # token|discovery|subscription|permissions|
//!                                           # role_assignments|arm|graph|oidc|identity|other|any
//!     status: 503                           # respond with this status
//!     code: "..."                           # AADSTS number (token) or ARM error code
//!     retry_after: 2                        # Retry-After header, seconds
//!     latency_ms: 300                       # delay before responding
//!     times: 2                              # only the first N matching requests (absent = always)
//!     drop: false                           # close the connection with no response
//!     hang: false                           # never respond
//!     body_bytes: 4294967296                # a 200 whose JSON-looking body is this long
//!     endless_body: false                   # a 200 whose body never ends
//! ```

use super::Route;
use crate::ids::{is_guid, is_tenant};
use crate::secret::Secret;
use anyhow::{Context as _, bail};
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub tenants: Vec<Tenant>,
    #[serde(default)]
    pub apps: Vec<App>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
    #[serde(default)]
    pub role_assignments: Vec<RoleAssignment>,
    #[serde(default)]
    pub cli_sessions: Vec<CliSession>,
    #[serde(default)]
    pub github_oidc: Option<GithubOidc>,
    /// The Azure DevOps job's OIDC token endpoint (`POST /_ado/oidctoken`).
    #[serde(default)]
    pub azure_devops: Option<AzureDevops>,
    /// The machine's managed identities (IMDS, App Service).
    #[serde(default)]
    pub managed_identities: Vec<ManagedIdentity>,
    /// App Service's `IDENTITY_HEADER` [default: random per start].
    #[serde(default, deserialize_with = "optional_secret")]
    pub identity_header: Option<Secret>,
    /// Added to every request.
    #[serde(default)]
    pub latency_ms: u64,
    /// How long a service principal created through Graph stays invisible to
    /// Resource Manager and the token endpoint, as Entra's replication does.
    #[serde(default)]
    pub replication_delay_ms: u64,
    #[serde(default)]
    pub faults: Vec<Fault>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tenant {
    pub id: String,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A service principal (app registration).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    pub client_id: String,
    pub tenant: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// The service principal's object id, quoted by ARM's AuthorizationFailed
    /// [default: derived from the client id].
    #[serde(default)]
    pub object_id: Option<String>,
    #[serde(default)]
    pub secrets: Vec<AppSecret>,
    #[serde(default)]
    pub federated_subjects: Vec<String>,
    /// Federated credentials for other issuers (GitLab, Kubernetes, Azure
    /// DevOps): issuer, subject, audiences as Entra holds them.
    #[serde(default)]
    pub federated: Vec<FederatedCredential>,
    /// `false`: registered, but its service principal is not created yet.
    #[serde(default = "yes")]
    pub service_principal: bool,
    /// Client ids or cli session names that may change the app via Graph.
    #[serde(default)]
    pub owners: Vec<String>,
    /// May register applications and service principals via Graph.
    #[serde(default)]
    pub can_create_apps: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSecret {
    #[serde(deserialize_with = "secret")]
    pub value: Secret,
    /// The portal's "Secret ID", which people paste by mistake (AADSTS7000215).
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub expired: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub id: String,
    pub tenant: String,
    pub name: String,
    #[serde(default)]
    pub state: SubscriptionState,
}

/// ARM's subscription states, spelled as ARM spells them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub enum SubscriptionState {
    #[default]
    Enabled,
    Warned,
    PastDue,
    Disabled,
    Deleted,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleAssignment {
    /// An app's client id or a cli session's name.
    pub principal: String,
    pub subscription: String,
    pub role: Role,
}

/// The built-in roles the emulator knows the permissions of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Role {
    Owner,
    Contributor,
    Reader,
    #[serde(alias = "User Access Administrator")]
    UserAccessAdministrator,
}

/// A managed identity of the emulated machine: a service principal that
/// holds roles like an app's, and gets tokens only from the identity
/// endpoints (never from the token endpoint).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManagedIdentity {
    pub client_id: String,
    pub tenant: String,
    /// The principal id [default: derived from the client id].
    #[serde(default)]
    pub object_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The identity IMDS and App Service use when no client id is asked.
    #[serde(default)]
    pub system_assigned: bool,
}

/// A signed-in user: what `az account get-access-token` hands out for it,
/// and optionally a password for `az login --username`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliSession {
    /// The user principal name.
    pub name: String,
    pub tenant: String,
    #[serde(deserialize_with = "secret")]
    pub access_token: Secret,
    #[serde(default)]
    pub object_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "optional_secret")]
    pub password: Option<Secret>,
    /// May register applications and service principals via Graph.
    #[serde(default)]
    pub can_create_apps: bool,
}

/// What an Azure DevOps job holds: `System.AccessToken` and one workload
/// identity service connection, whose tokens carry [`AzureDevops::subject`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureDevops {
    #[serde(deserialize_with = "secret")]
    pub access_token: Secret,
    pub service_connection_id: String,
    /// `https://vstoken.dev.azure.com/<organization id>`
    pub issuer: String,
    /// `sc://<organization>/<project>/<service connection name>`
    pub subject: String,
}

/// A federated identity credential; matched exactly (case-sensitively), as
/// Entra does.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedCredential {
    pub issuer: String,
    pub subject: String,
    /// [default: the three clouds' token-exchange audiences]
    #[serde(default)]
    pub audiences: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubOidc {
    #[serde(deserialize_with = "secret")]
    pub request_token: Secret,
    pub subject: String,
    #[serde(default)]
    pub expired: bool,
}

/// Where a fault applies: one route or all of them (names as in [`Route`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultRoute {
    #[default]
    Any,
    Token,
    Discovery,
    Subscription,
    Permissions,
    RoleAssignments,
    Arm,
    Graph,
    Oidc,
    Identity,
    Other,
}

impl FaultRoute {
    pub fn matches(self, route: Route) -> bool {
        match self {
            FaultRoute::Any => true,
            FaultRoute::Token => route == Route::Token,
            FaultRoute::Discovery => route == Route::Discovery,
            FaultRoute::Subscription => route == Route::Subscription,
            FaultRoute::Permissions => route == Route::Permissions,
            FaultRoute::RoleAssignments => route == Route::RoleAssignments,
            FaultRoute::Arm => route == Route::Arm,
            FaultRoute::Graph => route == Route::Graph,
            FaultRoute::Oidc => route == Route::Oidc,
            FaultRoute::Identity => route == Route::Identity,
            FaultRoute::Other => route == Route::Other,
        }
    }
}

/// An injected failure. With neither `status`, `code`, `drop` nor `hang` it
/// only delays (`latency_ms`) and the request is then handled normally.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub route: FaultRoute,
    #[serde(default)]
    pub status: Option<u16>,
    /// `AADSTS7000215` or `7000215` on the token route, an ARM error code
    /// (`SubscriptionRequestsThrottled`) elsewhere.
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub latency_ms: Option<u64>,
    #[serde(default)]
    pub times: Option<u32>,
    #[serde(default)]
    pub drop: bool,
    #[serde(default)]
    pub hang: bool,
    /// Answer 200 with a body this many bytes long, streamed (a hostile or
    /// broken server; clients must cap what they read).
    #[serde(default)]
    pub body_bytes: Option<u64>,
    /// Answer 200 with a body that never ends.
    #[serde(default)]
    pub endless_body: bool,
}

fn secret<'de, D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
    String::deserialize(d).map(Secret::new)
}

fn optional_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    Option::<String>::deserialize(d).map(|o| o.map(Secret::new))
}

impl Scenario {
    /// Parses and validates; a syntax or type error names its line.
    pub fn from_yaml(text: &str) -> anyhow::Result<Scenario> {
        // An empty file is the empty scenario, not a YAML error.
        let scenario: Scenario = if text.trim().is_empty() {
            Scenario::default()
        } else {
            serde_yaml::from_str(text).context("invalid emulator scenario")?
        };
        scenario.validate()?;
        Ok(scenario)
    }

    /// Adds a fault after the existing ones (tests).
    pub fn with_fault(mut self, fault: Fault) -> Scenario {
        self.faults.push(fault);
        self
    }

    /// Checks ids and cross-references; reports every problem at once.
    // One short rule after another; left whole for the emulator's owner.
    #[allow(clippy::too_many_lines)]
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut problems = Vec::new();
        let mut guid = |what: String, v: &str| {
            if !is_guid(v) {
                problems.push(format!("{what}: '{v}' is not a GUID"));
            }
        };
        for (i, t) in self.tenants.iter().enumerate() {
            guid(format!("tenants[{i}].id"), &t.id);
        }
        for (i, a) in self.apps.iter().enumerate() {
            guid(format!("apps[{i}].client_id"), &a.client_id);
            if let Some(o) = &a.object_id {
                guid(format!("apps[{i}].object_id"), o);
            }
            for (j, s) in a.secrets.iter().enumerate() {
                if let Some(id) = &s.id {
                    guid(format!("apps[{i}].secrets[{j}].id"), id);
                }
            }
        }
        for (i, s) in self.subscriptions.iter().enumerate() {
            guid(format!("subscriptions[{i}].id"), &s.id);
        }
        for (i, t) in self.tenants.iter().enumerate() {
            if let Some(d) = &t.domain
                && (!is_tenant(d) || is_guid(d))
            {
                problems.push(format!("tenants[{i}].domain: '{d}' is not a domain name"));
            }
        }
        let known_tenant = |t: &str| self.tenants.iter().any(|x| x.id == t);
        let mut tenant_ref = |what: String, t: &str| {
            if !known_tenant(t) {
                problems.push(format!(
                    "{what}: tenant '{t}' is not listed under `tenants`"
                ));
            }
        };
        for (i, a) in self.apps.iter().enumerate() {
            tenant_ref(format!("apps[{i}].tenant"), &a.tenant);
        }
        for (i, s) in self.subscriptions.iter().enumerate() {
            tenant_ref(format!("subscriptions[{i}].tenant"), &s.tenant);
        }
        for (i, c) in self.cli_sessions.iter().enumerate() {
            tenant_ref(format!("cli_sessions[{i}].tenant"), &c.tenant);
        }
        crate::identity::validate(self, &mut problems);
        let is_principal = |p: &str| {
            self.apps.iter().any(|a| a.client_id == p)
                || self.cli_sessions.iter().any(|c| c.name == p)
                || self.managed_identities.iter().any(|m| m.client_id == p)
        };
        for (i, a) in self.apps.iter().enumerate() {
            for (j, o) in a.owners.iter().enumerate() {
                if !is_principal(o) {
                    problems.push(format!(
                        "apps[{i}].owners[{j}]: '{o}' is neither an app's client_id nor a cli session's name"
                    ));
                }
            }
            if self.apps[..i]
                .iter()
                .any(|b| b.client_id.eq_ignore_ascii_case(&a.client_id))
            {
                problems.push(format!(
                    "apps[{i}].client_id: '{}' is listed twice",
                    a.client_id
                ));
            }
        }
        for (i, c) in self.cli_sessions.iter().enumerate() {
            if let Some(o) = c.object_id.as_deref().filter(|o| !is_guid(o)) {
                problems.push(format!("cli_sessions[{i}].object_id: '{o}' is not a GUID"));
            }
            if self.cli_sessions[..i]
                .iter()
                .any(|d| d.name.eq_ignore_ascii_case(&c.name))
            {
                problems.push(format!(
                    "cli_sessions[{i}].name: '{}' is listed twice",
                    c.name
                ));
            }
        }
        for (i, r) in self.role_assignments.iter().enumerate() {
            if !is_principal(&r.principal) {
                problems.push(format!(
                    "role_assignments[{i}].principal: '{}' is neither an app's or managed identity's client_id nor a cli session's name",
                    r.principal
                ));
            }
            if !self.subscriptions.iter().any(|s| s.id == r.subscription) {
                problems.push(format!(
                    "role_assignments[{i}].subscription: '{}' is not listed under `subscriptions`",
                    r.subscription
                ));
            }
        }
        for (i, f) in self.faults.iter().enumerate() {
            if f.drop && f.hang {
                problems.push(format!("faults[{i}]: `drop` and `hang` exclude each other"));
            }
            if let Some(s) = f.status
                && !(100..=599).contains(&s)
            {
                problems.push(format!("faults[{i}].status: {s} is not an HTTP status"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!(
                "invalid emulator scenario:\n  - {}",
                problems.join("\n  - ")
            )
        }
    }

    pub(crate) fn tenant(&self, id_or_domain: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| {
            t.id.eq_ignore_ascii_case(id_or_domain)
                || t.domain
                    .as_deref()
                    .is_some_and(|d| d.eq_ignore_ascii_case(id_or_domain))
        })
    }

    pub(crate) fn subscription(&self, id: &str) -> Option<&Subscription> {
        self.subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_name_their_line() {
        let err = Scenario::from_yaml("tenants: []\nappz: []\n").expect_err("unknown key");
        let msg = format!("{err:#}");
        assert!(msg.contains("appz") && msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn reports_every_broken_reference() {
        let yaml = "tenants: [{id: not-a-guid}]\n\
                    role_assignments: [{principal: nobody, subscription: 11111111-1111-1111-1111-111111111111, role: Reader}]\n";
        let msg = format!("{:#}", Scenario::from_yaml(yaml).expect_err("invalid"));
        assert!(msg.contains("tenants[0].id"), "{msg}");
        assert!(msg.contains("'nobody'"), "{msg}");
        assert!(msg.contains("not listed under `subscriptions`"), "{msg}");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let s = super::super::Scenario::demo();
        let dbg = format!("{s:?}");
        assert!(!dbg.contains(super::super::demo::CLIENT_SECRET));
        assert!(!dbg.contains(super::super::demo::GITHUB_REQUEST_TOKEN));
        assert!(!dbg.contains(super::super::demo::CLI_ACCESS_TOKEN));
        assert!(!dbg.contains(super::super::demo::IDENTITY_HEADER));
    }
}
