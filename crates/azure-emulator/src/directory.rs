//! What the emulator's Azure holds and changes while it runs: Entra ID's
//! applications, service principals and users, and Resource Manager's role
//! assignments and resource groups. Seeded from the scenario, then written
//! by Graph and Resource Manager calls. Everything refers to principals by
//! object id, as Azure does.

use crate::github;
use crate::roles::{self, RoleDef};
use crate::scenario::{self, Scenario};
use crate::secret::Secret;
use crate::state::derived_guid;
use std::time::Instant;
use time::OffsetDateTime;

pub struct Application {
    /// The application object's id (Graph's `id`), not the client id.
    pub object_id: String,
    /// The client id.
    pub app_id: String,
    pub tenant: String,
    pub display_name: String,
    pub created: OffsetDateTime,
    pub sign_in_audience: String,
    pub passwords: Vec<Password>,
    pub federated: Vec<Federated>,
    /// Object ids of the principals that may change it.
    pub owners: Vec<String>,
}

pub struct Password {
    pub key_id: String,
    pub display_name: Option<String>,
    pub secret: Secret,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
}

impl Password {
    pub fn expired(&self, now: OffsetDateTime) -> bool {
        self.end <= now
    }
}

#[derive(Clone)]
pub struct Federated {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
    pub description: Option<String>,
}

pub struct ServicePrincipal {
    pub object_id: String,
    pub app_id: String,
    pub tenant: String,
    pub display_name: String,
    pub created: OffsetDateTime,
    /// Until then, Resource Manager and the token endpoint do not see it
    /// (replication); `None`: always visible.
    pub visible_at: Option<Instant>,
    pub can_create_apps: bool,
    /// A managed identity's principal (Graph's `servicePrincipalType:
    /// ManagedIdentity`), not an app registration's.
    pub managed_identity: bool,
}

impl ServicePrincipal {
    pub fn replicated(&self) -> bool {
        self.visible_at.is_none_or(|t| Instant::now() >= t)
    }
}

#[derive(Clone)]
pub struct User {
    pub object_id: String,
    /// The user principal name.
    pub upn: String,
    pub tenant: String,
    pub display_name: String,
    /// The scenario's `access_token`, accepted as is.
    pub static_token: Secret,
    pub password: Option<Secret>,
    pub can_create_apps: bool,
}

pub struct Assignment {
    /// The assignment's GUID (the last segment of its id).
    pub name: String,
    /// `/subscriptions/{id}` or below, as written.
    pub scope: String,
    pub role: &'static RoleDef,
    pub principal_id: String,
    pub principal_type: String,
    pub created: OffsetDateTime,
    pub created_by: Option<String>,
}

pub struct ResourceGroup {
    pub subscription: String,
    pub name: String,
    pub location: String,
    pub tags: serde_json::Value,
}

/// A principal, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    ServicePrincipal,
    User,
}

impl Kind {
    /// ARM's `principalType`.
    pub fn arm_name(self) -> &'static str {
        match self {
            Kind::ServicePrincipal => "ServicePrincipal",
            Kind::User => "User",
        }
    }
}

#[derive(Default)]
pub struct Directory {
    pub apps: Vec<Application>,
    pub principals: Vec<ServicePrincipal>,
    pub users: Vec<User>,
    pub assignments: Vec<Assignment>,
    pub groups: Vec<ResourceGroup>,
}

/// The object id a scenario gives an app's service principal.
pub fn sp_object_id(app: &scenario::App) -> String {
    app.object_id
        .clone()
        .unwrap_or_else(|| derived_guid(&app.client_id))
}

/// The object id a scenario gives a user.
pub fn user_object_id(c: &scenario::CliSession) -> String {
    c.object_id.clone().unwrap_or_else(|| derived_guid(&c.name))
}

impl Directory {
    /// The scenario's directory; scenario secrets never expire unless marked.
    pub fn seed(sc: &Scenario) -> Directory {
        let seed = Seed {
            sc,
            now: OffsetDateTime::now_utc(),
        };
        Directory {
            apps: sc.apps.iter().map(|a| seed.application(a)).collect(),
            principals: sc
                .apps
                .iter()
                .filter(|a| a.service_principal)
                .map(|a| seed.principal(a))
                .chain(sc.managed_identities.iter().map(|m| seed.identity(m)))
                .collect(),
            users: sc.cli_sessions.iter().map(|c| seed.user(c)).collect(),
            assignments: sc
                .role_assignments
                .iter()
                .map(|r| seed.assignment(r))
                .collect(),
            groups: Vec::new(),
        }
    }

    pub fn app_by_client_id(&self, tenant: &str, client_id: &str) -> Option<&Application> {
        self.apps
            .iter()
            .find(|a| a.tenant == tenant && a.app_id.eq_ignore_ascii_case(client_id))
    }

