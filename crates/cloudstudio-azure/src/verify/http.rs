//! The one HTTPS client and the one network policy, for every call this tool
//! makes (GitHub OIDC, Entra ID through azure_identity, Resource Manager).
//!
//! Policy (DESIGN.md): at most 3 attempts; retry only on 408, 429, 5xx,
//! connection errors and timeouts; jittered exponential backoff; a
//! `Retry-After` up to 30 s is waited out, a longer one ends the retries;
//! connect timeout 10 s, request timeout 20 s; nothing sleeps or waits past
//! the verification's deadline. azure_core's own retry policy is switched
//! off (it can stall ~80 s offline); azure_identity's requests come through
//! here too (`identity.rs`). With `-v`, every attempt is reported (method,
//! host, path, status, duration, attempt), never a query string.
//!
//! Replies are read with a cap ([`MAX_REPLY_BYTES`]): a reply that announces
//! or streams more is abandoned at the cap, not retried (the next attempt
//! would download it again), and fails naming the endpoint.

use super::error::VerifyError;
use crate::observe::Observe;
use crate::safe_read::{self, Links};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const MAX_ATTEMPTS: u32 = 3;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// An endpoint on the machine itself connects at once when it is there;
/// off Azure, IMDS's address may swallow packets, so fail fast (the Azure
/// SDKs allow IMDS 2 s too).
const LOCAL_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
const BACKOFF_BASE: Duration = Duration::from_millis(400);
/// The largest reply read. Entra ID tokens are a few KiB, ARM subscription
/// and permission documents a few dozen; 1 MiB leaves room for verbose
/// error pages and stops a hostile or broken server from filling memory.
pub const MAX_REPLY_BYTES: usize = 1024 * 1024;

/// Why an attempt produced no reply.
enum Failed {
    Http(reqwest::Error),
    /// The reply was larger than [`MAX_REPLY_BYTES`] (announced or read).
    TooLarge,
}

/// A response, its body read whole up to [`MAX_REPLY_BYTES`] (every body
/// here is a small JSON document).
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
    observe: Arc<dyn Observe>,
}

impl Http {
    /// Builds the client. `ssl_cert_file` (`SSL_CERT_FILE`) adds trusted
    /// roots (corporate proxies, Azure Stack, the emulator) to the built-in
    /// ones.
    pub fn new(
        ssl_cert_file: Option<&str>,
        timeout: Duration,
        observe: Arc<dyn Observe>,
    ) -> Result<Http, VerifyError> {
        Http::build(ssl_cert_file, timeout, observe, true)
    }

    /// The client for an endpoint on the machine itself (IMDS's link-local
    /// address, a loopback host): the same policy, but never through an
    /// `HTTP(S)_PROXY`, which cannot reach it, and a short connect timeout.
    pub fn local(timeout: Duration, observe: Arc<dyn Observe>) -> Result<Http, VerifyError> {
        Http::build(None, timeout, observe, false)
    }

    fn build(
        ssl_cert_file: Option<&str>,
        timeout: Duration,
        observe: Arc<dyn Observe>,
        proxy: bool,
    ) -> Result<Http, VerifyError> {
        // ring for TLS (Cargo.toml says why); reqwest takes the process
        // default. Already installed (a second client) is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            // A redirect would carry a bearer token somewhere unasked.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("cloudstudio-azure/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ssl_cert_file {
            builder = builder.tls_certs_merge(extra_roots(path)?);
        }
        if !proxy {
            builder = builder.no_proxy().connect_timeout(LOCAL_CONNECT_TIMEOUT);
        }
        let client = builder
            .build()
            .map_err(|e| VerifyError::CloudConfig(format!("could not set up HTTPS: {e}")))?;
        Ok(Http {
            client,
            deadline: deadline_after(timeout),
            timeout,
            observe,
        })
    }

    fn deadline_error(&self, step: &'static str) -> VerifyError {
        VerifyError::Deadline {
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
    ) -> Result<Reply, VerifyError> {
        self.send_retrying(what, retryable_status, make).await
    }

    /// [`Http::send`] for a service that asks for more statuses to be
    /// retried (`retry`): IMDS's 404 and 410 while it is being updated.
    pub async fn send_retrying(
        &self,
        what: &'static str,
        retry: fn(u16) -> bool,
        make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Reply, VerifyError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.deadline_error(what));
            }
            let request = make(&self.client)
                .build()
                .map_err(|e| VerifyError::Network {
                    step: what,
                    attempts: attempt,
                    detail: describe(&e),
                })?;
            let started = Instant::now();
            let line = self.observe.verbose().then(|| request_line(&request));
            let outcome =
                match tokio::time::timeout(remaining, self.exchange(request, attempt)).await {
                    Ok(outcome) => outcome,
                    Err(_) => return Err(self.deadline_error(what)),
                };
            if let Some(line) = line {
                self.trace(&line, &outcome, started, attempt);
            }
            let mut outcome = outcome;
            match next_delay(&mut outcome, attempt, retry) {
                Some(d) if attempt < MAX_ATTEMPTS && deadline_after(d) < self.deadline => {
                    self.observe.waiting(&wait_line(what, &outcome, attempt, d));
                    tokio::time::sleep(d).await;
                }
                _ => {
                    return outcome.map_err(|e| match e {
                        Failed::Http(e) => VerifyError::Network {
                            step: what,
                            attempts: attempt,
                            detail: describe(&e),
                        },
                        Failed::TooLarge => VerifyError::TooLarge {
                            step: what,
                            limit: MAX_REPLY_BYTES,
                        },
                    });
                }
            }
        }
    }

    async fn exchange(&self, request: reqwest::Request, attempt: u32) -> Result<Reply, Failed> {
        let mut resp = self.client.execute(request).await.map_err(Failed::Http)?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        // Dropping `resp` early closes the connection: the rest is never read.
        if resp
            .content_length()
            .is_some_and(|n| n > MAX_REPLY_BYTES as u64)
        {
            return Err(Failed::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Failed::Http)? {
            if body.len() + chunk.len() > MAX_REPLY_BYTES {
                return Err(Failed::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            headers,
            body: body.into(),
            attempts: attempt,
            note: None,
        })
    }

    /// `-v`: one line per attempt.
    fn trace(
        &self,
        request: &str,
        outcome: &Result<Reply, Failed>,
        started: Instant,
        attempt: u32,
    ) {
        let result = match outcome {
            Ok(r) => r.status.to_string(),
            Err(Failed::TooLarge) => format!("reply over {MAX_REPLY_BYTES} bytes, abandoned"),
            Err(Failed::Http(e)) if e.is_timeout() => "timed out".into(),
            Err(Failed::Http(e)) if e.is_connect() => "connection failed".into(),
            Err(Failed::Http(_)) => "failed".into(),
        };
        self.observe.debug(&format!(
            "{request} -> {result} in {} ms (attempt {attempt}/{MAX_ATTEMPTS})",
            started.elapsed().as_millis()
        ));
    }
}

/// `now + d`, saturating: a huge duration means "no deadline", never a
/// panic on overflow.
pub fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

/// `SSL_CERT_FILE`'s certificates.
fn extra_roots(path: &str) -> Result<Vec<reqwest::Certificate>, VerifyError> {
    let pem =
        safe_read::file(Path::new(path), safe_read::CERTS_MAX, Links::Follow).map_err(|e| {
            VerifyError::CloudConfig(format!("SSL_CERT_FILE ({path}) could not be read: {e}"))
        })?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
        VerifyError::CloudConfig(format!("SSL_CERT_FILE ({path}) is not a PEM bundle: {e}"))
    })?;
    if certs.is_empty() {
        return Err(VerifyError::CloudConfig(format!(
            "SSL_CERT_FILE ({path}) holds no certificate"
        )));
    }
    Ok(certs)
}

