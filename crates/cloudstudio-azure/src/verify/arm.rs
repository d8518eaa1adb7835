//! Resource Manager reads, issued concurrently once the token is in hand:
//! the subscription (state, tenant) and the caller's effective permissions
//! at subscription scope.

use super::cloud::Endpoints;
use super::error::VerifyError;
use super::fixes;
use super::http::{Http, Reply, retryable_status};
use super::rbac::Permission;
use crate::secret::Secret;
use crate::untrusted;
use serde::Deserialize;

const SUBSCRIPTION_API: &str = "2022-12-01";
const PERMISSIONS_API: &str = "2022-04-01";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    pub tenant_id: Option<String>,
    pub display_name: Option<String>,
    pub state: Option<String>,
    /// Tenants the subscription is delegated to (Azure Lighthouse).
    #[serde(default)]
    pub managed_by_tenants: Vec<ManagedBy>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedBy {
    pub tenant_id: Option<String>,
}

impl Subscription {
    /// Whether the subscription is delegated to `tenant` (lowercase GUID).
    pub fn delegated_to(&self, tenant: &str) -> bool {
        self.managed_by_tenants
            .iter()
            .filter_map(|m| m.tenant_id.as_deref())
            .any(|t| t.eq_ignore_ascii_case(tenant))
    }
}

impl Subscription {
    /// The service's strings, safe to print (a display name is anyone's text).
    fn made_printable(self) -> Subscription {
        let clean = |s: Option<String>| s.map(|s| untrusted::text_capped(&s, 100));
        Subscription {
            tenant_id: clean(self.tenant_id),
            display_name: clean(self.display_name),
            state: clean(self.state),
            managed_by_tenants: self.managed_by_tenants,
        }
    }
}

/// An error Resource Manager answered with.
#[derive(Debug, Clone)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
}

pub type Read<T> = Result<Result<T, ArmError>, VerifyError>;

pub async fn read(
    http: &Http,
    endpoints: &Endpoints,
    token: &Secret,
    subscription_id: &str,
) -> (Read<Subscription>, Read<Vec<Permission>>) {
    // The id is a validated GUID: safe in a path as it is.
    let sub_url = format!("{}/subscriptions/{subscription_id}", endpoints.arm);
    let perm_url = format!("{sub_url}/providers/Microsoft.Authorization/permissions");
    const SUB_READ: &str = "the Resource Manager subscription read";
    const PERM_READ: &str = "the Resource Manager permissions read";
    let get = |url: &str, api: &'static str, c: &reqwest::Client| {
        c.get(url)
            .query(&[("api-version", api)])
            .bearer_auth(token.expose())
    };
    let sub = http.send(SUB_READ, |c| get(&sub_url, SUBSCRIPTION_API, c));
    let perms = http.send(PERM_READ, |c| get(&perm_url, PERMISSIONS_API, c));
    let (sub, perms) = tokio::join!(sub, perms);
    (
        sub.and_then(|r| {
            parse(r, SUB_READ, |j| {
                serde_json::from_value::<Subscription>(j)
                    .ok()
                    .map(Subscription::made_printable)
            })
        }),
        perms.and_then(|r| {
            parse(r, PERM_READ, |j| {
                serde_json::from_value::<Vec<Permission>>(j.get("value")?.clone()).ok()
            })
        }),
    )
}

pub(super) fn parse<T>(
    reply: Reply,
    what: &'static str,
    body: impl FnOnce(serde_json::Value) -> Option<T>,
) -> Read<T> {
    let json = reply.json();
    if reply.status == 200 {
        return json.and_then(body).map(Ok).ok_or(VerifyError::Service {
            service: what,
            status: 200,
            attempts: reply.attempts,
            detail: "the response is not the expected JSON".into(),
        });
    }
    // Service text: printed later, so made safe to print here, once.
    let code = untrusted::text_capped(
        json.as_ref()
            .and_then(|j| j["error"]["code"].as_str())
            .unwrap_or(""),
        100,
    );
    let message = untrusted::text(
        json.as_ref()
            .and_then(|j| j["error"]["message"].as_str())
            .unwrap_or(""),
    );
    if retryable_status(reply.status) {
        let mut detail = if code.is_empty() {
            message
        } else {
            format!("{code}: {message}")
        };
        if let Some(note) = &reply.note {
            detail = format!("{detail} ({note})");
        }
        return Err(VerifyError::Service {
            service: what,
            status: reply.status,
            attempts: reply.attempts,
            detail,
        });
    }
    Ok(Err(ArmError {
        status: reply.status,
        code,
        message: fixes::first_line(&message),
    }))
}
