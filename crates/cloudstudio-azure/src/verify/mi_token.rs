//! The managed identity's one token request per run, for the selected
//! cloud's Resource Manager, through the shared client and its policy
//! (IMDS also retries 404 and 410, as Microsoft's guidance says); its reply
//! (`access_token`, `expires_on`/`expires_in` as strings or numbers,
//! `client_id`); and the credentials the token's claims make (`tid`,
//! `appid`/`azp`). The token is masked as soon as it exists.

use super::error::VerifyError;
use super::http::{Http, Reply, retryable_status};
use super::jwt;
use crate::exit::Exit;
use crate::ids::{is_guid, is_tenant};
use crate::observe::Observe;
use crate::resolve::{
    Auth, Credentials, MiEndpoint, MiEndpointUrl as Endpoint, MiFetch, MiRequest, ResolveError,
    SourceKind, check_value as check,
};
use crate::secret::Secret;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// A token reply, parsed.
#[derive(Debug)]
pub struct MiToken {
    pub access_token: Secret,
    /// Unix seconds, from `expires_on` or `expires_in`; `None` if neither
    /// is a number.
    pub expires_on: Option<i64>,
    pub client_id: Option<String>,
}

/// The managed identity's credentials: one token request.
pub async fn fetch(
    f: MiFetch<'_>,
    ssl_cert_file: Option<&str>,
    observe: Arc<dyn Observe>,
    warnings: &mut Vec<String>,
) -> Result<Credentials, ResolveError> {
    let endpoint = f.endpoint;
    let req = f.request;
    let (client_id, tenant, subscription_id) = checked_ids(&req, warnings)?;
    if let Endpoint::AppService { header, .. } = &endpoint {
        observe.secret(header);
    }
    let http = client(&endpoint, ssl_cert_file, f.timeout, &observe)?;
    observe.status("asking the managed identity endpoint for a token");
    let sent = send(&http, &endpoint, f.resource, client_id.as_deref()).await;
    observe.status("");
    let token = interpret(&endpoint, sent, req.client_id.as_ref())?;
    observe.secret(&token.access_token);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Some(left) = token.expires_on.map(|e| e - now).filter(|l| *l < 300) {
        warnings.push(format!(
            "the managed identity's token is valid for {} more seconds: the endpoint hands out an old one; later steps ask it for their own",
            left.max(0)
        ));
    }
    let tenant_id = tenant_of(&token, tenant.as_deref(), req.tenant_id.as_ref())?;
    let claimed = || {
        jwt::claim(token.access_token.expose(), "appid")
            .or_else(|| jwt::claim(token.access_token.expose(), "azp"))
    };
    let shown_id = client_id
        .clone()
        .or_else(|| token.client_id.clone())
        .or_else(claimed)
        .filter(|c| is_guid(c))
        .map(|c| c.to_ascii_lowercase());
    Ok(Credentials {
        source: SourceKind::ManagedIdentity,
        client_id: shown_id,
        tenant_id,
        subscription_id,
        auth: Auth::ManagedIdentity {
            access_token: token.access_token,
            endpoint: match endpoint {
                Endpoint::Imds { url, moved } => MiEndpoint::Imds {
                    moved_to: moved.then(|| url.to_string()),
                },
                Endpoint::AppService { .. } => MiEndpoint::AppService,
            },
            user_assigned: client_id.is_some(),
        },
        arm_endpoint: None,
    })
}

/// The client id, tenant and subscription, each checked (not echoed).
type Ids = (Option<String>, Option<String>, Option<String>);

fn checked_ids(req: &MiRequest, warnings: &mut Vec<String>) -> Result<Ids, ResolveError> {
    let lower = |v: Option<String>| v.map(|v| v.to_ascii_lowercase());
    let client_id = check(
        req.client_id.clone(),
        is_guid,
        "a GUID (the identity's Client ID)",
        warnings,
    )?;
    let tenant = check(
        req.tenant_id.clone(),
        is_tenant,
        "a GUID or a domain (the Directory (tenant) ID)",
        warnings,
    )?;
    let subscription_id = check(
        req.subscription_id.clone(),
        is_guid,
        "a GUID (the Subscription ID)",
        warnings,
    )?;
    Ok((lower(client_id), tenant, lower(subscription_id)))
}