    pub fn principal_for_app(&self, tenant: &str, app_id: &str) -> Option<&ServicePrincipal> {
        self.principals
            .iter()
            .find(|p| p.tenant == tenant && p.app_id.eq_ignore_ascii_case(app_id))
    }

    pub fn user_by_upn(&self, upn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.upn.eq_ignore_ascii_case(upn))
    }

    /// What kind of principal `object_id` is; `replicated_only` hides
    /// service principals Resource Manager cannot see yet.
    pub fn kind_of(&self, object_id: &str, replicated_only: bool) -> Option<Kind> {
        if self.principals.iter().any(|p| {
            p.object_id.eq_ignore_ascii_case(object_id) && (!replicated_only || p.replicated())
        }) {
            Some(Kind::ServicePrincipal)
        } else if self
            .users
            .iter()
            .any(|u| u.object_id.eq_ignore_ascii_case(object_id))
        {
            Some(Kind::User)
        } else {
            None
        }
    }

    /// The roles `principal` holds at `scope` (assigned there or above).
    pub fn roles_at(&self, principal: &str, scope: &str) -> Vec<&'static RoleDef> {
        self.assignments
            .iter()
            .filter(|a| a.principal_id.eq_ignore_ascii_case(principal) && covers(&a.scope, scope))
            .map(|a| a.role)
            .collect()
    }

    /// Whether `principal` has any role in the subscription (at any scope in
    /// it or above), which is what lets it see the subscription.
    pub fn sees_subscription(&self, principal: &str, subscription: &str) -> bool {
        let sub = format!("/subscriptions/{subscription}");
        self.assignments.iter().any(|a| {
            a.principal_id.eq_ignore_ascii_case(principal)
                && (covers(&a.scope, &sub) || covers(&sub, &a.scope))
        })
    }

    pub fn allows(&self, principal: &str, scope: &str, action: &str) -> bool {
        roles::allows(&self.roles_at(principal, scope), action)
    }
}

/// Builds the directory's objects from the scenario, all created `now`.
struct Seed<'a> {
    sc: &'a Scenario,
    now: OffsetDateTime,
}

impl Seed<'_> {
    /// The object id of a scenario principal: an app's client id (its
    /// service principal) or a cli session's name.
    fn object_id_of(&self, name: &str) -> String {
        self.sc
            .apps
            .iter()
            .find(|a| a.client_id == name)
            .map(sp_object_id)
            .or_else(|| {
                self.sc
                    .cli_sessions
                    .iter()
                    .find(|c| c.name == name)
                    .map(user_object_id)
            })
            .or_else(|| {
                self.sc
                    .managed_identities
                    .iter()
                    .find(|m| m.client_id == name)
                    .map(crate::identity::object_id)
            })
            .unwrap_or_else(|| derived_guid(name))
    }

    fn user(&self, c: &scenario::CliSession) -> User {
        User {
            object_id: user_object_id(c),
            upn: c.name.clone(),
            tenant: c.tenant.clone(),
            display_name: c.display_name.clone().unwrap_or_else(|| c.name.clone()),
            static_token: c.access_token.clone(),
            password: c.password.clone(),
            can_create_apps: c.can_create_apps,
        }
    }

    fn application(&self, a: &scenario::App) -> Application {
        Application {
            object_id: derived_guid(&format!("application:{}", a.client_id)),
            app_id: a.client_id.clone(),
            tenant: a.tenant.clone(),
            display_name: app_display_name(a),
            created: self.now,
            sign_in_audience: "AzureADMyOrg".into(),
            passwords: self.passwords(a),
            federated: federated(a),
            owners: a.owners.iter().map(|o| self.object_id_of(o)).collect(),
        }
    }

    /// The app's secrets: started a month ago, ending in two years or, if
    /// marked expired, yesterday.
    fn passwords(&self, a: &scenario::App) -> Vec<Password> {
        a.secrets
            .iter()
            .enumerate()
            .map(|(i, s)| Password {
                key_id: s
                    .id
                    .clone()
                    .unwrap_or_else(|| derived_guid(&format!("secret:{}:{i}", a.client_id))),
                display_name: None,
                secret: s.value.clone(),
                start: self.now - time::Duration::days(30),
                end: if s.expired {
                    self.now - time::Duration::days(1)
                } else {
                    self.now + time::Duration::days(730)
                },
            })
            .collect()
    }

    fn principal(&self, a: &scenario::App) -> ServicePrincipal {
        ServicePrincipal {
            object_id: sp_object_id(a),
            app_id: a.client_id.clone(),
            tenant: a.tenant.clone(),
            display_name: app_display_name(a),
            created: self.now,
            visible_at: None,
            can_create_apps: a.can_create_apps,
            managed_identity: false,
        }
    }

    /// A managed identity's service principal (what Graph lists with
    /// `servicePrincipalType: ManagedIdentity` in Azure).
    fn identity(&self, m: &scenario::ManagedIdentity) -> ServicePrincipal {
        ServicePrincipal {
            object_id: crate::identity::object_id(m),
            app_id: m.client_id.clone(),
            tenant: m.tenant.clone(),
            display_name: m.name.clone().unwrap_or_else(|| m.client_id.clone()),
            created: self.now,
            visible_at: None,
            can_create_apps: false,
            managed_identity: true,
        }
    }

    fn assignment(&self, r: &scenario::RoleAssignment) -> Assignment {
        let kind = if self.sc.apps.iter().any(|a| a.client_id == r.principal)
            || self
                .sc
                .managed_identities
                .iter()
                .any(|m| m.client_id == r.principal)
        {
            Kind::ServicePrincipal
        } else {
            Kind::User
        };
        Assignment {
            name: derived_guid(&format!(
                "assignment:{}:{}:{:?}",
                r.principal, r.subscription, r.role
            )),
            scope: format!("/subscriptions/{}", r.subscription),
            role: roles::of(r.role),
            principal_id: self.object_id_of(&r.principal),
            principal_type: kind.arm_name().into(),
            created: self.now,
            created_by: None,
        }
    }
}

