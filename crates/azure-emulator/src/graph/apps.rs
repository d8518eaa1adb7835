//! `/applications`: list (`$filter` on `appId`, `displayName`, ...),
//! create, get/update/delete by id or `(appId='..')`, `addPassword` (the
//! secret's text is returned once), `removePassword`, `owners` and
//! `federatedIdentityCredentials`. Creating needs `can_create_apps`;
//! changing an app needs owning it.

use super::{Ctx, Segment, error, method_not_allowed, not_found, strings};
use crate::directory::{Application, Directory, Federated, Password};
use crate::secret::Secret;
use crate::state::{random_bytes, random_guid, rfc3339};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Entra's limit of federated identity credentials per application.
const MAX_FEDERATED: usize = 20;
/// Graph's default lifetime of a password without `endDateTime`.
const DEFAULT_PASSWORD_DAYS: i64 = 730;

pub fn handle(ctx: &Ctx<'_>, segs: &[Segment<'_>]) -> Result<super::Reply, super::Reply> {
    // One lock for the whole request: handlers never await.
    let mut guard = ctx.state.directory();
    let dir: &mut Directory = &mut guard;
    let (key, rest) = address(segs)?;
    let Some(key) = key else {
        return collection(ctx, dir);
    };
    let index = dir
        .apps
        .iter()
        .position(|a| a.tenant == ctx.caller.tenant && key.matches(a))
        .ok_or_else(|| not_found(key.text()))?;
    member(ctx, dir, index, rest)
}

/// `applications/{id}/...` or `applications(appId='..')/...`: the key, if
/// any, and the segments after it.
fn address<'s, 'a>(
    segs: &'s [Segment<'a>],
) -> Result<(Option<Key>, &'s [Segment<'a>]), super::Reply> {
    match (&segs[0].alt_key, segs.get(1)) {
        (Some((k, v)), _) if k.eq_ignore_ascii_case("appId") => {
            Ok((Some(Key::AppId(v.clone())), &segs[1..]))
        }
        (Some(_), _) => Err(error(
            400,
            "BadRequest",
            "Applications are addressed by id or appId.",
        )),
        (None, Some(id)) => Ok((Some(Key::Id(id.name.to_owned())), &segs[2..])),
        (None, None) => Ok((None, &segs[1..])),
    }
}

/// `/applications`: list the caller's tenant's, or register one.
fn collection(ctx: &Ctx<'_>, dir: &mut Directory) -> Result<super::Reply, super::Reply> {
    match ctx.req.method.as_str() {
        "GET" => {
            let items = dir
                .apps
                .iter()
                .filter(|a| a.tenant == ctx.caller.tenant)
                .map(|a| app_json(ctx, a))
                .collect();
            ctx.list("applications", items)
        }
        "POST" => create(ctx, dir),
        _ => Err(method_not_allowed()),
    }
}

