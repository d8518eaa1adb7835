//! The tokens Entra ID signs (RS256, the JWKS key): v1-shaped access
//! tokens for Resource Manager and Graph (`aud`, `iss`, `tid`, `oid`,
//! `appid`, `idtyp`, ...), and for signed-in users an ID token, MSAL's
//! `client_info` and a refresh token (a signed JWT here, opaque in Azure).

use crate::directory::User;
use crate::state::{State, random_b64, unix_now};
use base64::Engine as _;
use serde_json::{Value, json};

/// Entra's default access-token lifetime as clients see it.
pub const LIFETIME: i64 = 3599;
/// Refresh tokens: 90 days, as Entra's sliding window.
const REFRESH_LIFETIME: i64 = 90 * 24 * 3600;
/// Marks a refresh token's claims; access tokens never carry it.
const REFRESH_MARK: &str = "emulator_refresh_token";

/// Who a token is for.
pub enum Subject<'a> {
    App {
        app_id: &'a str,
        object_id: &'a str,
        /// `appidacr`: "1" client secret, "2" certificate or assertion.
        acr: &'a str,
    },
    User {
        user: &'a User,
        /// The public client that signed the user in (the Azure CLI's id).
        client_id: &'a str,
    },
}

/// An access token for `aud` in `tenant`, and its expiry (unix seconds).
pub fn access_token(
    state: &State,
    tenant: &str,
    aud: &str,
    subject: &Subject<'_>,
) -> (String, i64) {
    let now = unix_now();
    let exp = now + LIFETIME;
    let iss = state.issuer(tenant);
    let mut claims = json!({
        "aud": aud,
        "iss": iss,
        "iat": now,
        "nbf": now,
        "exp": exp,
        "aio": random_b64(24),
        "idp": iss,
        "rh": "0.emulator",
        "tid": tenant,
        "uti": random_b64(16),
        "ver": "1.0",
    });
    match subject {
        Subject::App {
            app_id,
            object_id,
            acr,
        } => {
            extend(
                &mut claims,
                json!({
                    "appid": app_id,
                    "appidacr": acr,
                    "idtyp": "app",
                    "oid": object_id,
                    "sub": object_id,
                }),
            );
        }
        Subject::User { user, client_id } => {
            extend(
                &mut claims,
                json!({
                    "acr": "1",
                    "amr": ["pwd"],
                    "appid": client_id,
                    "appidacr": "0",
                    "idtyp": "user",
                    "name": user.display_name,
                    "oid": user.object_id,
                    "scp": "user_impersonation",
                    "sub": crate::state::derived_guid(&format!("sub:{}:{client_id}", user.object_id)),
                    "unique_name": user.upn,
                    "upn": user.upn,
                }),
            );
        }
    }
    (state.signing.sign(&claims), exp)
}

/// The OIDC ID token MSAL reads the signed-in account from.
pub fn id_token(state: &State, tenant: &str, client_id: &str, user: &User) -> String {
    let now = unix_now();
    state.signing.sign(&json!({
        "aud": client_id,
        "iss": format!("{}/{tenant}/v2.0", state.base_url),
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME,
        "name": user.display_name,
        "oid": user.object_id,
        "preferred_username": user.upn,
        "sub": crate::state::derived_guid(&format!("sub:{}:{client_id}", user.object_id)),
        "tid": tenant,
        "ver": "2.0",
    }))
}

/// MSAL's `client_info`: base64url `{"uid","utid"}`.
pub fn client_info(tenant: &str, user: &User) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({ "uid": user.object_id, "utid": tenant }).to_string())
}

pub fn refresh_token(state: &State, tenant: &str, client_id: &str, user: &User) -> String {
    let now = unix_now();
    state.signing.sign(&json!({
        REFRESH_MARK: true,
        "iss": state.issuer(tenant),
        "iat": now,
        "exp": now + REFRESH_LIFETIME,
        "oid": user.object_id,
        "tid": tenant,
        "azp": client_id,
    }))
}

/// A refresh token this emulator issued, still valid: (tenant, client id,
/// user object id).
pub fn read_refresh(state: &State, token: &str) -> Option<(String, String, String)> {
    let c = state.signing.verify(token).ok()?;
    if c[REFRESH_MARK] != true || c["exp"].as_i64()? <= unix_now() {
        return None;
    }
    let s = |k: &str| c[k].as_str().map(str::to_owned);
    Some((s("tid")?, s("azp")?, s("oid")?))
}

fn extend(base: &mut Value, more: Value) {
    if let (Some(b), Value::Object(m)) = (base.as_object_mut(), more) {
        b.extend(m);
    }
}