/// The shared client; plain http only ever goes to the machine itself,
/// so never through a proxy.
fn client(
    endpoint: &Endpoint,
    ssl_cert_file: Option<&str>,
    timeout: Duration,
    observe: &Arc<dyn Observe>,
) -> Result<Http, ResolveError> {
    let url = match endpoint {
        Endpoint::Imds { url, .. } | Endpoint::AppService { url, .. } => url,
    };
    if url.scheme() == "http" {
        Http::local(timeout, Arc::clone(observe))
    } else {
        Http::new(ssl_cert_file, timeout, Arc::clone(observe))
    }
    .map_err(|e| ResolveError::ManagedIdentity {
        problem: e.to_string(),
        hint: "SSL_CERT_FILE must name a PEM bundle".into(),
        exit: Exit::Input,
    })
}

fn what(endpoint: &Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Imds { .. } => "the managed identity endpoint (IMDS)",
        Endpoint::AppService { .. } => "the managed identity endpoint (IDENTITY_ENDPOINT)",
    }
}

/// IMDS is retried on 404 (being updated) and 410 too.
fn imds_retry(status: u16) -> bool {
    matches!(status, 404 | 410) || retryable_status(status)
}

async fn send(
    http: &Http,
    endpoint: &Endpoint,
    resource: &str,
    client_id: Option<&str>,
) -> Result<Reply, VerifyError> {
    // IMDS wants the resource with its trailing slash, as Azure's docs write it.
    let resource = format!("{}/", resource.trim_end_matches('/'));
    let query = |api: &'static str| {
        let mut q = vec![
            ("api-version", api.to_owned()),
            ("resource", resource.clone()),
        ];
        if let Some(c) = client_id {
            q.push(("client_id", c.to_owned()));
        }
        q
    };
    match endpoint {
        Endpoint::Imds { url, .. } => {
            let q = query("2018-02-01");
            http.send_retrying(what(endpoint), imds_retry, |c| {
                c.get(url.clone()).query(&q).header("Metadata", "true")
            })
            .await
        }
        Endpoint::AppService { url, header } => {
            let q = query("2019-08-01");
            let mut value = reqwest::header::HeaderValue::from_str(header.expose()).map_err(|_| {
                VerifyError::CloudConfig(
                    "IDENTITY_HEADER holds characters an HTTP header cannot carry (value not shown)".into(),
                )
            })?;
            value.set_sensitive(true);
            http.send(what(endpoint), |c| {
                c.get(url.clone())
                    .query(&q)
                    .header("X-IDENTITY-HEADER", value.clone())
            })
            .await
        }
    }
}

/// The reply as a token, or why there is none.
fn interpret(
    endpoint: &Endpoint,
    sent: Result<Reply, VerifyError>,
    client_id: Option<&(String, String)>,
) -> Result<MiToken, ResolveError> {
    let what = what(endpoint);
    let reply = sent.map_err(|e| unreachable_error(endpoint, &e))?;
    let detail = describe(&reply.body);
    match reply.status {
        200 => parse_reply(&reply.body).map_err(|problem| ResolveError::ManagedIdentity {
            problem: format!("{what} sent an unusable token reply: {problem}"),
            hint: "IMDS_ENDPOINT / IDENTITY_ENDPOINT may point at something other than an identity endpoint".into(),
            exit: Exit::Runtime,
        }),
        s if (imds_retry(s) && matches!(endpoint, Endpoint::Imds { .. }))
            || retryable_status(s) =>
        {
            let note = reply.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
            Err(ResolveError::ManagedIdentity {
                problem: format!("{what} answered HTTP {s} after {} attempt(s): {detail}{note}", reply.attempts),
                hint: "the identity endpoint is busy or being updated; retry in a minute".into(),
                exit: Exit::Runtime,
            })
        }
        // The identity endpoints say no with 400 (no such identity), 401
        // and 403 (the header); anything else is not an identity endpoint.
        s @ (400 | 401 | 403) => Err(ResolveError::ManagedIdentity {
            problem: format!("{what} refused the token request (HTTP {s}): {detail}"),
            hint: refusal_fix(endpoint, s, &detail, client_id),
            exit: Exit::Access,
        }),
        s => Err(ResolveError::ManagedIdentity {
            problem: format!("{what} answered HTTP {s}, which no identity endpoint answers to a token request: {detail}"),
            hint: "IMDS_ENDPOINT / IDENTITY_ENDPOINT does not answer like an identity endpoint: check the address (IMDS: http://169.254.169.254; App Service sets IDENTITY_ENDPOINT itself)".into(),
            exit: Exit::Input,
        }),
    }
}