/// `/applications/{key}[/{rest}]`: anyone in the tenant may read, only
/// owners may change.
fn member(
    ctx: &Ctx<'_>,
    dir: &mut Directory,
    index: usize,
    rest: &[Segment<'_>],
) -> Result<super::Reply, super::Reply> {
    let owned = dir.apps[index].owners.contains(&ctx.caller.object_id);
    let owner = || if owned { Ok(()) } else { Err(ctx.denied()) };
    let sub = rest.first().map(|s| s.name.to_ascii_lowercase());
    match (ctx.req.method.as_str(), sub.as_deref()) {
        ("GET", None) => Ok(ctx.entity(200, "applications", app_json(ctx, &dir.apps[index]))),
        ("PATCH", None) => {
            owner()?;
            update(ctx, &mut dir.apps[index])
        }
        ("DELETE", None) => {
            owner()?;
            delete(dir, index);
            Ok(super::Reply::empty(204))
        }
        ("POST", Some("addpassword")) => {
            owner()?;
            add_password(ctx, &mut dir.apps[index])
        }
        ("POST", Some("removepassword")) => {
            owner()?;
            remove_password(ctx, &mut dir.apps[index])
        }
        ("GET", Some("owners")) => owners(ctx, dir, &dir.apps[index]),
        (m, Some("federatedidentitycredentials")) => {
            if m != "GET" {
                owner()?;
            }
            federated(ctx, &mut dir.apps[index], rest)
        }
        _ => Err(method_not_allowed()),
    }
}

/// `PATCH`: the display name and sign-in audience, if given.
fn update(ctx: &Ctx<'_>, app: &mut Application) -> Result<super::Reply, super::Reply> {
    let body = ctx.body()?;
    if let Some(n) = body["displayName"].as_str() {
        app.display_name = n.to_owned();
    }
    if let Some(a) = body["signInAudience"].as_str() {
        app.sign_in_audience = a.to_owned();
    }
    Ok(super::Reply::empty(204))
}

/// Deletes the app at `index`; its service principal goes with it.
fn delete(dir: &mut Directory, index: usize) {
    let app = dir.apps.remove(index);
    dir.principals
        .retain(|p| !(p.tenant == app.tenant && p.app_id == app.app_id));
}

/// `POST .../removePassword`: 400 when no password has the `keyId`.
fn remove_password(ctx: &Ctx<'_>, app: &mut Application) -> Result<super::Reply, super::Reply> {
    let body = ctx.body()?;
    let key_id = body["keyId"].as_str().unwrap_or_default();
    let before = app.passwords.len();
    app.passwords
        .retain(|p| !p.key_id.eq_ignore_ascii_case(key_id));
    if app.passwords.len() == before {
        return Err(error(
            400,
            "Request_BadRequest",
            &format!("No password credential with keyId '{key_id}' was found on this application."),
        ));
    }
    Ok(super::Reply::empty(204))
}

/// `GET .../owners`: the owners the caller's tenant holds, typed.
fn owners(ctx: &Ctx<'_>, dir: &Directory, app: &Application) -> Result<super::Reply, super::Reply> {
    let items = app
        .owners
        .iter()
        .filter_map(|o| super::principals::object_json(ctx, dir, o))
        .collect();
    ctx.list("directoryObjects", items)
}

enum Key {
    Id(String),
    AppId(String),
}

impl Key {
    fn matches(&self, a: &Application) -> bool {
        match self {
            Key::Id(id) => a.object_id.eq_ignore_ascii_case(id),
            Key::AppId(id) => a.app_id.eq_ignore_ascii_case(id),
        }
    }

    fn text(&self) -> &str {
        match self {
            Key::Id(s) | Key::AppId(s) => s,
        }
    }
}

pub fn app_json(ctx: &Ctx<'_>, a: &Application) -> Value {
    let domain = ctx
        .state
        .scenario
        .tenant(&a.tenant)
        .and_then(|t| t.domain.clone())
        .unwrap_or_else(|| format!("{}.onmicrosoft.com", &a.tenant[..8]));
    json!({
        "id": a.object_id,
        "deletedDateTime": null,
        "appId": a.app_id,
        "createdDateTime": rfc3339(a.created),
        "displayName": a.display_name,
        "description": null,
        "identifierUris": [],
        "notes": null,
        "publisherDomain": domain,
        "signInAudience": a.sign_in_audience,
        "tags": [],
        "keyCredentials": [],
        "passwordCredentials": a.passwords.iter().map(password_json).collect::<Vec<_>>(),
        "requiredResourceAccess": [],
        "api": { "requestedAccessTokenVersion": null, "oauth2PermissionScopes": [] },
        "publicClient": { "redirectUris": [] },
        "web": { "redirectUris": [], "homePageUrl": null },
    })
}

fn password_json(p: &Password) -> Value {
    json!({
        "customKeyIdentifier": null,
        "displayName": p.display_name,
        "endDateTime": rfc3339(p.end),
        "hint": p.secret.expose().chars().take(3).collect::<String>(),
        "keyId": p.key_id,
        "secretText": null,
        "startDateTime": rfc3339(p.start),
    })
}

fn create(ctx: &Ctx<'_>, dir: &mut Directory) -> Result<super::Reply, super::Reply> {
    if !ctx.can_create_apps(dir) {
        return Err(ctx.denied());
    }
    let body = ctx.body()?;
    let name = body["displayName"]
        .as_str()
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.chars().count() <= 256)
        .ok_or_else(|| {
            error(
                400,
                "Request_BadRequest",
                "Invalid value specified for property 'displayName' of resource 'Application'.",
            )
        })?;
    let app = Application {
        object_id: random_guid(),
        app_id: random_guid(),
        tenant: ctx.caller.tenant.clone(),
        display_name: name.to_owned(),
        created: OffsetDateTime::now_utc(),
        sign_in_audience: body["signInAudience"]
            .as_str()
            .unwrap_or("AzureADMyOrg")
            .to_owned(),
        passwords: vec![],
        federated: vec![],
        owners: vec![ctx.caller.object_id.clone()],
    };
    let reply = ctx.entity(201, "applications", app_json(ctx, &app));
    dir.apps.push(app);
    Ok(reply)
}

/// A secret shaped like Entra's: 40 characters, `Q~` after a 3-character
/// hint and a digit.
fn new_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~";
    let bytes: [u8; 38] = random_bytes();
    let mut s: String = bytes[..3]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 62] as char)
        .collect();
    s.push(char::from(b'0' + bytes[3] % 10));
    s.push_str("Q~");
    s.extend(
        bytes[4..]
            .iter()
            .take(34)
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char),
    );
    s
}

