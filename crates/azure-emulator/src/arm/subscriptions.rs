//! `GET /subscriptions`, `/subscriptions/{id}`, `/tenants` and
//! `/subscriptions/{id}/locations`: what a principal can see is what it
//! holds a role in.

use super::{arm_error, forbidden, method_not_allowed, subscription};
use crate::auth::Caller;
use crate::http::{Reply, Req};
use crate::scenario::Subscription;
use crate::state::State;
use serde_json::{Value, json};

/// The regions the emulator offers (name, display name, geography).
pub const LOCATIONS: [(&str, &str, &str); 10] = [
    ("eastus", "East US", "US"),
    ("eastus2", "East US 2", "US"),
    ("westus2", "West US 2", "US"),
    ("centralus", "Central US", "US"),
    ("northeurope", "North Europe", "Europe"),
    ("westeurope", "West Europe", "Europe"),
    ("uksouth", "UK South", "UK"),
    ("swedencentral", "Sweden Central", "Europe"),
    ("southeastasia", "Southeast Asia", "Asia Pacific"),
    ("australiaeast", "Australia East", "Asia Pacific"),
];

fn only_get(req: &Req) -> Result<(), Reply> {
    if req.method == "GET" {
        Ok(())
    } else {
        Err(method_not_allowed(&req.method))
    }
}

/// A subscription as `GET /subscriptions/{id}` shows it to `caller`.
fn body(caller: &Caller, sub: &Subscription) -> Value {
    // A principal from another tenant with a role here is a Lighthouse-style
    // delegation: ARM lists its home tenant under managedByTenants.
    let managed_by: Vec<_> = if caller.tenant == sub.tenant {
        vec![]
    } else {
        vec![json!({ "tenantId": caller.tenant })]
    };
    json!({
        "id": format!("/subscriptions/{}", sub.id),
        "authorizationSource": "RoleBased",
        "managedByTenants": managed_by,
        "subscriptionId": sub.id,
        "tenantId": sub.tenant,
        "displayName": sub.name,
        "state": sub.state,
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    })
}

pub fn get(state: &State, req: &Req, caller: &Caller, id: &str) -> Result<Reply, Reply> {
    only_get(req)?;
    let sub = subscription(state, caller, id)?;
    if !state
        .directory()
        .sees_subscription(&caller.object_id, &sub.id)
    {
        return Err(forbidden(
            caller,
            "Microsoft.Resources/subscriptions/read",
            &format!("/subscriptions/{}", sub.id),
        ));
    }
    Ok(Reply::json(200, &body(caller, sub)))
}

pub fn list(state: &State, req: &Req, caller: &Caller) -> Result<Reply, Reply> {
    only_get(req)?;
    let dir = state.directory();
    let value: Vec<Value> = state
        .scenario
        .subscriptions
        .iter()
        .filter(|s| dir.sees_subscription(&caller.object_id, &s.id))
        .map(|s| body(caller, s))
        .collect();
    let n = value.len();
    Ok(Reply::json(
        200,
        &json!({ "value": value, "count": { "type": "Total", "value": n } }),
    ))
}

/// The caller's home tenant (the one its token is from).
pub fn tenants(state: &State, req: &Req, caller: &Caller) -> Result<Reply, Reply> {
    only_get(req)?;
    let value: Vec<Value> = state
        .scenario
        .tenants
        .iter()
        .filter(|t| t.id == caller.tenant)
        .map(|t| {
            let domain = t
                .domain
                .clone()
                .unwrap_or_else(|| format!("{}.onmicrosoft.com", &t.id[..8]));
            json!({
                "id": format!("/tenants/{}", t.id),
                "tenantId": t.id,
                "countryCode": "US",
                "displayName": t.display_name.clone().unwrap_or_else(|| domain.clone()),
                "domains": [domain],
                "tenantCategory": "Home",
                "defaultDomain": domain,
                "tenantType": "AAD",
            })
        })
        .collect();
    Ok(Reply::json(200, &json!({ "value": value })))
}

pub fn locations(state: &State, req: &Req, caller: &Caller, id: &str) -> Result<Reply, Reply> {
    only_get(req)?;
    let sub = subscription(state, caller, id)?;
    if !state
        .directory()
        .sees_subscription(&caller.object_id, &sub.id)
    {
        return Err(forbidden(
            caller,
            "Microsoft.Resources/subscriptions/locations/read",
            &format!("/subscriptions/{}", sub.id),
        ));
    }
    let value: Vec<Value> = LOCATIONS
        .iter()
        .map(|(name, display, geo)| {
            json!({
                "id": format!("/subscriptions/{}/locations/{name}", sub.id),
                "name": name,
                "type": "Region",
                "displayName": display,
                "regionalDisplayName": format!("({geo}) {display}"),
                "metadata": {
                    "regionType": "Physical",
                    "regionCategory": "Recommended",
                    "geographyGroup": geo,
                },
            })
        })
        .collect();
    Ok(Reply::json(200, &json!({ "value": value })))
}

/// `Err` unless `name` is one of [`LOCATIONS`] (any case, spaces ignored).
pub fn known_location(location: &str) -> Result<&'static str, Reply> {
    let wanted: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    LOCATIONS
        .iter()
        .find(|(n, _, _)| *n == wanted)
        .map(|(n, _, _)| *n)
        .ok_or_else(|| {
            let all: Vec<&str> = LOCATIONS.iter().map(|(n, _, _)| *n).collect();
            arm_error(
                400,
                "LocationNotAvailableForResourceGroup",
                format!(
                    "The provided location '{location}' is not available for resource group. List of available regions is '{}'.",
                    all.join(",")
                ),
            )
        })
}
