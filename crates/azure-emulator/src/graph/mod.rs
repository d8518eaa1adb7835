//! Microsoft Graph at `{base}/graph/v1.0` (and `/beta`), what app
//! registration and the Azure CLI need: applications with passwords and
//! federated identity credentials ([`apps`]), service principals, users,
//! `me` and `directoryObjects/getByIds` ([`principals`]). Callers see their
//! own tenant; reads need a Graph token, writes the rights the scenario
//! gives (`can_create_apps`, ownership).

mod apps;
mod filter;
mod principals;

use crate::auth::{self, Caller, Denied};
use crate::directory::{Directory, Kind};
use crate::http::{Reply, Req};
use crate::ids::is_guid;
use crate::resources::Api;
use crate::state::{State, random_guid, rfc3339};
use serde_json::{Value, json};

/// An entity set and the key that picks one of its members.
pub struct Segment<'a> {
    pub name: &'a str,
    /// `applications(appId='...')`.
    pub alt_key: Option<(&'a str, String)>,
}

pub fn is_graph(path: &str) -> bool {
    let p = path.trim_start_matches('/');
    p.get(..6).is_some_and(|g| g.eq_ignore_ascii_case("graph/"))
}

pub fn handle(state: &State, req: &Req) -> Reply {
    let rest = req.path.trim_start_matches('/')[6..].trim_end_matches('/');
    let mut segs = rest.split('/');
    let version = segs.next().unwrap_or_default();
    if !["v1.0", "beta"].contains(&version) {
        return error(
            400,
            "BadRequest",
            &format!("Invalid version: {version}. Use /graph/v1.0 or /graph/beta."),
        );
    }
    let segs: Vec<Segment<'_>> = segs.map(segment).collect();
    let caller = match authenticate(state, req) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let ctx = Ctx {
        state,
        req,
        caller: &caller,
        context: format!("{}/graph/{version}/$metadata", state.base_url),
    };
    let reply = match segs.first().map(|s| s.name.to_ascii_lowercase()).as_deref() {
        Some("applications") => apps::handle(&ctx, &segs),
        Some("serviceprincipals" | "users" | "me" | "directoryobjects") => {
            principals::handle(&ctx, &segs)
        }
        _ => Err(not_found_path(&req.path)),
    };
    match reply {
        Ok(r) | Err(r) => r.principal(caller.name.clone()),
    }
}

/// What every Graph handler needs.
pub struct Ctx<'a> {
    pub state: &'a State,
    pub req: &'a Req,
    pub caller: &'a Caller,
    /// `{base}/graph/v1.0/$metadata`, for `@odata.context`.
    pub context: String,
}

impl Ctx<'_> {
    /// Whether the caller may register applications.
    pub fn can_create_apps(&self, dir: &Directory) -> bool {
        match self.caller.kind {
            Kind::User => dir
                .users
                .iter()
                .any(|u| u.object_id == self.caller.object_id && u.can_create_apps),
            Kind::ServicePrincipal => dir
                .principals
                .iter()
                .any(|p| p.object_id == self.caller.object_id && p.can_create_apps),
        }
    }

    pub fn body(&self) -> Result<Value, Reply> {
        serde_json::from_slice(&self.req.body).map_err(|e| {
            error(
                400,
                "BadRequest",
                &format!("Unable to read JSON request payload: {e}."),
            )
        })
    }

    /// A collection reply, `$filter` and `$top` applied.
    pub fn list(&self, set: &str, items: Vec<Value>) -> Result<Reply, Reply> {
        let clauses = match self.req.query("$filter") {
            Some(f) if !f.trim().is_empty() => filter::parse(f).ok_or_else(|| {
                error(
                    400,
                    "Request_UnsupportedQuery",
                    "Unsupported or invalid query filter clause specified.",
                )
            })?,
            _ => vec![],
        };
        let top = self
            .req
            .query("$top")
            .and_then(|t| t.parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        let value: Vec<Value> = items
            .into_iter()
            .filter(|v| filter::matches(&clauses, v))
            .take(top)
            .collect();
        Ok(Reply::json(
            200,
            &json!({ "@odata.context": format!("{}#{set}", self.context), "value": value }),
        ))
    }

    /// One entity, with its `@odata.context`.
    pub fn entity(&self, status: u16, set: &str, mut v: Value) -> Reply {
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "@odata.context".into(),
                json!(format!("{}#{set}/$entity", self.context)),
            );
        }
        Reply::json(status, &v)
    }

    pub fn denied(&self) -> Reply {
        error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }
}

/// The strings of a JSON array (other items skipped); empty when `v` is
/// not an array.
fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// `name` or `name(key='value')`.
fn segment(s: &str) -> Segment<'_> {
    if let Some((name, rest)) = s.split_once('(')
        && let Some(inner) = rest.strip_suffix(')')
        && let Some((key, value)) = inner.split_once('=')
    {
        let value = crate::http::decode_pairs(&format!("v={value}"))
            .pop()
            .map(|(_, v)| v)
            .unwrap_or_default();
        let value = value.trim_matches('\'').replace("''", "'");
        return Segment {
            name,
            alt_key: Some((key, value)),
        };
    }
    Segment {
        name: s,
        alt_key: None,
    }
}

fn authenticate(state: &State, req: &Req) -> Result<Caller, Reply> {
    auth::authenticate(state, req, Api::Graph).map_err(|d| {
        let message = match d {
            Denied::Missing => "Access token is empty.".to_owned(),
            Denied::Invalid | Denied::Issuer(_) => "Access token validation failure.".to_owned(),
            Denied::Expired { .. } => "Lifetime validation failed, the token is expired.".to_owned(),
            Denied::NotYetValid { .. } => "Lifetime validation failed, the token is not yet valid.".to_owned(),
            Denied::Audience(_) => "Access token validation failure. Invalid audience.".to_owned(),
        };
        error(401, "InvalidAuthenticationToken", &message).header(
            "www-authenticate",
            format!(
                "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
                state.base_url
            ),
        )
    })
}

/// Graph's error body, with its `innerError` ids.
pub fn error(status: u16, code: &str, message: &str) -> Reply {
    let id = random_guid();
    Reply::json(
        status,
        &json!({ "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": rfc3339(time::OffsetDateTime::now_utc()).trim_end_matches('Z'),
                "request-id": id,
                "client-request-id": id,
            },
        }}),
    )
    .error_code(code)
}

pub fn not_found(id: &str) -> Reply {
    error(
        404,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

fn not_found_path(path: &str) -> Reply {
    error(
        400,
        "BadRequest",
        &format!("Resource not found for the segment in '{path}'."),
    )
}

pub fn method_not_allowed() -> Reply {
    error(
        405,
        "Request_BadRequest",
        "The HTTP method is not supported on this resource.",
    )
}

/// Graph's request ids on every reply (the client's echoed).
pub fn with_ids(reply: Reply, req: &Req) -> Reply {
    let id = random_guid();
    let client = req
        .headers
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_guid(v))
        .map_or_else(|| id.clone(), str::to_owned);
    reply
        .header("request-id", id)
        .header("client-request-id", client)
}
