//! The one HTTPS client and the one network policy, for every call this tool
//! makes (GitHub OIDC, Entra ID through azure_identity, Resource Manager).
//!
//! Policy (DESIGN.md): at most 3 attempts; retry only on 408, 429, 5xx,
//! connection errors and timeouts; jittered exponential backoff; a
//! `Retry-After` up to 30 s is waited out, a longer one ends the retries;
//! connect timeout 10 s, request timeout 20 s; nothing sleeps or waits past
//! the verification's deadline. azure_core's own retry policy is switched
//! off (it can stall ~80 s offline); azure_identity gets [`Transport`], which
//! routes its requests through here.

use super::AzureError;
use crate::vars::Vars;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const MAX_ATTEMPTS: u32 = 3;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const BACKOFF_BASE: Duration = Duration::from_millis(400);

/// A response, read whole (every body here is a small JSON document).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: azure_core::Bytes,
    /// How many attempts it took.
    pub attempts: u32,
    /// Why retrying stopped early, if it did.
    pub note: Option<String>,
}

impl Reply {
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

pub struct Http {
    client: reqwest::Client,
    deadline: Instant,
    timeout: Duration,
    /// A failure that happened under azure_identity, whose own error type
    /// would lose its meaning (deadline vs. network vs. outage).
    last_failure: Mutex<Option<AzureError>>,
    /// The last error response azure_identity saw: its own parsing of Entra
    /// ID error bodies fails on real ones (escaped CR/LF in a borrowed
    /// string), so the body is read here instead.
    last_error_reply: Mutex<Option<ErrorReply>>,
}

/// A non-success reply seen under azure_identity.
pub struct ErrorReply {
    pub status: u16,
    pub body: Vec<u8>,
    pub attempts: u32,
    pub note: Option<String>,
}

impl Http {
    /// Builds the client. `SSL_CERT_FILE` adds trusted roots (corporate
    /// proxies, Azure Stack, the emulator) to the built-in ones.
    pub fn new(vars: &Vars, timeout: Duration) -> Result<Http, AzureError> {
        let mut builder = reqwest::Client::builder()
            // A redirect would carry a bearer token somewhere unasked.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("cloudstudio-azure/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = vars.get("SSL_CERT_FILE") {
            let pem = std::fs::read(path).map_err(|e| {
                AzureError::CloudConfig(format!("SSL_CERT_FILE ({path}) could not be read: {e}"))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                AzureError::CloudConfig(format!("SSL_CERT_FILE ({path}) is not a PEM bundle: {e}"))
            })?;
            if certs.is_empty() {
                return Err(AzureError::CloudConfig(format!(
                    "SSL_CERT_FILE ({path}) holds no certificate"
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder
            .build()
            .map_err(|e| AzureError::CloudConfig(format!("could not set up HTTPS: {e}")))?;
        Ok(Http {
            client,
            deadline: Instant::now() + timeout,
            timeout,
            last_failure: Mutex::new(None),
            last_error_reply: Mutex::new(None),
        })
    }

    fn deadline_error(&self, step: &'static str) -> AzureError {
        AzureError::Deadline {
            step,
            seconds: self.timeout.as_secs(),
        }
    }

    /// Sends the request `make` builds, retrying per the policy. A final
    /// retryable status (e.g. 503 after three attempts) is returned as a
    /// reply: the caller knows which service it was and says so.
    pub async fn send(
        &self,
        what: &'static str,
        make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Reply, AzureError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.deadline_error(what));
            }
            let request = async {
                let resp = make(&self.client).send().await?;
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                let body = resp.bytes().await?;
                Ok::<_, reqwest::Error>(Reply {
                    status,
                    headers,
                    body,
                    attempts: attempt,
                    note: None,
                })
            };
            let outcome = match tokio::time::timeout(remaining, request).await {
                Ok(outcome) => outcome,
                Err(_) => return Err(self.deadline_error(what)),
            };
            let mut outcome = outcome;
            // `None`: this outcome is final.
            let delay = match &mut outcome {
                Ok(reply) if !retryable_status(reply.status) => None,
                Ok(reply) => match retry_after(&reply.headers) {
                    Some(d) if d > MAX_RETRY_AFTER => {
                        reply.note = Some(format!(
                            "Retry-After {} s is too long to wait (limit {} s)",
                            d.as_secs(),
                            MAX_RETRY_AFTER.as_secs()
                        ));
                        None
                    }
                    Some(d) => Some(d),
                    None => Some(backoff(attempt)),
                },
                // An untrusted certificate will not become trusted on retry.
                Err(e) if describe(e).contains("certificate") => None,
                Err(e) if e.is_connect() || e.is_timeout() || e.is_request() || e.is_body() => {
                    Some(backoff(attempt))
                }
                Err(_) => None,
            };
            match delay {
                Some(d) if attempt < MAX_ATTEMPTS && Instant::now() + d < self.deadline => {
                    tokio::time::sleep(d).await;
                }
                _ => {
                    return outcome.map_err(|e| AzureError::Network {
                        step: what,
                        attempts: attempt,
                        detail: describe(&e),
                    });
                }
            }
        }
    }

    pub(super) fn remember(&self, err: AzureError) {
        if let Ok(mut slot) = self.last_failure.lock() {
            *slot = Some(err);
        }
    }

    /// The last non-success reply azure_identity received, if any.
    pub fn take_error_reply(&self) -> Option<ErrorReply> {
        self.last_error_reply.lock().ok().and_then(|mut s| s.take())
    }

    /// The failure recorded under azure_identity, if any.
    pub fn take_failure(&self) -> Option<AzureError> {
        self.last_failure.lock().ok().and_then(|mut s| s.take())
    }
}

/// reqwest's message and its causes, without the query string.
fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

pub fn retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when =
        time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc2822).ok()?;
    let secs = (when - time::OffsetDateTime::now_utc())
        .whole_milliseconds()
        .max(0);
    Some(Duration::from_millis(u64::try_from(secs).unwrap_or(0)))
}

