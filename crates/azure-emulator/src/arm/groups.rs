//! Resource groups: `PUT`/`GET`/`HEAD`/`DELETE
//! /subscriptions/{id}/resourcegroups/{name}` and the list, each behind the
//! RBAC action Azure checks for it.

use super::subscriptions::known_location;
use super::{arm_error, method_not_allowed, request_json, require, subscription};
use crate::auth::Caller;
use crate::directory::{ResourceGroup, covers};
use crate::http::{Reply, Req};
use crate::scenario::{Subscription, SubscriptionState};
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
    let group = Group {
        sub: subscription(state, caller, sub)?,
        name,
        // The scope as the client wrote it, as ARM quotes it back.
        scope: req.path.trim_end_matches('/'),
    };
    match req.method.as_str() {
        "GET" => get(state, caller, &group).map(|g| Reply::json(200, &g)),
        "HEAD" => get(state, caller, &group).map(|_| Reply::empty(204)),
        "PUT" => put(state, req, caller, &group),
        "DELETE" => delete(state, caller, &group),
        other => Err(method_not_allowed(other)),
    }
}

/// The resource group a request addresses, which may not exist yet.
struct Group<'a> {
    sub: &'a Subscription,
    name: &'a str,
    scope: &'a str,
}

impl Group<'_> {
    fn position(&self, groups: &[ResourceGroup]) -> Option<usize> {
        groups
            .iter()
            .position(|g| g.subscription == self.sub.id && g.name.eq_ignore_ascii_case(self.name))
    }

    fn not_found(&self) -> Reply {
        arm_error(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{}' could not be found.", self.name),
        )
    }
}

/// `GET`/`HEAD`: the group's body.
fn get(state: &State, caller: &Caller, group: &Group) -> Result<Value, Reply> {
    require(state, caller, group.scope, READ)?;
    let dir = state.directory();
    let i = group
        .position(&dir.groups)
        .ok_or_else(|| group.not_found())?;
    Ok(body(&dir.groups[i]))
}

/// `PUT`: creates the group (201) or updates its tags (200); its location
/// cannot change.
fn put(state: &State, req: &Req, caller: &Caller, group: &Group) -> Result<Reply, Reply> {
    require(state, caller, group.scope, WRITE)?;
    writable(group.sub)?;
    check_name(group.name)?;
    let (location, tags) = put_body(req)?;
    let mut dir = state.directory();
    if let Some(i) = group.position(&dir.groups) {
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
        return Ok(Reply::json(200, &body(g)));
    }
    let g = ResourceGroup {
        subscription: group.sub.id.clone(),
        name: group.name.to_owned(),
        location: location.to_owned(),
        tags,
    };
    let reply = Reply::json(201, &body(&g));
    dir.groups.push(g);
    Ok(reply)
}

/// A `PUT` body's known location and its tags (`{}` unless an object).
fn put_body(req: &Req) -> Result<(&'static str, Value), Reply> {
    let input = request_json(req)?;
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
        tags @ Value::Object(_) => tags.clone(),
        _ => json!({}),
    };
    Ok((location, tags))
}

/// `DELETE`: the group and the role assignments in it, at once.
fn delete(state: &State, caller: &Caller, group: &Group) -> Result<Reply, Reply> {
    require(state, caller, group.scope, DELETE)?;
    writable(group.sub)?;
    let mut dir = state.directory();
    let i = group
        .position(&dir.groups)
        .ok_or_else(|| group.not_found())?;
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

/// Disabled and deleted subscriptions are read-only.
fn writable(sub: &Subscription) -> Result<(), Reply> {
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
