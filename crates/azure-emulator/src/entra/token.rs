//! `POST /{tenant}/oauth2/v2.0/token` (scopes) and `/{tenant}/oauth2/token`
//! (v1: `resource`). Grants: `client_credentials` with a client secret
//! (`client_secret_post` or `client_secret_basic`) or a client assertion;
//! `password` and `refresh_token` for the scenario's users (what `az login
//! --username` and MSAL's silent refresh send).

use super::issue::{self, LIFETIME, Subject};
use super::{AadError, app_not_found, assertion, is_multi_tenant, lookup_tenant, missing};
use crate::directory::User;
use crate::http::{Reply, Req, field};
use crate::resources::{Api, api_of, parse_scope};
use crate::scenario::Tenant;
use crate::state::{State, unix_now};
use base64::Engine as _;
use serde_json::{Value, json};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// The client's id and secret, from the body or HTTP Basic.
struct Client {
    id: Option<String>,
    secret: Option<String>,
}

/// What the request asks a token for.
struct Target {
    /// As asked for: the token's `aud`.
    resource: String,
    /// The scopes to echo (v2) and whether a refresh token was asked for.
    scopes: Vec<String>,
    offline: bool,
}

pub fn token(state: &State, req: &Req) -> Reply {
    let version = if req.path.to_ascii_lowercase().contains("/oauth2/v2.0/") {
        Version::V2
    } else {
        Version::V1
    };
    let form = req.form();
    let client = client(req, &form);
    // The log names who tried: the user, else the client id (never a secret).
    let who = field(&form, "username")
        .map(str::to_owned)
        .or_else(|| client.as_ref().ok().and_then(|c| c.id.clone()));
    let reply = match client.and_then(|c| issue(state, req, version, &form, &c)) {
        Ok(r) => r,
        Err(e) => e.reply(),
    };
    match who {
        Some(w) => reply.principal(w),
        None => reply,
    }
}

fn issue(
    state: &State,
    req: &Req,
    version: Version,
    form: &[(String, String)],
    client: &Client,
) -> Result<Reply, AadError> {
    if req.method != "POST" {
        return Err(AadError::new(
            400,
            "invalid_request",
            900561,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {} request.",
                req.method
            ),
        ));
    }
    let segment = super::tenant_segment(&req.path);
    // `common`/`organizations` work for users (their home tenant); an app
    // must name its tenant.
    let tenant = if is_multi_tenant(segment) {
        None
    } else {
        Some(lookup_tenant(&state.scenario, segment)?)
    };
    let required = |name: &str| {
        field(form, name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing(name))
    };
    match required("grant_type")? {
        "client_credentials" => {
            let tenant = tenant.ok_or_else(|| {
                AadError::new(
                    400,
                    "invalid_request",
                    50059,
                    "No tenant-identifying information found in either the request or implied by any provided credentials.",
                )
            })?;
            client_credentials(state, version, form, client, tenant)
        }
        "password" => {
            let user = sign_in(state, tenant, required("username")?, required("password")?)?;
            let client_id = client.id.clone().ok_or_else(|| missing("client_id"))?;
            user_tokens(state, version, form, &client_id, &user)
        }
        "refresh_token" => {
            let (tid, azp, oid) = issue::read_refresh(state, required("refresh_token")?)
                .ok_or_else(|| {
                    AadError::new(
                        400,
                        "invalid_grant",
                        70008,
                        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
                    )
                })?;
            let client_id = client.id.clone().ok_or_else(|| missing("client_id"))?;
            if !azp.eq_ignore_ascii_case(&client_id) {
                return Err(AadError::new(
                    400,
                    "invalid_grant",
                    70000,
                    "Provided grant is invalid or malformed: the refresh token was issued to another client.",
                ));
            }
            let user = state
                .directory()
                .users
                .iter()
                .find(|u| u.object_id == oid && u.tenant == tid)
                .cloned()
                .ok_or_else(|| not_in_tenant(&tid))?;
            if let Some(t) = tenant
                && t.id != user.tenant
            {
                return Err(not_in_tenant(&t.id));
            }
            user_tokens(state, version, form, &client_id, &user)
        }
        other => Err(AadError::new(
            400,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{other}'."),
        )),
    }
}

