//! The role assignment at the subscription scope: listed for the
//! principal first (an existing one, or one at a scope above, is kept),
//! created with `principalType: ServicePrincipal` otherwise (Resource
//! Manager then skips the directory lookup a new principal would fail).

use super::{Denied, ProvisionError, error_of, expect_json};
use crate::secret::Secret;
use crate::verify::Http;
use serde_json::json;

const SERVICE: &str = "Resource Manager";
const API: &str = "2022-04-01";

/// The built-in roles `--role` offers, by their fixed definition ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    Contributor,
    Owner,
    Reader,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Contributor => "Contributor",
            Role::Owner => "Owner",
            Role::Reader => "Reader",
        }
    }

    fn definition(self) -> &'static str {
        match self {
            Role::Contributor => "b24988ac-6180-42a0-ab88-20f7382dd24c",
            Role::Owner => "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
            Role::Reader => "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        }
    }

    /// Whether an assignment of `definition` grants at least this role.
    fn granted_by(self, definition: &str) -> bool {
        let d = definition.to_ascii_lowercase();
        let covering: &[Role] = match self {
            Role::Owner => &[Role::Owner],
            Role::Contributor => &[Role::Contributor, Role::Owner],
            Role::Reader => &[Role::Reader, Role::Contributor, Role::Owner],
        };
        covering.iter().any(|r| d.ends_with(r.definition()))
    }
}

pub struct Roles<'a> {
    pub http: &'a Http,
    /// Resource Manager, no trailing slash.
    pub arm: &'a str,
    pub token: &'a Secret,
}

/// `az role assignment create` for someone who may assign roles.
pub fn admin_command(principal_id: &str, role: Role, scope: &str) -> String {
    format!(
        "  az role assignment create --assignee-object-id {principal_id} --assignee-principal-type ServicePrincipal --role {} --scope {scope}",
        role.name()
    )
}

impl Roles<'_> {
    /// Whether the principal already holds `role` (or one that covers it)
    /// at `scope` or above.
    pub async fn has(
        &self,
        principal_id: &str,
        role: Role,
        scope: &str,
    ) -> Result<bool, ProvisionError> {
        let url = format!(
            "{}{scope}/providers/Microsoft.Authorization/roleAssignments",
            self.arm
        );
        let filter = format!("principalId eq '{principal_id}'");
        let what = "list the role assignments";
        let reply = self
            .http
            .send(what, |c| {
                c.get(&url)
                    .bearer_auth(self.token.expose())
                    .query(&[("api-version", API), ("$filter", filter.as_str())])
            })
            .await?;
        if matches!(reply.status, 401 | 403) {
            // Whoever may not read assignments may not write them either.
            return Err(denied(&reply, principal_id, role, scope));
        }
        let doc = expect_json(&reply, what, SERVICE)?;
        let scope_lc = scope.to_ascii_lowercase();
        Ok(doc["value"].as_array().is_some_and(|v| {
            v.iter().any(|a| {
                let p = &a["properties"];
                let at = p["scope"].as_str().unwrap_or_default().to_ascii_lowercase();
                p["principalId"]
                    .as_str()
                    .is_some_and(|id| id.eq_ignore_ascii_case(principal_id))
                    && (at == scope_lc || at == "/" || scope_lc.starts_with(&format!("{at}/")))
                    && role.granted_by(p["roleDefinitionId"].as_str().unwrap_or_default())
            })
        }))
    }

    /// Creates the assignment; one that appeared meanwhile counts as done.
    pub async fn assign(
        &self,
        principal_id: &str,
        role: Role,
        scope: &str,
        subscription: &str,
    ) -> Result<(), ProvisionError> {
        let name = super::random_guid()?;
        let url = format!(
            "{}{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
            self.arm
        );
        let body = json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{}", role.definition()),
            "principalId": principal_id,
            "principalType": "ServicePrincipal",
        }});
        let what = "assign the role";
        let reply = self
            .http
            .send(what, |c| {
                c.put(&url)
                    .bearer_auth(self.token.expose())
                    .query(&[("api-version", API)])
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string())
            })
            .await?;
        let (code, _) = error_of(&reply);
        match reply.status {
            409 if code == "RoleAssignmentExists" => Ok(()),
            401 | 403 => Err(denied(&reply, principal_id, role, scope)),
            _ => expect_json(&reply, what, SERVICE).map(|_| ()),
        }
    }
}

fn denied(
    reply: &crate::verify::Reply,
    principal_id: &str,
    role: Role,
    scope: &str,
) -> ProvisionError {
    let (code, message) = error_of(reply);
    ProvisionError::Denied {
        denied: Denied::RoleAssignment,
        message: format!(
            "Resource Manager refused to assign {} on {scope}: {code} {message}",
            role.name()
        ),
        admin: admin_command(principal_id, role, scope),
    }
}
