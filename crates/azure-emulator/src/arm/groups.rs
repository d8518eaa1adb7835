//! Resource groups: `PUT`/`GET`/`HEAD`/`DELETE
//! /subscriptions/{id}/resourcegroups/{name}` and the list, each behind the
//! RBAC action Azure checks for it.

use super::subscriptions::known_location;
use super::{arm_error, method_not_allowed, require, subscription};
use crate::auth::Caller;
use crate::directory::{ResourceGroup, covers};
use crate::http::{Reply, Req};
use crate::scenario::SubscriptionState;
use crate::state::State;
use serde_json::{Value, json};

const READ: &str = "Microsoft.Resources/subscriptions/resourceGroups/read";
const WRITE: &str = "Microsoft.Resources/subscriptions/resourcegroups/write";
const DELETE: &str = "Microsoft.Resources/subscriptions/resourcegroups/delete";

fn body(g: &ResourceGroup) -> Value {
    json!({
        "id": format!("/subscriptions/{}/resourceGroups/{}", g.subscription, g.name),
        "name": g.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": g.location,
        "tags": g.tags,
        "properties": { "provisioningState": "Succeeded" },
    })
}

pub fn list(state: &State, req: &Req, caller: &Caller, sub: &str) -> Result<Reply, Reply> {
    if req.method != "GET" {
        return Err(method_not_allowed(&req.method));
    }
    let sub = subscription(state, caller, sub)?;
    let scope = format!("/subscriptions/{}", sub.id);
    require(state, caller, &scope, READ)?;
    let dir = state.directory();
    let value: Vec<Value> = dir
        .groups
        .iter()
        .filter(|g| g.subscription == sub.id)
        .map(body)
        .collect();
    Ok(Reply::json(200, &json!({ "value": value })))
}

pub fn one(
    state: &State,
    req: &Req,
    caller: &Caller,
    sub: &str,
    name: &str,
) -> Result<Reply, Reply> {
    let sub = subscription(state, caller, sub)?;
    // The scope as the client wrote it, as ARM quotes it back.
    let scope = req.path.trim_end_matches('/').to_owned();
    let find = |groups: &[ResourceGroup]| {
        groups
            .iter()
            .position(|g| g.subscription == sub.id && g.name.eq_ignore_ascii_case(name))
    };
    let not_found = || {
        arm_error(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        )
    };
    match req.method.as_str() {
        "GET" | "HEAD" => {
            require(state, caller, &scope, READ)?;
            let dir = state.directory();
            let i = find(&dir.groups).ok_or_else(not_found)?;
            Ok(if req.method == "HEAD" {
                Reply::empty(204)
            } else {
                Reply::json(200, &body(&dir.groups[i]))
            })
        }
        "PUT" => {
            require(state, caller, &scope, WRITE)?;
            writable(sub)?;
            check_name(name)?;
            let input: Value = serde_json::from_slice(&req.body).map_err(|e| {
                arm_error(
                    400,
                    "InvalidRequestContent",
                    format!(
                        "The request content was invalid and could not be deserialized: '{e}'."
                    ),
                )
            })?;
            let location = input["location"]
                .as_str()
                .filter(|l| !l.is_empty())
                .ok_or_else(|| {
                    arm_error(
                        400,
                        "LocationRequired",
                        "The location property is required for this definition.",
                    )
                })?;
            let location = known_location(location)?;
            let tags = match &input["tags"] {
                Value::Object(_) => input["tags"].clone(),
                _ => json!({}),
            };
            let mut dir = state.directory();
            match find(&dir.groups) {
                Some(i) => {
                    let g = &mut dir.groups[i];
                    if g.location != location {
                        return Err(arm_error(
                            409,
                            "InvalidResourceGroupLocation",
                            format!(
                                "Invalid resource group location '{location}'. The Resource group already exists in location '{}'.",
                                g.location
                            ),
                        ));
                    }
                    g.tags = tags;
                    Ok(Reply::json(200, &body(g)))
                }
                None => {
                    let g = ResourceGroup {
                        subscription: sub.id.clone(),
                        name: name.to_owned(),
                        location: location.to_owned(),
                        tags,
                    };
                    let reply = Reply::json(201, &body(&g));
                    dir.groups.push(g);
                    Ok(reply)
                }
            }
        }
        "DELETE" => {
            require(state, caller, &scope, DELETE)?;
            writable(sub)?;
            let mut dir = state.directory();
            let i = find(&dir.groups).ok_or_else(not_found)?;
            let g = dir.groups.remove(i);
            // Deleting a group deletes what was assigned in it.
            let group_scope = format!(
                "/subscriptions/{}/resourceGroups/{}",
                g.subscription, g.name
            );
            dir.assignments.retain(|a| !covers(&group_scope, &a.scope));
            // Done at once: no Location header, so clients stop polling.
            Ok(Reply::empty(200))
        }
        other => Err(method_not_allowed(other)),
    }
}

/// Disabled and deleted subscriptions are read-only.
fn writable(sub: &crate::scenario::Subscription) -> Result<(), Reply> {
    match sub.state {
        SubscriptionState::Disabled | SubscriptionState::Deleted => Err(arm_error(
            409,
            "ReadOnlyDisabledSubscription",
            format!(
                "The subscription '{}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.",
                sub.id
            ),
        )),
        _ => Ok(()),
    }
}

/// Azure's rule: 1-90 letters, digits, `_`, `(`, `)`, `-`, `.`; not ending in `.`.
fn check_name(name: &str) -> Result<(), Reply> {
    let ok = (1..=90).contains(&name.chars().count())
        && !name.ends_with('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_()-.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(arm_error(
            400,
            "InvalidResourceGroupName",
            format!(
                "The resource group name '{name}' is invalid: use 1 to 90 letters, digits, underscores, parentheses, hyphens and periods, not ending in a period."
            ),
        ))
    }
}
