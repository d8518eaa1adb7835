//! Microsoft Graph calls `init` makes: find the application by display
//! name, create it; find or create its service principal; add a password;
//! list and add federated identity credentials.

use super::{Denied, ProvisionError, error_of, expect_json, sh_quote};
use crate::secret::Secret;
use crate::verify::Http;
use serde_json::{Value, json};

const SERVICE: &str = "Microsoft Graph";

pub struct Graph<'a> {
    pub http: &'a Http,
    /// e.g. `https://graph.microsoft.com/v1.0`
    pub base: String,
    pub token: &'a Secret,
}

/// An application registration, as far as `init` needs it.
#[derive(Debug, Clone)]
pub struct App {
    /// The application's object id (Graph addresses it by this).
    pub object_id: String,
    /// The client id.
    pub app_id: String,
    /// `(hint, endDateTime)` of each password: the first three characters
    /// of the secret and when it expires.
    pub passwords: Vec<(String, String)>,
}

/// A federated identity credential wanted on the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Federated {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audience: String,
}

impl Graph<'_> {
    async fn get(
        &self,
        what: &'static str,
        url: &str,
        filter: Option<&str>,
    ) -> Result<Value, ProvisionError> {
        let reply = self
            .http
            .send(what, |c| {
                let r = c.get(url).bearer_auth(self.token.expose());
                match filter {
                    Some(f) => r.query(&[("$filter", f)]),
                    None => r,
                }
            })
            .await?;
        expect_json(&reply, what, SERVICE)
    }

    /// POSTs `body`; a 403 is [`ProvisionError::Denied`] with `admin` as
    /// what an administrator can run instead.
    async fn post(
        &self,
        what: &'static str,
        url: &str,
        body: &Value,
        admin: impl FnOnce() -> String,
    ) -> Result<Value, ProvisionError> {
        let reply = self
            .http
            .send(what, |c| {
                c.post(url)
                    .bearer_auth(self.token.expose())
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_string())
            })
            .await?;
        if reply.status == 403 {
            let (code, message) = error_of(&reply);
            return Err(ProvisionError::Denied {
                denied: Denied::Graph,
                message: format!("Microsoft Graph refused to {what}: {code} {message}"),
                admin: admin(),
            });
        }
        expect_json(&reply, what, SERVICE)
    }

    /// The application named `name`, if exactly one exists.
    pub async fn find_app(&self, name: &str) -> Result<Option<App>, ProvisionError> {
        let filter = format!("displayName eq '{}'", name.replace('\'', "''"));
        let url = format!("{}/applications", self.base);
        let doc = self
            .get("look up the application", &url, Some(&filter))
            .await?;
        let apps: Vec<App> = list(&doc).iter().filter_map(app_of).collect();
        match apps.len() {
            0 => Ok(None),
            1 => Ok(apps.into_iter().next()),
            n => Err(ProvisionError::Ambiguous {
                name: name.to_owned(),
                count: n,
                ids: apps
                    .iter()
                    .map(|a| a.app_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    pub async fn create_app(&self, name: &str) -> Result<App, ProvisionError> {
        let url = format!("{}/applications", self.base);
        let body = json!({"displayName": name, "signInAudience": "AzureADMyOrg"});
        let doc = self
            .post("register the application", &url, &body, || {
                format!(
                    "  az ad app create --display-name {}\n  az ad sp create --id <the appId it prints>",
                    sh_quote(name)
                )
            })
            .await?;
        app_of(&doc).ok_or_else(|| bad_shape("register the application"))
    }

    /// The service principal's object id for `app_id`, if it exists.
    pub async fn find_principal(&self, app_id: &str) -> Result<Option<String>, ProvisionError> {
        let url = format!("{}/servicePrincipals", self.base);
        let filter = format!("appId eq '{app_id}'");
        let doc = self
            .get("look up the service principal", &url, Some(&filter))
            .await?;
        Ok(list(&doc).iter().find_map(|p| str_of(p, "id")))
    }

    pub async fn create_principal(&self, app_id: &str) -> Result<String, ProvisionError> {
        let url = format!("{}/servicePrincipals", self.base);
        let doc = self
            .post(
                "create the service principal",
                &url,
                &json!({"appId": app_id}),
                || format!("  az ad sp create --id {app_id}"),
            )
            .await?;
        str_of(&doc, "id").ok_or_else(|| bad_shape("create the service principal"))
    }

    /// Adds a password lasting `days`; its value exists only in this reply.
    pub async fn add_password(
        &self,
        app: &App,
        label: &str,
        end: &str,
    ) -> Result<Secret, ProvisionError> {
        let url = format!("{}/applications/{}/addPassword", self.base, app.object_id);
        let body = json!({"passwordCredential": {"displayName": label, "endDateTime": end}});
        let doc = self
            .post("add a client secret", &url, &body, || {
                format!(
                    "  az ad app credential reset --id {} --append --display-name {} --end-date {}",
                    app.app_id,
                    sh_quote(label),
                    &end[..10]
                )
            })
            .await?;
        doc["secretText"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(|s| Secret::new(s.to_owned()))
            .ok_or_else(|| bad_shape("add a client secret"))
    }

    pub async fn federated(&self, app: &App) -> Result<Vec<Federated>, ProvisionError> {
        let url = format!(
            "{}/applications/{}/federatedIdentityCredentials",
            self.base, app.object_id
        );
        let doc = self
            .get("list the federated credentials", &url, None)
            .await?;
        Ok(list(&doc)
            .iter()
            .map(|f| Federated {
                name: str_of(f, "name").unwrap_or_default(),
                issuer: str_of(f, "issuer").unwrap_or_default(),
                subject: str_of(f, "subject").unwrap_or_default(),
                audience: f["audiences"][0].as_str().unwrap_or_default().to_owned(),
            })
            .collect())
    }

    pub async fn add_federated(&self, app: &App, f: &Federated) -> Result<(), ProvisionError> {
        let url = format!(
            "{}/applications/{}/federatedIdentityCredentials",
            self.base, app.object_id
        );
        let body = json!({
            "name": f.name,
            "issuer": f.issuer,
            "subject": f.subject,
            "audiences": [f.audience],
            "description": "created by cloudstudio-azure init",
        });
        let params = json!({"name": f.name, "issuer": f.issuer, "subject": f.subject, "audiences": [f.audience]});
        self.post("add a federated credential", &url, &body, || {
            format!(
                "  az ad app federated-credential create --id {} --parameters {}",
                app.app_id,
                sh_quote(&params.to_string())
            )
        })
        .await?;
        Ok(())
    }
}

fn list(doc: &Value) -> Vec<Value> {
    doc["value"].as_array().cloned().unwrap_or_default()
}

fn str_of(v: &Value, k: &str) -> Option<String> {
    v[k].as_str()
        .filter(|s| crate::ids::is_guid(s) || k != "id")
        .map(crate::untrusted::text)
}

fn app_of(v: &Value) -> Option<App> {
    let object_id = str_of(v, "id")?;
    let app_id = v["appId"].as_str().filter(|s| crate::ids::is_guid(s))?;
    let passwords = v["passwordCredentials"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["hint"].as_str().unwrap_or_default().to_owned(),
                        p["endDateTime"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    Some(App {
        object_id,
        app_id: app_id.to_ascii_lowercase(),
        passwords,
    })
}

fn bad_shape(what: &'static str) -> ProvisionError {
    ProvisionError::Unexpected {
        what,
        service: SERVICE,
        status: 200,
        detail: "the reply lacks the expected fields".into(),
    }
}
