//! One Resource Manager token per run: from a client secret or a GitHub
//! OIDC assertion (azure_identity, over our transport), or the `az`
//! session's token as resolved (no second `az` process).

use super::AzureError;
use super::cloud::Endpoints;
use super::errors;
use super::http::{Http, Transport};
use crate::secret::Secret;
use crate::source::{Auth, Credentials};
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientMethodOptions, ClientOptions, RetryOptions};
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions,
};
use base64::Engine as _;
use std::sync::{Arc, Mutex};

/// Entra ID said no: an access problem (exit 3), with what to do.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub detail: String,
    pub fix: String,
}

pub struct Token {
    pub access_token: Secret,
    /// Every token obtained on the way (the OIDC ID token too), to mask.
    pub derived: Vec<Secret>,
    /// The GitHub OIDC token's subject (not secret), for the report.
    pub subject: Option<String>,
    pub how: &'static str,
}

pub async fn acquire(
    http: &Arc<Http>,
    creds: &Credentials,
    endpoints: &Endpoints,
) -> Result<Result<Token, Rejection>, AzureError> {
    let scope = endpoints.arm_scope();
    let client_id = creds.client_id.clone().unwrap_or_default();
    match &creds.auth {
        Auth::AzSession { access_token, .. } => Ok(Ok(Token {
            access_token: access_token.clone(),
            derived: Vec::new(),
            subject: None,
            how: "the az login session's token",
        })),
        Auth::ClientSecret(secret) => {
            let options = ClientSecretCredentialOptions {
                client_options: client_options(http, endpoints),
            };
            let cred = ClientSecretCredential::new(
                &creds.tenant_id,
                client_id,
                azure_core::credentials::Secret::new(secret.expose().to_owned()),
                Some(options),
            )
            .map_err(|e| AzureError::CloudConfig(e.to_string()))?;
            let result = cred.get_token(&[&scope], None).await;
            finish(http, creds, result, Vec::new(), None, "client secret")
        }
        Auth::GithubOidc {
            request_url,
            request_token,
        } => {
            let seen = Arc::new(Mutex::new(Seen::default()));
            let assertion = GithubAssertion {
                http: Arc::clone(http),
                request_url: request_url.clone(),
                request_token: request_token.clone(),
                audience: endpoints.oidc_audience,
                seen: Arc::clone(&seen),
            };
            let options = ClientAssertionCredentialOptions {
                client_options: client_options(http, endpoints),
            };
            let cred = ClientAssertionCredential::new(
                creds.tenant_id.clone(),
                client_id,
                assertion,
                Some(options),
            )
            .map_err(|e| AzureError::CloudConfig(e.to_string()))?;
            let result = cred.get_token(&[&scope], None).await;
            let (derived, subject) = match seen.lock() {
                Ok(s) => (s.id_token.clone().into_iter().collect(), s.subject.clone()),
                Err(_) => (Vec::new(), None),
            };
            finish(
                http,
                creds,
                result,
                derived,
                subject,
                "GitHub OIDC token as a client assertion",
            )
        }
    }
}

/// azure_identity's options: our transport, its own retries off, the cloud.
fn client_options(http: &Arc<Http>, endpoints: &Endpoints) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = endpoints.authority_host.clone();
    ClientOptions {
        transport: Some(azure_core::http::Transport::new(Arc::new(Transport(
            Arc::clone(http),
        )))),
        // The policy lives in `Http::send`; azure_core's would add its own
        // retries (and stall ~80 s offline).
        retry: RetryOptions::none(),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        ..ClientOptions::default()
    }
}