/// `POST login.example.com:443/tenant/oauth2/v2.0/token`: method, host and
/// path; never the query string.
fn request_line(request: &reqwest::Request) -> String {
    let url = request.url();
    let host = url.host_str().unwrap_or("?");
    match url.port_or_known_default() {
        Some(port) => format!("{} {host}:{port}{}", request.method(), url.path()),
        None => format!("{} {host}{}", request.method(), url.path()),
    }
}

/// The live line for a retry wait: "waiting for <what>: HTTP 429 on attempt
/// 1/3, Retry-After 5 s".
fn wait_line(what: &str, outcome: &Result<Reply, Failed>, attempt: u32, delay: Duration) -> String {
    let (why, after) = match outcome {
        Ok(r) => (
            format!("HTTP {}", r.status),
            if retry_after(&r.headers).is_some() {
                "Retry-After"
            } else {
                "retrying in"
            },
        ),
        Err(Failed::Http(e)) if e.is_timeout() => ("timed out".to_owned(), "retrying in"),
        Err(_) => ("connection failed".to_owned(), "retrying in"),
    };
    let secs = delay.as_secs_f64();
    format!("waiting for {what}: {why} on attempt {attempt}/{MAX_ATTEMPTS}, {after} {secs:.1} s")
}

/// How long to wait before the next attempt; `None`: this outcome is final.
fn next_delay(
    outcome: &mut Result<Reply, Failed>,
    attempt: u32,
    retry: fn(u16) -> bool,
) -> Option<Duration> {
    let e = match outcome {
        Ok(reply) => return reply_delay(reply, attempt, retry),
        // The next attempt would download it again.
        Err(Failed::TooLarge) => return None,
        Err(Failed::Http(e)) => e,
    };
    match e {
        // An untrusted certificate will not become trusted on retry.
        e if is_certificate_error(e) => None,
        e if e.is_connect() || e.is_timeout() || e.is_request() || e.is_body() => {
            Some(backoff(attempt))
        }
        _ => None,
    }
}

fn reply_delay(reply: &mut Reply, attempt: u32, retry: fn(u16) -> bool) -> Option<Duration> {
    match reply {
        reply if !retry(reply.status) => None,
        reply => match retry_after(&reply.headers) {
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
    }
}

/// Whether the TLS handshake refused the server's certificate: a
/// `rustls::Error::InvalidCertificate` among the error's causes.
fn is_certificate_error(e: &reqwest::Error) -> bool {
    matches!(tls_error(e), Some(rustls::Error::InvalidCertificate(_)))
}

/// The rustls error behind `err`, if any. rustls errors travel inside
/// `std::io::Error`s (tokio-rustls), possibly nested, whose `source()`
/// skips the error they wrap: those are opened with `get_ref()`.
fn tls_error<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::get_ref)
    {
        let inner: &(dyn std::error::Error + 'static) = inner;
        if let Some(tls) = tls_error(inner) {
            return Some(tls);
        }
    }
    tls_error(err.source()?)
}

/// reqwest's message and its causes.
pub fn describe(e: &reqwest::Error) -> String {
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
    fn deadlines_saturate() {
        let far = deadline_after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(365 * 24 * 3600));
        let soon = deadline_after(Duration::from_secs(1));
        assert!(soon < far);
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