/// 400 ms, 800 ms, ... each scaled by a random factor in [0.5, 1.5).
pub fn backoff(attempt: u32) -> Duration {
    let base = BACKOFF_BASE * 2u32.saturating_pow(attempt.saturating_sub(1));
    let mut b = [0u8; 2];
    let r = if getrandom::fill(&mut b).is_ok() {
        f64::from(u16::from_le_bytes(b)) / 65536.0
    } else {
        0.5
    };
    base.mul_f64(0.5 + r)
}

/// azure_identity's transport: its requests go through [`Http::send`].
#[derive(Clone)]
pub struct Transport(pub Arc<Http>);

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
        use azure_core::error::{Error, ErrorKind};
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
        let body = match request.body() {
            Body::Bytes(b) => b.clone(),
            Body::SeekableStream(_) => {
                return Err(Error::with_message(
                    ErrorKind::Other,
                    "streaming bodies are not used here",
                ));
            }
        };
        let url = request.url().clone();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.as_str().to_owned()))
            .collect();
        let reply = self
            .0
            .send("the Entra ID token endpoint", |c| {
                let mut rb = c.request(method.clone(), url.as_str());
                for (k, v) in &headers {
                    rb = rb.header(k, v);
                }
                rb.body(body.to_vec())
            })
            .await;
        match reply {
            Ok(r) => {
                if !(200..300).contains(&r.status)
                    && let Ok(mut slot) = self.0.last_error_reply.lock()
                {
                    *slot = Some(ErrorReply {
                        status: r.status,
                        body: r.body.to_vec(),
                        attempts: r.attempts,
                        note: r.note.clone(),
                    });
                }
                let mut h = std::collections::HashMap::new();
                for (k, v) in &r.headers {
                    if let Ok(v) = v.to_str() {
                        h.insert(
                            azure_core::http::headers::HeaderName::from(k.as_str().to_owned()),
                            azure_core::http::headers::HeaderValue::from(v.to_owned()),
                        );
                    }
                }
                Ok(azure_core::http::AsyncRawResponse::from_bytes(
                    r.status.into(),
                    h.into(),
                    r.body.to_vec(),
                ))
            }
            Err(e) => {
                let msg = e.to_string();
                self.0.remember(e);
                Err(Error::with_message(ErrorKind::Io, msg))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            retry_after(&h),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
    }

    #[test]
    fn what_is_retried() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retryable_status(s), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 409] {
            assert!(!retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_grows_with_jitter() {
        for _ in 0..50 {
            let one = backoff(1);
            assert!(
                one >= Duration::from_millis(200) && one < Duration::from_millis(600),
                "{one:?}"
            );
            let two = backoff(2);
            assert!(
                two >= Duration::from_millis(400) && two < Duration::from_millis(1200),
                "{two:?}"
            );
        }
    }
}
