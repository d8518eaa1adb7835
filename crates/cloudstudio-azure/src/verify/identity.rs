//! azure_identity, over our transport. azure_identity stays (it is on the
//! design card); this file is all the glue it needs, and the one workaround:
//!
//! azure_identity 1.0 parses Entra ID's error replies into a struct whose
//! `error_description` is a borrowed `&str` (`EntraIdErrorResponse<'a>`).
//! serde can only borrow a JSON string that has no escapes, and Entra ID's
//! descriptions always carry escaped `\r\n` (before "Trace ID:"), so the
//! parse fails and the error it returns has neither the status nor the
//! AADSTS code. [`Transport`] therefore keeps the last non-success reply
//! ([`LastErrorReply`]) for [`super::token`] to read. Delete it when
//! upstream owns the string (`String` or `Cow<'a, str>`).
//!
//! Our own failures (deadline, network, GitHub refusing the ID token) pass
//! through azure_identity inside its error, as the inner error, and are
//! recovered as they were by [`recover`].

use super::cloud::Endpoints;
use super::error::VerifyError;
use super::http::{Http, retryable_status};
use crate::secret::Secret;
use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::error::{Error, ErrorKind};
use azure_core::http::{ClientMethodOptions, ClientOptions, RetryOptions};
use azure_identity::ClientAssertion;
use std::sync::{Arc, Mutex};

/// A non-success reply seen under azure_identity.
pub struct ErrorReply {
    pub status: u16,
    pub body: Vec<u8>,
    pub attempts: u32,
    pub note: Option<String>,
}

/// The workaround's one slot: the last error reply azure_identity received.
#[derive(Default)]
pub struct LastErrorReply(Mutex<Option<ErrorReply>>);

impl LastErrorReply {
    fn set(&self, reply: ErrorReply) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(reply);
        }
    }

    pub fn take(&self) -> Option<ErrorReply> {
        self.0.lock().ok().and_then(|mut s| s.take())
    }
}

/// azure_identity's options: our transport, its own retries off, the cloud.
pub fn client_options(transport: Transport, endpoints: &Endpoints) -> ClientOptions {
    let mut custom = CustomConfiguration::default();
    custom.authority_host = endpoints.authority_host.clone();
    ClientOptions {
        transport: Some(azure_core::http::Transport::new(Arc::new(transport))),
        // The policy lives in `Http::send`; azure_core's would add its own
        // retries (and stall ~80 s offline).
        retry: RetryOptions::none(),
        cloud: Some(Arc::new(CloudConfiguration::Custom(custom))),
        ..ClientOptions::default()
    }
}

/// Our failure inside an azure_identity error, if that is what it was.
pub fn recover(err: &Error) -> Option<VerifyError> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(ours) = e.downcast_ref::<VerifyError>() {
            return Some(ours.clone());
        }
        source = e.source();
    }
    None
}

/// azure_identity's transport: its requests go through [`Http::send`].
#[derive(Clone)]
pub struct Transport {
    pub http: Arc<Http>,
    pub last_error: Arc<LastErrorReply>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transport")
    }
}

#[async_trait::async_trait]
impl azure_core::http::HttpClient for Transport {
    async fn execute_request(
        &self,
        request: &azure_core::http::Request,
    ) -> azure_core::Result<azure_core::http::AsyncRawResponse> {
        use azure_core::http::{Body, Method};
        let method = match request.method() {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            other => {
                return Err(Error::with_message(
                    ErrorKind::Other,
                    format!("unexpected {other} request from azure_identity"),
                ));
            }
        };
        let Body::Bytes(body) = request.body() else {
            return Err(Error::with_message(
                ErrorKind::Other,
                "streaming bodies are not used here",
            ));
        };
        let url = request.url().clone();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
            .collect();
        let reply = self
            .http
            .send("the Entra ID token endpoint", |c| {
                let mut rb = c.request(method.clone(), url.as_str());
                for (k, v) in &headers {
                    rb = rb.header(k, v);
                }
                rb.body(body.to_vec())
            })
            .await
            .map_err(|e| Error::new(ErrorKind::Io, e))?;
        if !(200..300).contains(&reply.status) {
            self.last_error.set(ErrorReply {
                status: reply.status,
                body: reply.body.to_vec(),
                attempts: reply.attempts,
                note: reply.note.clone(),
            });
        }
        let mut h = std::collections::HashMap::new();
        for (k, v) in &reply.headers {
            if let Ok(v) = v.to_str() {
                h.insert(
                    azure_core::http::headers::HeaderName::from(k.as_str().to_owned()),
                    azure_core::http::headers::HeaderValue::from(v.to_owned()),
                );
            }
        }
        Ok(azure_core::http::AsyncRawResponse::from_bytes(
            reply.status.into(),
            h.into(),
            reply.body.to_vec(),
        ))
    }
}

/// What an assertion saw: the ID token (to mask), its subject (for the
/// report) and the claims federation matches on (for the doctor).
#[derive(Default)]
pub struct Seen {
    pub id_token: Option<Secret>,
    pub subject: Option<String>,
    /// The token's `iss`, for the federated-credential fix.
    pub issuer: Option<String>,
    pub claims: Option<super::jwt::Claims>,
}

impl Seen {
    pub fn record(&mut self, token: &Secret) {
        self.claims = super::jwt::claims(token.expose());
        self.subject = self.claims.as_ref().and_then(|c| c.sub.clone());
        self.issuer = self.claims.as_ref().and_then(|c| c.iss.clone());
        self.id_token = Some(token.clone());
    }
}

/// Supplies GitHub's OIDC ID token as the client assertion.
pub struct GithubAssertion {
    pub http: Arc<Http>,
    pub request_url: String,
    pub request_token: Secret,
    pub audience: &'static str,
    pub seen: Arc<Mutex<Seen>>,
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
        let fail = |e: VerifyError| Error::new(ErrorKind::Credential, e);
        let reply = self
            .http
            .send("the GitHub OIDC token request", |c| {
                c.get(&self.request_url)
                    .query(&[("audience", self.audience)])
                    .bearer_auth(self.request_token.expose())
            })
            .await
            .map_err(fail)?;
        if reply.status != 200 {
            let detail = crate::untrusted::text_capped(&String::from_utf8_lossy(&reply.body), 200);
            return Err(fail(if retryable_status(reply.status) {
                VerifyError::Service {
                    service: "the GitHub OIDC token endpoint",
                    status: reply.status,
                    attempts: reply.attempts,
                    detail,
                }
            } else {
                VerifyError::OidcRefused {
                    status: reply.status,
                    detail,
                }
            }));
        }
        let Some(value) = reply
            .json()
            .and_then(|j| j["value"].as_str().map(str::to_owned))
        else {
            return Err(fail(VerifyError::Service {
                service: "the GitHub OIDC token endpoint",
                status: reply.status,
                attempts: reply.attempts,
                detail: "the response has no `value`".into(),
            }));
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.record(&Secret::new(value.clone()));
        }
        Ok(value)
    }
}
