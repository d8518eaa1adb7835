//! CI tokens other than GitHub's as client assertions: a token in a
//! variable, a token file (read each time it is needed, never kept: the
//! kubelet rotates it), or one Azure DevOps issues for a service connection.

use super::error::VerifyError;
use super::http::{Http, retryable_status};
use super::identity::Seen;
use super::jwt::{self, Claims};
use crate::resolve::TokenFrom;
use crate::safe_read::{self, Links};
use crate::secret::Secret;
use azure_core::error::{Error, ErrorKind};
use azure_core::http::ClientMethodOptions;
use azure_identity::ClientAssertion;
use std::sync::{Arc, Mutex};

/// Where the assertion comes from.
pub enum CiFrom {
    Token(TokenFrom),
    AzureDevops {
        request_uri: String,
        access_token: Secret,
        service_connection_id: String,
    },
}

/// Supplies a CI token as the client assertion, recording what it saw.
pub struct CiAssertion {
    pub http: Arc<Http>,
    pub from: CiFrom,
    pub seen: Arc<Mutex<Seen>>,
}

impl std::fmt::Debug for CiAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CiAssertion")
    }
}

/// The token `from` holds now: the variable's value, or the file as it is
/// at this moment (a regular file, at most 64 KiB, surrounding whitespace
/// trimmed).
pub fn read_token(from: &TokenFrom) -> Result<Secret, VerifyError> {
    match from {
        TokenFrom::Env { token, .. } => Ok(token.clone()),
        TokenFrom::File { var, path } => {
            let fail = |detail: String| VerifyError::TokenFile {
                var,
                path: crate::untrusted::path(path),
                detail,
            };
            let text = safe_read::text(path, safe_read::SMALL_MAX, Links::Follow)
                .map_err(|e| fail(e.to_string()))?;
            let token = text.trim();
            if token.is_empty() {
                return Err(fail("the file is empty".into()));
            }
            Ok(Secret::new(token.to_owned()))
        }
    }
}

/// The claims of the federated token `from` holds, for `explain` (no
/// network call).
pub fn token_claims(from: &TokenFrom) -> Result<Option<Claims>, VerifyError> {
    Ok(jwt::claims(read_token(from)?.expose()))
}

#[async_trait::async_trait]
impl ClientAssertion for CiAssertion {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        let fail = |e: VerifyError| Error::new(ErrorKind::Credential, e);
        let token = match &self.from {
            CiFrom::Token(from) => read_token(from).map_err(fail)?,
            CiFrom::AzureDevops {
                request_uri,
                access_token,
                service_connection_id,
            } => ado_token(&self.http, request_uri, access_token, service_connection_id)
                .await
                .map_err(fail)?,
        };
        if let Ok(mut seen) = self.seen.lock() {
            seen.record(&token);
        }
        Ok(token.expose().to_owned())
    }
}

const ADO: &str = "the Azure DevOps OIDC token request";

/// `POST {uri}?api-version=7.1&serviceConnectionId={id}` with the job's
/// access token and an empty body; the reply is `{"oidcToken": "..."}`.
async fn ado_token(
    http: &Http,
    uri: &str,
    access_token: &Secret,
    connection: &str,
) -> Result<Secret, VerifyError> {
    let reply = http
        .send(ADO, |c| {
            c.post(uri)
                .query(&[("api-version", "7.1"), ("serviceConnectionId", connection)])
                .bearer_auth(access_token.expose())
                .header(reqwest::header::CONTENT_LENGTH, "0")
        })
        .await?;
    if reply.status != 200 {
        let detail = crate::untrusted::text_capped(&String::from_utf8_lossy(&reply.body), 200);
        return Err(if retryable_status(reply.status) {
            VerifyError::Service {
                service: ADO,
                status: reply.status,
                attempts: reply.attempts,
                detail,
            }
        } else {
            VerifyError::AdoRefused {
                status: reply.status,
                detail,
            }
        });
    }
    reply
        .json()
        .and_then(|j| j["oidcToken"].as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .ok_or(VerifyError::Service {
            service: ADO,
            status: reply.status,
            attempts: reply.attempts,
            detail: "the response has no `oidcToken`".into(),
        })
}