/// A scenario app's display name, its client id when it has none.
fn app_display_name(a: &scenario::App) -> String {
    a.display_name
        .clone()
        .unwrap_or_else(|| a.client_id.clone())
}

/// The app's federated subjects, each trusted from GitHub's issuer.
fn federated(a: &scenario::App) -> Vec<Federated> {
    a.federated_subjects
        .iter()
        .enumerate()
        .map(|(i, subject)| Federated {
            id: derived_guid(&format!("federated:{}:{i}", a.client_id)),
            name: format!("scenario-{}", i + 1),
            issuer: github::ISSUER.into(),
            subject: subject.clone(),
            // The scenario's subjects hold in every cloud.
            audiences: github::AUDIENCES.iter().map(|s| s.to_string()).collect(),
            description: None,
        })
        .chain(a.federated.iter().enumerate().map(|(i, f)| Federated {
            id: derived_guid(&format!("federated-other:{}:{i}", a.client_id)),
            name: format!("scenario-other-{}", i + 1),
            issuer: f.issuer.clone(),
            subject: f.subject.clone(),
            audiences: if f.audiences.is_empty() {
                github::AUDIENCES.iter().map(|s| s.to_string()).collect()
            } else {
                f.audiences.clone()
            },
            description: None,
        }))
        .collect()
}

/// Whether `outer` is `inner` or one of its ancestors (`/` covers all).
pub fn covers(outer: &str, inner: &str) -> bool {
    let (o, i) = (
        outer.trim_end_matches('/').to_ascii_lowercase(),
        inner.trim_end_matches('/').to_ascii_lowercase(),
    );
    o.is_empty() || i == o || (i.starts_with(&o) && i.as_bytes().get(o.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_cover_their_descendants_only() {
        assert!(covers("/", "/subscriptions/a"));
        assert!(covers(
            "/subscriptions/a",
            "/subscriptions/A/resourceGroups/x"
        ));
        assert!(covers("/subscriptions/a/", "/subscriptions/a"));
        assert!(!covers("/subscriptions/a", "/subscriptions/ab"));
        assert!(!covers(
            "/subscriptions/a/resourceGroups/x",
            "/subscriptions/a"
        ));
    }

    #[test]
    fn the_demo_seeds_principals_roles_and_secrets() {
        let d = Directory::seed(&Scenario::demo());
        let sp = d
            .principal_for_app(crate::demo::TENANT_ID, crate::demo::CLIENT_ID)
            .expect("deployer");
        let prod = format!("/subscriptions/{}", crate::demo::PROD_SUBSCRIPTION_ID);
        assert_eq!(d.roles_at(&sp.object_id, &prod)[0].name, "Contributor");
        assert!(d.sees_subscription(&sp.object_id, crate::demo::PROD_SUBSCRIPTION_ID));
        assert!(!d.sees_subscription(&sp.object_id, crate::demo::UNASSIGNED_SUBSCRIPTION_ID));
        assert_eq!(d.kind_of(&sp.object_id, true), Some(Kind::ServicePrincipal));
        let expired = d
            .app_by_client_id(crate::demo::TENANT_ID, crate::demo::EXPIRED_CLIENT_ID)
            .expect("expired app");
        assert!(expired.passwords[0].expired(OffsetDateTime::now_utc()));
        // The machine's identity: a principal with roles, no app registration.
        let mi = d
            .principal_for_app(crate::demo::TENANT_ID, crate::demo::MI_CLIENT_ID)
            .expect("managed identity");
        assert!(mi.managed_identity && !sp.managed_identity);
        assert_eq!(d.roles_at(&mi.object_id, &prod)[0].name, "Contributor");
        assert!(
            d.app_by_client_id(crate::demo::TENANT_ID, crate::demo::MI_CLIENT_ID)
                .is_none()
        );
    }
}
