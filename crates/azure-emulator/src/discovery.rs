//! What clients read before they authenticate: Resource Manager's
//! `/metadata/endpoints` (the cloud's endpoints, as `az cloud register` and
//! Terraform's `ARM_METADATA_HOSTNAME` read them), Entra ID's OpenID
//! configurations (v1 and v2, per tenant and for `common` and
//! `organizations`), the JWKS, MSAL's instance discovery and user realm
//! lookup. Every endpoint points back at the emulator.

use crate::arm::arm_error;
use crate::entra::{AadError, is_multi_tenant, lookup_tenant};
use crate::http::{Reply, Req};
use crate::state::State;
use serde_json::{Value, json};

/// The cloud's name in `/metadata/endpoints` (and the `az cloud register`
/// name the emulator suggests).
pub const CLOUD_NAME: &str = "CloudStudioEmulator";
/// The first `api-version` of `/metadata/endpoints` that answers with one
/// object; earlier ones answer with a list of clouds.
const SINGLE_CLOUD_API: &str = "2022-09-01";

/// Which discovery document a path asks for.
enum Doc<'a> {
    Metadata,
    OpenId { tenant: &'a str, v2: bool },
    Keys,
    Instance,
    UserRealm { user: &'a str },
    Interactive,
}

fn doc(path: &str) -> Option<Doc<'_>> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let is = |s: &str, want: &str| s.eq_ignore_ascii_case(want);
    Some(match segs.as_slice() {
        [m, e] if is(m, "metadata") && is(e, "endpoints") => Doc::Metadata,
        [t, w, o] if is(w, ".well-known") && is(o, "openid-configuration") => Doc::OpenId {
            tenant: t,
            v2: false,
        },
        [t, v, w, o] if is(v, "v2.0") && is(w, ".well-known") && is(o, "openid-configuration") => {
            Doc::OpenId {
                tenant: t,
                v2: true,
            }
        }
        [_, d, k] if is(d, "discovery") && is(k, "keys") => Doc::Keys,
        [_, d, v, k] if is(d, "discovery") && is(v, "v2.0") && is(k, "keys") => Doc::Keys,
        [d, k] if is(d, "discovery") && is(k, "keys") => Doc::Keys,
        [_, d, i] if is(d, "discovery") && is(i, "instance") => Doc::Instance,
        [c, u, user] if is(c, "common") && is(u, "userrealm") => Doc::UserRealm { user },
        [_, o, rest @ ..]
            if is(o, "oauth2")
                && rest.last().is_some_and(|l| {
                    ["authorize", "devicecode", "logout"]
                        .iter()
                        .any(|x| l.eq_ignore_ascii_case(x))
                }) =>
        {
            Doc::Interactive
        }
        _ => return None,
    })
}

pub fn is_discovery(path: &str) -> bool {
    doc(path).is_some()
}

pub fn handle(state: &State, req: &Req) -> Reply {
    let Some(d) = doc(&req.path) else {
        return arm_error(404, "NotFound", "No such discovery document.");
    };
    match d {
        Doc::Metadata => metadata(state, req),
        Doc::OpenId { tenant, v2 } => match openid(state, tenant, v2) {
            Ok(v) => Reply::json(200, &v),
            Err(e) => e.reply(),
        },
        Doc::Keys => Reply::json(200, &state.signing.jwks()),
        Doc::Instance => instance(state, req),
        Doc::UserRealm { user } => user_realm(state, user),
        Doc::Interactive => AadError::new(
            400,
            "invalid_request",
            50011,
            "The emulator does not run interactive or device-code sign-in: sign in with `az login --service-principal` (a client secret) or `az login --username ... --password ...` (a scenario user with a password).",
        )
        .reply(),
    }
}

/// `host:port` of the emulator, as MSAL names instances.
fn host(state: &State) -> &str {
    state.base_url.trim_start_matches("https://")
}