fn add_password(ctx: &Ctx<'_>, app: &mut Application) -> Result<super::Reply, super::Reply> {
    let body = if ctx.req.body.is_empty() {
        json!({})
    } else {
        ctx.body()?
    };
    let cred = &body["passwordCredential"];
    let parse = |k: &str| -> Result<Option<OffsetDateTime>, super::Reply> {
        match cred[k].as_str() {
            None => Ok(None),
            Some(s) => OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map(Some)
                .map_err(|_| {
                    error(
                        400,
                        "Request_BadRequest",
                        &format!("Invalid value specified for property '{k}' of resource 'PasswordCredential'."),
                    )
                }),
        }
    };
    let start = parse("startDateTime")?.unwrap_or_else(OffsetDateTime::now_utc);
    let end = parse("endDateTime")?.unwrap_or(start + time::Duration::days(DEFAULT_PASSWORD_DAYS));
    if end <= start {
        return Err(error(
            400,
            "Request_BadRequest",
            "The password credential's endDateTime must be after its startDateTime.",
        ));
    }
    let text = new_secret();
    let p = Password {
        key_id: random_guid(),
        display_name: cred["displayName"].as_str().map(str::to_owned),
        secret: Secret::new(text.clone()),
        start,
        end,
    };
    let mut out = password_json(&p);
    out["secretText"] = json!(text);
    app.passwords.push(p);
    Ok(ctx.entity(200, "microsoft.graph.passwordCredential", out))
}

fn fic_json(f: &Federated) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "issuer": f.issuer,
        "subject": f.subject,
        "audiences": f.audiences,
        "description": f.description,
    })
}

fn federated(
    ctx: &Ctx<'_>,
    app: &mut Application,
    rest: &[Segment<'_>],
) -> Result<super::Reply, super::Reply> {
    let set = format!(
        "applications('{}')/federatedIdentityCredentials",
        app.object_id
    );
    // `.../federatedIdentityCredentials/{id}` or `(name='..')`
    let target = match (&rest[0].alt_key, rest.get(1)) {
        (Some((_, v)), _) => Some(v.clone()),
        (None, Some(s)) => Some(s.name.to_owned()),
        (None, None) => None,
    };
    let fs = &mut app.federated;
    let find = |fs: &[Federated], t: &str| {
        fs.iter()
            .position(|f| f.id.eq_ignore_ascii_case(t) || f.name == t)
    };
    match (ctx.req.method.as_str(), target) {
        ("GET", None) => ctx.list(&set, fs.iter().map(fic_json).collect()),
        ("GET", Some(t)) => {
            let i = find(fs, &t).ok_or_else(|| not_found(&t))?;
            Ok(ctx.entity(200, &set, fic_json(&fs[i])))
        }
        ("DELETE", Some(t)) => {
            let i = find(fs, &t).ok_or_else(|| not_found(&t))?;
            fs.remove(i);
            Ok(super::Reply::empty(204))
        }
        ("POST", None) => {
            let f = new_federated(&ctx.body()?)?;
            if fs.iter().any(|x| x.name.eq_ignore_ascii_case(&f.name)) {
                return Err(error(
                    409,
                    "Request_MultipleObjectsWithSameKeyValue",
                    &format!(
                        "FederatedIdentityCredential with name {} already exists.",
                        f.name
                    ),
                ));
            }
            if fs
                .iter()
                .any(|x| x.issuer == f.issuer && x.subject == f.subject)
            {
                return Err(error(
                    409,
                    "Request_MultipleObjectsWithSameKeyValue",
                    "FederatedIdentityCredential with this issuer and subject combination already exists.",
                ));
            }
            if fs.len() >= MAX_FEDERATED {
                return Err(error(
                    400,
                    "Request_BadRequest",
                    &format!(
                        "An application can have at most {MAX_FEDERATED} federated identity credentials."
                    ),
                ));
            }
            let reply = ctx.entity(201, &set, fic_json(&f));
            fs.push(f);
            Ok(reply)
        }
        _ => Err(method_not_allowed()),
    }
}

/// Validates a federated identity credential as Entra does.
fn new_federated(body: &Value) -> Result<Federated, super::Reply> {
    let bad = |what: &str| {
        error(
            400,
            "Request_BadRequest",
            &format!(
                "Invalid value specified for property '{what}' of resource 'FederatedIdentityCredential'."
            ),
        )
    };
    let text = |k: &str| body[k].as_str().map(str::trim).filter(|s| !s.is_empty());
    let name = text("name").ok_or_else(|| bad("name"))?;
    let name_ok = (3..=120).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return Err(bad("name"));
    }
    let issuer = text("issuer")
        .filter(|i| i.starts_with("https://"))
        .ok_or_else(|| bad("issuer"))?;
    let subject = text("subject")
        .filter(|s| s.len() <= 600)
        .ok_or_else(|| bad("subject"))?;
    let audiences = strings(&body["audiences"]);
    if audiences.len() != 1 || audiences[0].is_empty() {
        return Err(bad("audiences"));
    }
    Ok(Federated {
        id: random_guid(),
        name: name.to_owned(),
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        audiences,
        description: text("description").map(str::to_owned),
    })
}