fn client_credentials(
    state: &State,
    version: Version,
    form: &[(String, String)],
    client: &Client,
    tenant: &Tenant,
) -> Result<Reply, AadError> {
    let client_id = client.id.as_deref().ok_or_else(|| missing("client_id"))?;
    let tenant_name = tenant.domain.as_deref().unwrap_or(&tenant.id);
    let (app_id, object_id, passwords_ok, federated) = {
        let dir = state.directory();
        let app = dir
            .app_by_client_id(&tenant.id, client_id)
            .ok_or_else(|| app_not_found(client_id, tenant_name))?;
        let sp = match dir.principal_for_app(&tenant.id, &app.app_id) {
            None => {
                return Err(AadError::new(
                    401,
                    "invalid_client",
                    7000229,
                    format!(
                        "The client application {} is missing service principal in the tenant {}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119",
                        app.app_id, tenant.id
                    ),
                ));
            }
            // Not replicated yet: the token service has not heard of it.
            Some(sp) if !sp.replicated() => return Err(app_not_found(client_id, tenant_name)),
            Some(sp) => sp,
        };
        let now = time::OffsetDateTime::now_utc();
        let secret_check = client.secret.as_deref().map(|s| {
            match app.passwords.iter().find(|p| p.secret.expose() == s) {
                Some(p) if !p.expired(now) => Ok(()),
                Some(_) => Err(super::secret_expired(&app.app_id)),
                None => Err(super::invalid_secret(&app.app_id)),
            }
        });
        (
            app.app_id.clone(),
            sp.object_id.clone(),
            secret_check,
            app.federated.clone(),
        )
    };
    let target = target(state, version, form, tenant_name, true)?;
    let acr = match passwords_ok {
        Some(result) => {
            result?;
            "1"
        }
        None => match field(form, "client_assertion").filter(|s| !s.is_empty()) {
            Some(jwt) => {
                if field(form, "client_assertion_type") != Some(JWT_BEARER) {
                    return Err(missing("client_assertion_type"));
                }
                assertion::check(state, &federated, jwt)?;
                "2"
            }
            None => {
                return Err(AadError::new(
                    401,
                    "invalid_client",
                    7000218,
                    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                ));
            }
        },
    };
    let subject = Subject::App {
        app_id: &app_id,
        object_id: &object_id,
        acr,
    };
    let (access, exp) = issue::access_token(state, &tenant.id, &target.resource, &subject);
    Ok(respond(version, &target, access, exp, json!({})))
}

/// The scenario user `username` with `password`, in `tenant` if one is named.
fn sign_in(
    state: &State,
    tenant: Option<&Tenant>,
    username: &str,
    password: &str,
) -> Result<User, AadError> {
    let dir = state.directory();
    let user = dir
        .user_by_upn(username)
        .filter(|u| tenant.is_none_or(|t| t.id == u.tenant))
        .ok_or_else(|| {
            AadError::new(
                400,
                "invalid_grant",
                50034,
                format!(
                    "The user account {{EUII Hidden}} does not exist in the {} directory. To sign into this application, the account must be added to the directory.",
                    tenant.map_or("organizations", |t| t.id.as_str())
                ),
            )
        })?;
    match &user.password {
        Some(p) if p.expose() == password => Ok(user.clone()),
        _ => Err(AadError::new(
            400,
            "invalid_grant",
            50126,
            "Error validating credentials due to invalid username or password.",
        )),
    }
}

fn user_tokens(
    state: &State,
    version: Version,
    form: &[(String, String)],
    client_id: &str,
    user: &User,
) -> Result<Reply, AadError> {
    let tenant_name = state
        .scenario
        .tenant(&user.tenant)
        .and_then(|t| t.domain.clone())
        .unwrap_or_else(|| user.tenant.clone());
    let target = target(state, version, form, &tenant_name, false)?;
    let subject = Subject::User { user, client_id };
    let (access, exp) = issue::access_token(state, &user.tenant, &target.resource, &subject);
    let mut extra = json!({
        "id_token": issue::id_token(state, &user.tenant, client_id, user),
    });
    // v1 always hands out a refresh token; v2 when `offline_access` is asked.
    if target.offline || version == Version::V1 {
        extra["refresh_token"] = json!(issue::refresh_token(state, &user.tenant, client_id, user));
    }
    if field(form, "client_info") == Some("1") {
        extra["client_info"] = json!(issue::client_info(&user.tenant, user));
    }
    Ok(respond(version, &target, access, exp, extra))
}