/// The endpoint's message: `error_description`, `message` or the body,
/// safe to print.
fn describe(body: &[u8]) -> String {
    let v: Option<Value> = serde_json::from_slice(body).ok();
    let text = v
        .as_ref()
        .and_then(|v| {
            ["error_description", "message", "Message", "error"]
                .iter()
                .find_map(|k| v[*k].as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let text = crate::untrusted::text_capped(text.trim(), 300);
    if text.is_empty() {
        "(no message)".into()
    } else {
        text
    }
}

fn refusal_fix(
    endpoint: &Endpoint,
    status: u16,
    detail: &str,
    client_id: Option<&(String, String)>,
) -> String {
    if matches!(endpoint, Endpoint::AppService { .. }) && matches!(status, 401 | 403) {
        return "IDENTITY_HEADER must be the value App Service set for this process (it changes when the app restarts): run in the app's own environment, never with a copied value".into();
    }
    if !detail.to_ascii_lowercase().contains("identity not found") {
        return "check that the managed identity is enabled for this machine and may get tokens for Resource Manager (`--cloud` must be its cloud)".into();
    }
    match client_id {
        Some((id, origin)) => format!(
            "no identity with client id {} ({origin}) is assigned to this machine: assign it (VM: `az vm identity assign --name <vm> --resource-group <group> --identities <identity resource id>`; App Service: `az webapp identity assign --name <app> --resource-group <group> --identities <identity resource id>`), or correct {origin} (the identity's Client ID: `az identity show --name <identity> --resource-group <group> --query clientId`)",
            crate::untrusted::text_capped(id.trim(), 64)
        ),
        None => "this machine has no system-assigned identity: turn it on (VM: `az vm identity assign --name <vm> --resource-group <group>`; App Service: `az webapp identity assign --name <app> --resource-group <group>`), or name a user-assigned identity with `--managed-identity <client id>` (or ARM_CLIENT_ID with ARM_USE_MSI=true)".into(),
    }
}

/// The endpoint could not be reached or answered nothing usable (exit 1).
fn unreachable_error(endpoint: &Endpoint, e: &VerifyError) -> ResolveError {
    let hint = match endpoint {
        Endpoint::Imds { moved: false, .. } => {
            "IMDS answers only on an Azure VM or scale set: not on one? point IMDS_ENDPOINT at the identity endpoint to use; on one, check it has an identity (`az vm identity show --name <vm> --resource-group <group>`)"
        }
        Endpoint::Imds { moved: true, .. } => {
            "check that IMDS_ENDPOINT is the address of a running identity endpoint (it answers `GET /metadata/identity/oauth2/token`)"
        }
        Endpoint::AppService { .. } => {
            "IDENTITY_ENDPOINT answers only inside the App Service or Functions process it was set for; check the app has an identity (`az webapp identity show --name <app> --resource-group <group>`)"
        }
    };
    let problem = match e {
        VerifyError::Deadline { seconds, .. } => format!(
            "{} did not answer within {seconds} s (--az-timeout)",
            what(endpoint)
        ),
        _ => crate::untrusted::text_capped(&e.to_string(), 600),
    };
    ResolveError::ManagedIdentity {
        problem,
        hint: hint.into(),
        exit: match e {
            VerifyError::CloudConfig(_) => Exit::Input,
            _ => Exit::Runtime,
        },
    }
}

/// The token's tenant (`tid`); the tenant the user gave must be the same.
fn tenant_of(
    token: &MiToken,
    given: Option<&str>,
    origin: Option<&(String, String)>,
) -> Result<String, ResolveError> {
    let tid = jwt::claim(token.access_token.expose(), "tid")
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| is_tenant(t));
    match (tid, given) {
        (Some(tid), Some(g)) if is_guid(g) && !g.eq_ignore_ascii_case(&tid) => {
            let origin = origin.map_or("the tenant id", |(_, o)| o.as_str());
            Err(ResolveError::Invalid {
                origin: origin.to_owned(),
                problem: format!(
                    "is {}, but the managed identity's token is for tenant {tid}",
                    g.to_ascii_lowercase()
                ),
                hint: Some(format!(
                    "a managed identity belongs to its own tenant: set {origin} to {tid}, or unset it"
                )),
            })
        }
        (Some(tid), _) => Ok(tid),
        (None, Some(g)) => Ok(g.to_ascii_lowercase()),
        (None, None) => Err(ResolveError::ManagedIdentity {
            problem: "the managed identity's token names no tenant (no `tid` claim)".into(),
            hint: "pass the tenant with --tenant-id (or AZURE_TENANT_ID / ARM_TENANT_ID)".into(),
            exit: Exit::Runtime,
        }),
    }
}

/// `{"access_token", "expires_on" | "expires_in", "client_id", ...}`; the
/// numbers may be strings (IMDS sends strings, App Service numbers).
pub fn parse_reply(body: &[u8]) -> Result<MiToken, String> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| format!("not JSON (line {}, column {})", e.line(), e.column()))?;
    if !v.is_object() {
        return Err("not a JSON object".into());
    }
    let token = v["access_token"]
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or("no access_token")?;
    let number = |k: &str| match &v[k] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires_on = number("expires_on").or_else(|| number("expires_in").map(|s| now + s));
    Ok(MiToken {
        access_token: Secret::new(token.to_owned()),
        expires_on,
        client_id: v["client_id"]
            .as_str()
            .map(str::trim)
            .filter(|c| is_guid(c))
            .map(str::to_ascii_lowercase),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_with_string_or_number_expiry() {
        let imds = br#"{"access_token":"tok","client_id":"0A1B2C3D-1111-4A4A-8B8B-000000000001","expires_in":"3599","expires_on":"1700000000","ext_expires_in":"3599","not_before":"1699996400","resource":"https://management.azure.com/","token_type":"Bearer"}"#;
        let t = parse_reply(imds).expect("imds reply");
        assert_eq!(t.expires_on, Some(1_700_000_000));
        assert_eq!(t.access_token.expose(), "tok");
        assert_eq!(
            t.client_id.as_deref(),
            Some("0a1b2c3d-1111-4a4a-8b8b-000000000001")
        );
        let app = br#"{"access_token":"tok","expires_on":1700000000,"resource":"https://management.azure.com/","token_type":"Bearer","client_id":"0a1b2c3d-1111-4a4a-8b8b-000000000001"}"#;
        assert_eq!(
            parse_reply(app).expect("app service reply").expires_on,
            Some(1_700_000_000)
        );
        let only_in = br#"{"access_token":"tok","expires_in":60}"#;
        let t = parse_reply(only_in).expect("expires_in only");
        assert!(t.expires_on.is_some_and(|e| e > 1_700_000_000));
        assert!(t.client_id.is_none());
    }

    #[test]
    fn unusable_replies_say_why_without_the_token() {
        let cases: [(&[u8], &str); 4] = [
            (&b"{"[..], "not JSON"),
            (b"[]", "not a JSON object"),
            (br#"{"access_token":"  "}"#, "no access_token"),
            (br#"{"token":"secret-tok"}"#, "no access_token"),
        ];
        for (body, why) in cases {
            let e = parse_reply(body).expect_err("unusable");
            assert!(e.starts_with(why) && !e.contains("secret-tok"), "{e}");
        }
        let odd =
            parse_reply(br#"{"access_token":"t","expires_on":"09/14/2017 00:00:00 PM +00:00"}"#);
        assert_eq!(odd.expect("still a token").expires_on, None);
    }

    #[test]
    fn messages_are_sanitised() {
        let d = describe(br#"{"error":"invalid_request","error_description":"Identity not found\u001b[31m\n::error::x"}"#);
        assert!(!d.contains('\u{1b}') && !d.contains('\n'), "{d}");
        assert!(d.starts_with("Identity not found"), "{d}");
        assert_eq!(describe(b""), "(no message)");
    }
}