fn finish(
    http: &Http,
    creds: &Credentials,
    result: azure_core::Result<azure_core::credentials::AccessToken>,
    mut derived: Vec<Secret>,
    oidc_subject: Option<String>,
    how: &'static str,
) -> Result<Result<Token, Rejection>, AzureError> {
    let err = match result {
        Ok(t) => {
            let access_token = Secret::new(t.token.secret().to_owned());
            derived.push(access_token.clone());
            return Ok(Ok(Token {
                access_token,
                derived,
                subject: oidc_subject,
                how,
            }));
        }
        Err(e) => e,
    };
    // A failure under azure_identity keeps its own meaning.
    match http.take_failure() {
        Some(AzureError::OidcRefused { status, detail }) => {
            return Ok(Err(Rejection {
                detail: format!("GitHub refused the OIDC token request (HTTP {status}): {detail}"),
                fix: "give the job `permissions: id-token: write`; ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN must be the runner's own".into(),
            }));
        }
        Some(f) => return Err(f),
        None => {}
    }
    let Some(reply) = http.take_error_reply() else {
        return Err(AzureError::Network {
            step: "the Entra ID token endpoint",
            attempts: 1,
            detail: err.to_string(),
        });
    };
    let status = reply.status;
    let body = serde_json::from_slice::<serde_json::Value>(&reply.body).ok();
    let description = body
        .as_ref()
        .and_then(|b| b["error_description"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"));
    if super::http::retryable_status(status) {
        let mut detail = errors::first_line(&description);
        if let Some(note) = &reply.note {
            detail = format!("{detail} ({note})");
        }
        return Err(AzureError::Service {
            service: "the Entra ID token endpoint",
            status,
            attempts: reply.attempts,
            detail,
        });
    }
    let code = errors::aadsts_code(&description);
    let (cause, fix) = code.and_then(errors::aadsts).unwrap_or((
        "Entra ID refused to issue a token",
        "check the client id, tenant id and secret against the app registration",
    ));
    let names = names_for(creds);
    let mut detail = format!("{cause} ({})", errors::first_line(&description));
    let fix = match code {
        Some(7000215 | 7000222) => format!("{fix}; then update {}", names.secret),
        Some(700016 | 90002 | 900023) => {
            format!("{fix} (from {} and {})", names.client, names.tenant)
        }
        _ => fix.to_owned(),
    };
    if let (Some(sub), Some(700213 | 7002138 | 70021)) = (&oidc_subject, code) {
        detail.push_str(&format!("; the token's subject is `{sub}`"));
    }
    Ok(Err(Rejection { detail, fix }))
}

/// Where this run's client id, tenant and secret came from, for fixes.
struct Names {
    client: &'static str,
    tenant: &'static str,
    secret: &'static str,
}

fn names_for(creds: &Credentials) -> Names {
    use crate::source::SourceKind::*;
    match creds.source {
        Flags => Names {
            client: "--client-id",
            tenant: "--tenant-id",
            secret: "AZURE_CLIENT_SECRET (or what is piped to --client-secret-stdin)",
        },
        AzureCredentials => Names {
            client: "AZURE_CREDENTIALS' clientId",
            tenant: "AZURE_CREDENTIALS' tenantId",
            secret: "AZURE_CREDENTIALS' clientSecret",
        },
        ArmEnv => Names {
            client: "ARM_CLIENT_ID",
            tenant: "ARM_TENANT_ID",
            secret: "ARM_CLIENT_SECRET",
        },
        _ => Names {
            client: "AZURE_CLIENT_ID",
            tenant: "AZURE_TENANT_ID",
            secret: "AZURE_CLIENT_SECRET",
        },
    }
}
#[derive(Default)]
struct Seen {
    id_token: Option<Secret>,
    subject: Option<String>,
}

/// Supplies GitHub's OIDC ID token as the client assertion.
struct GithubAssertion {
    http: Arc<Http>,
    request_url: String,
    request_token: Secret,
    audience: &'static str,
    seen: Arc<Mutex<Seen>>,
}

impl std::fmt::Debug for GithubAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GithubAssertion")
    }
}

#[async_trait::async_trait]
impl ClientAssertion for GithubAssertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        use azure_core::error::{Error, ErrorKind};
        let sep = if self.request_url.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!(
            "{}{sep}audience={}",
            self.request_url,
            encode(self.audience)
        );
        let reply = self
            .http
            .send("the GitHub OIDC token request", |c| {
                c.get(&url).bearer_auth(self.request_token.expose())
            })
            .await;
        let fail = |e: AzureError| {
            let msg = e.to_string();
            self.http.remember(e);
            Error::with_message(ErrorKind::Credential, msg)
        };
        let reply = reply.map_err(fail)?;
        if reply.status != 200 {
            let detail = String::from_utf8_lossy(&reply.body)
                .chars()
                .take(200)
                .collect::<String>();
            return Err(fail(if super::http::retryable_status(reply.status) {
                AzureError::Service {
                    service: "the GitHub OIDC token endpoint",
                    status: reply.status,
                    attempts: reply.attempts,
                    detail,
                }
            } else {
                AzureError::OidcRefused {
                    status: reply.status,
                    detail,
                }
            }));
        }
        let Some(value) = reply
            .json()
            .and_then(|j| j["value"].as_str().map(str::to_owned))
        else {
            return Err(fail(AzureError::Service {
                service: "the GitHub OIDC token endpoint",
                status: reply.status,
                attempts: reply.attempts,
                detail: "the response has no `value`".into(),
            }));
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.subject = jwt_claim(&value, "sub");
            seen.id_token = Some(Secret::new(value.clone()));
        }
        Ok(value)
    }
}

/// A claim from a JWT's payload (not verified: only for messages).
pub fn jwt_claim(jwt: &str, claim: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v[claim].as_str().map(str::to_owned)
}

/// Percent-encodes a query value (audiences hold `:` and `/`).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