/// The resource the request names: v2 `scope` (for the client-credentials
/// grant, a `/.default` scope), v1 `resource`.
fn target(
    state: &State,
    version: Version,
    form: &[(String, String)],
    tenant_name: &str,
    app_only: bool,
) -> Result<Target, AadError> {
    let (resource, scopes, offline) = match version {
        Version::V2 => {
            let scope = field(form, "scope")
                .filter(|s| !s.trim().is_empty())
                .ok_or_else(|| missing("scope"))?;
            let (resource, offline) = parse_scope(scope).map_err(|s| invalid_scope(&s))?;
            let scopes: Vec<String> = scope
                .split_whitespace()
                .filter(|s| s.contains('/'))
                .map(str::to_owned)
                .collect();
            if app_only && !scopes.iter().all(|s| s.ends_with("/.default")) {
                return Err(AadError::new(
                    400,
                    "invalid_scope",
                    1002012,
                    format!(
                        "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                    ),
                ));
            }
            (resource, scopes, offline)
        }
        Version::V1 => {
            let resource = field(form, "resource")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("resource"))?;
            (resource.to_owned(), vec![], false)
        }
    };
    match api_of(state, &resource) {
        Some(Api::ResourceManager | Api::Graph) => Ok(Target {
            resource,
            scopes,
            offline,
        }),
        None => Err(AadError::new(
            400,
            "invalid_resource",
            500011,
            format!(
                "The resource principal named {} was not found in the tenant named {tenant_name}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
                resource.trim_end_matches('/')
            ),
        )),
    }
}

/// The success body: v2 numbers, v1 strings plus `expires_on` and `resource`.
fn respond(version: Version, target: &Target, access: String, exp: i64, extra: Value) -> Reply {
    let mut body = match version {
        Version::V2 => json!({
            "token_type": "Bearer",
            "expires_in": LIFETIME,
            "ext_expires_in": LIFETIME,
            "access_token": access,
        }),
        Version::V1 => json!({
            "token_type": "Bearer",
            "expires_in": LIFETIME.to_string(),
            "ext_expires_in": LIFETIME.to_string(),
            "expires_on": exp.to_string(),
            "not_before": unix_now().to_string(),
            "resource": target.resource,
            "access_token": access,
        }),
    };
    if version == Version::V2 && !target.scopes.is_empty() {
        body["scope"] = json!(target.scopes.join(" "));
    }
    if let (Some(b), Value::Object(m)) = (body.as_object_mut(), extra) {
        b.extend(m);
    }
    Reply::json(200, &body)
}

/// The client id and secret: form fields, or `Authorization: Basic` with
/// each part form-encoded (RFC 6749 2.3.1). Both given and different: refused.
fn client(req: &Req, form: &[(String, String)]) -> Result<Client, AadError> {
    let body_id = field(form, "client_id").filter(|s| !s.is_empty());
    let body_secret = field(form, "client_secret").filter(|s| !s.is_empty());
    let basic = req
        .headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, b64)| b64.trim().to_owned());
    let Some(b64) = basic else {
        return Ok(Client {
            id: body_id.map(str::to_owned),
            secret: body_secret.map(str::to_owned),
        });
    };
    let bad = || {
        AadError::new(
            401,
            "invalid_client",
            7000216,
            "The client credentials in the Authorization header are not valid Basic credentials (base64 of client_id:client_secret).",
        )
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let mut parts = crate::http::decode_pairs(&format!("id={id}&secret={secret}"));
    let secret = parts.pop().map(|(_, v)| v).unwrap_or_default();
    let id = parts.pop().map(|(_, v)| v).unwrap_or_default();
    if body_id.is_some_and(|b| !b.eq_ignore_ascii_case(&id)) {
        return Err(AadError::new(
            401,
            "invalid_client",
            7000216,
            "The client_id in the request body does not match the one in the Authorization header.",
        ));
    }
    if body_secret.is_some() {
        return Err(AadError::new(
            401,
            "invalid_client",
            7000216,
            "The request sent the client secret both in the Authorization header and in the body; send it once.",
        ));
    }
    Ok(Client {
        id: Some(id),
        secret: Some(secret),
    })
}

fn invalid_scope(scope: &str) -> AadError {
    AadError::new(
        400,
        "invalid_scope",
        70011,
        format!(
            "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: '{scope}' names no resource, or more than one."
        ),
    )
}

fn not_in_tenant(tenant: &str) -> AadError {
    AadError::new(
        400,
        "invalid_grant",
        50020,
        format!("User account from identity provider does not exist in tenant '{tenant}'."),
    )
}
