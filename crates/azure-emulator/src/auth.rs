//! Who is calling Resource Manager or Graph: the bearer token, judged the
//! way those services judge Entra ID's tokens — signature (the emulator's
//! JWKS key), issuer, tenant, lifetime (five minutes of clock skew) and
//! audience — or a scenario user's literal `access_token`.

use crate::directory::Kind;
use crate::http::Req;
use crate::jwt::JwtError;
use crate::resources::{Api, api_of};
use crate::state::{State, unix_now};
use serde_json::Value;

/// What Microsoft.IdentityModel allows between clocks.
const SKEW: i64 = 300;

#[derive(Debug, Clone)]
pub struct Caller {
    pub kind: Kind,
    /// The client id (service principal) or user principal name: what
    /// Resource Manager's messages call "the client".
    pub name: String,
    pub object_id: String,
    /// The tenant id the token was issued in.
    pub tenant: String,
    /// The issuer, for messages.
    pub issuer: String,
}

/// Why a token was refused.
#[derive(Debug)]
pub enum Denied {
    Missing,
    /// Not a token we issued: malformed, forged, signed by another key.
    Invalid,
    Expired {
        exp: i64,
    },
    NotYetValid {
        nbf: i64,
    },
    Audience(String),
    Issuer(String),
}

pub fn authenticate(state: &State, req: &Req, api: Api) -> Result<Caller, Denied> {
    let token = req.bearer().ok_or(Denied::Missing)?;
    if let Some(c) = literal_token(state, token) {
        return Ok(c);
    }
    let claims = state.signing.verify(token).map_err(|e| match e {
        JwtError::Malformed | JwtError::BadSignature => Denied::Invalid,
    })?;
    judge(state, &claims, api)
}

/// A scenario user's `access_token`, valid for every API.
fn literal_token(state: &State, token: &str) -> Option<Caller> {
    let dir = state.directory();
    let u = dir
        .users
        .iter()
        .find(|u| u.static_token.expose() == token)?;
    Some(Caller {
        kind: Kind::User,
        name: u.upn.clone(),
        object_id: u.object_id.clone(),
        tenant: u.tenant.clone(),
        issuer: state.issuer(&u.tenant),
    })
}

/// The claims checks, in the order the services make them.
fn judge(state: &State, claims: &Value, api: Api) -> Result<Caller, Denied> {
    let text = |k: &str| claims[k].as_str().unwrap_or_default().to_owned();
    let (tid, iss) = (text("tid"), text("iss"));
    if state.scenario.tenant(&tid).is_none()
        || !(iss == state.issuer(&tid) || iss == format!("{}/{tid}/", state.alt_base_url))
    {
        return Err(Denied::Issuer(iss));
    }
    let now = unix_now();
    let exp = claims["exp"].as_i64().ok_or(Denied::Invalid)?;
    if exp + SKEW <= now {
        return Err(Denied::Expired { exp });
    }
    let nbf = claims["nbf"].as_i64().unwrap_or(0);
    if nbf > now + SKEW {
        return Err(Denied::NotYetValid { nbf });
    }
    let aud = text("aud");
    if api_of(state, &aud) != Some(api) {
        return Err(Denied::Audience(aud));
    }
    let (kind, name) = match claims["idtyp"].as_str() {
        Some("app") => (Kind::ServicePrincipal, text("appid")),
        Some("user") => (Kind::User, text("upn")),
        _ => return Err(Denied::Invalid),
    };
    let object_id = text("oid");
    if object_id.is_empty() || name.is_empty() {
        return Err(Denied::Invalid);
    }
    Ok(Caller {
        kind,
        name,
        object_id,
        tenant: tid,
        issuer: iss,
    })
}

/// `2024-05-01T12:00:00.0000000Z`, as Resource Manager quotes token times.
pub fn arm_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.0000000Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_else(|_| unix.to_string())
}