/// The cloud, as `https://management.azure.com/metadata/endpoints` shapes it.
pub fn cloud(state: &State) -> Value {
    let base = &state.base_url;
    json!({
        "name": CLOUD_NAME,
        "authentication": {
            "loginEndpoint": base,
            // The first audience is the one the Azure CLI asks tokens for.
            "audiences": [format!("{base}/"), "https://management.core.windows.net/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "resourceManager": format!("{base}/"),
        "microsoftGraphResourceId": format!("{base}/graph/"),
        "suffixes": {},
    })
}

fn metadata(state: &State, req: &Req) -> Reply {
    let Some(version) = req.query("api-version").filter(|v| !v.is_empty()) else {
        return arm_error(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        );
    };
    // Dates compare as strings; previews (`2022-09-01-preview`) count as theirs.
    if version >= SINGLE_CLOUD_API {
        Reply::json(200, &cloud(state))
    } else {
        Reply::json(200, &json!([cloud(state)]))
    }
}

fn openid(state: &State, tenant: &str, v2: bool) -> Result<Value, AadError> {
    let base = &state.base_url;
    // Endpoints name the tenant's id, as Entra does when asked by domain.
    let (path_tenant, issuer_tenant) = if is_multi_tenant(tenant) {
        (tenant.to_ascii_lowercase(), "{tenantid}".to_owned())
    } else {
        let t = lookup_tenant(&state.scenario, tenant)?;
        (t.id.clone(), t.id.clone())
    };
    let (v, issuer, keys) = if v2 {
        (
            "/v2.0",
            format!("{base}/{issuer_tenant}/v2.0"),
            format!("{base}/{path_tenant}/discovery/v2.0/keys"),
        )
    } else {
        (
            "",
            format!("{base}/{issuer_tenant}/"),
            format!("{base}/common/discovery/keys"),
        )
    };
    let oauth = format!("{base}/{path_tenant}/oauth2{v}");
    let host = host(state);
    Ok(json!({
        "token_endpoint": format!("{oauth}/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": keys,
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": issuer,
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/graph/oidc/userinfo"),
        "authorization_endpoint": format!("{oauth}/authorize"),
        "device_authorization_endpoint": format!("{oauth}/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{oauth}/logout"),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
        "tenant_region_scope": null,
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": format!("{host}/graph"),
        "rbac_url": base,
    }))
}

/// `GET /common/discovery/instance?authorization_endpoint=...`: known for
/// the emulator's own host names only.
fn instance(state: &State, req: &Req) -> Reply {
    let Some(endpoint) = req
        .query("authorization_endpoint")
        .filter(|e| !e.is_empty())
    else {
        return AadError::new(
            400,
            "invalid_request",
            90014,
            "The required field 'authorization_endpoint' is missing from the request.",
        )
        .reply();
    };
    let ours = [state.base_url.as_str(), state.alt_base_url.as_str()];
    let Some(rest) = ours
        .iter()
        .find_map(|b| endpoint.strip_prefix(b).filter(|r| r.starts_with('/')))
    else {
        return AadError::new(
            400,
            "invalid_instance",
            50049,
            "Unknown or invalid instance.",
        )
        .reply();
    };
    let tenant = rest
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("common");
    let alt = state.alt_base_url.trim_start_matches("https://");
    Reply::json(
        200,
        &json!({
            "tenant_discovery_endpoint": format!("{}/{tenant}/v2.0/.well-known/openid-configuration", state.base_url),
            "api-version": "1.1",
            "metadata": [{
                "preferred_network": host(state),
                "preferred_cache": host(state),
                "aliases": [host(state), alt],
            }],
        }),
    )
}

/// `GET /common/userrealm/{user}`: scenario users are managed accounts.
fn user_realm(state: &State, user: &str) -> Reply {
    let known = state.directory().user_by_upn(user).is_some();
    let mut body = json!({
        "ver": "1.0",
        "account_type": if known { "Managed" } else { "Unknown" },
        "cloud_instance_name": host(state),
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    });
    if known && let Some((_, domain)) = user.split_once('@') {
        body["domain_name"] = json!(domain);
    }
    Reply::json(200, &body)
}
