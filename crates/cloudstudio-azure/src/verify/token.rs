//! One Resource Manager token per run: from a client secret or a GitHub
//! OIDC assertion (azure_identity, over our transport), or the `az`
//! session's token as resolved (no second `az` process). Entra ID's
//! refusals become a [`Rejection`] with the cause and the fix.

use super::ci_token::{CiAssertion, CiFrom};
use super::cloud::Endpoints;
use super::error::VerifyError;
use super::fixes;
use super::http::{Http, retryable_status};
use super::identity::{self, GithubAssertion, LastErrorReply, Seen, Transport};
use super::jwt::Claims;
use crate::resolve::{Auth, Credentials, MiEndpoint, SourceKind};
use crate::secret::Secret;
use azure_core::credentials::{AccessToken, TokenCredential};
use azure_identity::{
    ClientAssertion, ClientAssertionCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions,
};
use std::sync::{Arc, Mutex};

/// Entra ID said no: an access problem (exit 3), with what to do.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub detail: String,
    pub fix: String,
    /// No federated credential matches the OIDC token.
    pub federation: bool,
}

pub struct Token {
    pub access_token: Secret,
    /// Every token obtained on the way (the OIDC ID token too), to mask.
    pub derived: Vec<Secret>,
    /// The GitHub OIDC token's subject (not secret), for the report.
    pub subject: Option<String>,
    pub how: &'static str,
}

/// What azure_identity returned, and what it saw on the way.
struct Attempt {
    result: azure_core::Result<AccessToken>,
    last_error: Arc<LastErrorReply>,
    derived: Vec<Secret>,
    subject: Option<String>,
    claims: Option<Claims>,
    /// The OIDC token's issuer, and the audience asked for.
    issuer: Option<(String, &'static str)>,
    how: &'static str,
}

pub async fn acquire(
    http: &Arc<Http>,
    creds: &Credentials,
    endpoints: &Endpoints,
) -> Result<Result<Token, Rejection>, VerifyError> {
    let attempt = match &creds.auth {
        Auth::AzSession { access_token } => {
            return Ok(Ok(Token {
                access_token: access_token.clone(),
                derived: Vec::new(),
                subject: None,
                how: "the az login session's token",
            }));
        }
        // Obtained with resolution (one request), used as is.
        Auth::ManagedIdentity {
            access_token,
            endpoint,
            user_assigned,
        } => {
            return Ok(Ok(Token {
                access_token: access_token.clone(),
                derived: Vec::new(),
                subject: None,
                how: match (endpoint, user_assigned) {
                    (MiEndpoint::Imds { .. }, false) => {
                        "the system-assigned managed identity's token from IMDS"
                    }
                    (MiEndpoint::Imds { .. }, true) => {
                        "the user-assigned managed identity's token from IMDS"
                    }
                    (MiEndpoint::AppService, false) => {
                        "the system-assigned managed identity's token from IDENTITY_ENDPOINT"
                    }
                    (MiEndpoint::AppService, true) => {
                        "the user-assigned managed identity's token from IDENTITY_ENDPOINT"
                    }
                },
            }));
        }
        Auth::ClientSecret(secret) => with_secret(http, creds, endpoints, secret).await?,
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
            let how = "GitHub OIDC token as a client assertion";
            with_assertion(http, creds, endpoints, (assertion, seen, how)).await?
        }
        Auth::FederatedToken(from) => {
            let how = match from {
                crate::resolve::TokenFrom::Env { .. } => {
                    "federated token from a variable as a client assertion"
                }
                crate::resolve::TokenFrom::File { .. } => {
                    "federated token file as a client assertion"
                }
            };
            let from = CiFrom::Token(from.clone());
            with_assertion(http, creds, endpoints, ci(http, from, how)).await?
        }
        Auth::AzureDevopsOidc {
            request_uri,
            access_token,
            service_connection_id,
        } => {
            let from = CiFrom::AzureDevops {
                request_uri: request_uri.clone(),
                access_token: access_token.clone(),
                service_connection_id: service_connection_id.clone(),
            };
            let how = "Azure DevOps OIDC token as a client assertion";
            with_assertion(http, creds, endpoints, ci(http, from, how)).await?
        }
    };
    finish(creds, attempt)
}

/// An assertion, what it saw, and how to name it.
type Asserting<A> = (A, Arc<Mutex<Seen>>, &'static str);

fn ci(http: &Arc<Http>, from: CiFrom, how: &'static str) -> Asserting<CiAssertion> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let assertion = CiAssertion {
        http: Arc::clone(http),
        from,
        seen: Arc::clone(&seen),
    };
    (assertion, seen, how)
}

fn transport(http: &Arc<Http>) -> Transport {
    Transport {
        http: Arc::clone(http),
        last_error: Arc::new(LastErrorReply::default()),
    }
}

async fn with_secret(
    http: &Arc<Http>,
    creds: &Credentials,
    endpoints: &Endpoints,
    secret: &Secret,
) -> Result<Attempt, VerifyError> {
    let transport = transport(http);
    let last_error = Arc::clone(&transport.last_error);
    let options = ClientSecretCredentialOptions {
        client_options: identity::client_options(transport, endpoints),
    };
    let cred = ClientSecretCredential::new(
        &creds.tenant_id,
        creds.client_id.clone().unwrap_or_default(),
        azure_core::credentials::Secret::new(secret.expose().to_owned()),
        Some(options),
    )
    .map_err(|e| VerifyError::CloudConfig(e.to_string()))?;
    Ok(Attempt {
        result: cred.get_token(&[&endpoints.arm_scope()], None).await,
        last_error,
        derived: Vec::new(),
        subject: None,
        claims: None,
        issuer: None,
        how: "client secret",
    })
}

async fn with_assertion<A: ClientAssertion + 'static>(
    http: &Arc<Http>,
    creds: &Credentials,
    endpoints: &Endpoints,
    (assertion, seen, how): Asserting<A>,
) -> Result<Attempt, VerifyError> {
    let transport = transport(http);
    let last_error = Arc::clone(&transport.last_error);
    let options = ClientAssertionCredentialOptions {
        client_options: identity::client_options(transport, endpoints),
    };
    let cred = ClientAssertionCredential::new(
        creds.tenant_id.clone(),
        creds.client_id.clone().unwrap_or_default(),
        assertion,
        Some(options),
    )
    .map_err(|e| VerifyError::CloudConfig(e.to_string()))?;
    let result = cred.get_token(&[&endpoints.arm_scope()], None).await;
    let (derived, subject, claims, issuer) = match seen.lock() {
        Ok(s) => (
            s.id_token.clone().into_iter().collect(),
            s.subject.clone(),
            s.claims.clone(),
            s.issuer.clone(),
        ),
        Err(_) => (Vec::new(), None, None, None),
    };
    Ok(Attempt {
        result,
        last_error,
        derived,
        subject,
        claims,
        issuer: issuer.map(|i| (i, endpoints.oidc_audience)),
        how,
    })
}

fn finish(creds: &Credentials, attempt: Attempt) -> Result<Result<Token, Rejection>, VerifyError> {
    let Attempt {
        result,
        last_error,
        mut derived,
        subject,
        claims,
        issuer,
        how,
    } = attempt;
    let err = match result {
        Ok(t) => {
            let access_token = Secret::new(t.token.secret().to_owned());
            derived.push(access_token.clone());
            return Ok(Ok(Token {
                access_token,
                derived,
                subject,
                how,
            }));
        }
        Err(e) => e,
    };
    // A failure of ours under azure_identity keeps its own meaning.
    match identity::recover(&err) {
        Some(VerifyError::OidcRefused { status, detail }) => {
            return Ok(Err(Rejection {
                detail: format!("GitHub refused the OIDC token request (HTTP {status}): {detail}"),
                fix: "give the job `permissions: id-token: write`; ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN must be the runner's own".into(),
                federation: false,
            }));
        }
        Some(ours) => return Err(ours),
        None => {}
    }
    let Some(reply) = last_error.take() else {
        return Err(VerifyError::Network {
            step: "the Entra ID token endpoint",
            attempts: 1,
            detail: err.to_string(),
        });
    };
    let mut rejected = rejection(creds, &reply, subject.as_deref(), claims.as_ref())?;
    if let (Err(r), Some(sub), Some((iss, aud)), Some(client)) =
        (&mut rejected, &subject, &issuer, &creds.client_id)
        && r.federation
    {
        r.fix = fixes::federated_fix(client, iss, sub, aud);
    }
    Ok(rejected)
}

/// What Entra ID's error reply means: an outage (error) or a refusal.
fn rejection(
    creds: &Credentials,
    reply: &identity::ErrorReply,
    oidc_subject: Option<&str>,
    claims: Option<&Claims>,
) -> Result<Result<Token, Rejection>, VerifyError> {
    let status = reply.status;
    let body = serde_json::from_slice::<serde_json::Value>(&reply.body).ok();
    let description = body
        .as_ref()
        .and_then(|b| b["error_description"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("HTTP {status}"));
    if retryable_status(status) {
        let mut detail = fixes::first_line(&description);
        if let Some(note) = &reply.note {
            detail = format!("{detail} ({note})");
        }
        return Err(VerifyError::Service {
            service: "the Entra ID token endpoint",
            status,
            attempts: reply.attempts,
            detail,
        });
    }
    let code = fixes::aadsts_code(&description);
    if let (Some(code), Some(claims)) = (code, claims)
        && let Some((detail, fix)) = super::doctor::diagnose(code, creds, claims, &description)
    {
        // The doctor's fix is complete: not rewritten below.
        return Ok(Err(Rejection {
            detail,
            fix,
            federation: false,
        }));
    }
    let (cause, fix) = code.and_then(fixes::aadsts).unwrap_or((
        "Entra ID refused to issue a token",
        "check the client id, tenant id and secret against the app registration",
    ));
    let names = names_for(creds.source);
    let mut detail = format!("{cause} ({})", fixes::first_line(&description));
    let fix = match code {
        Some(7000215 | 7000222) => format!("{fix}; then update {}", names.secret),
        Some(700016 | 90002 | 900023) => {
            format!("{fix} (from {} and {})", names.client, names.tenant)
        }
        _ => fix.to_owned(),
    };
    let federation = matches!(code, Some(700213 | 7002138 | 70021 | 700211 | 700212));
    if let (Some(sub), true) = (oidc_subject, federation) {
        detail.push_str(&format!("; the token's subject is `{sub}`"));
    }
    Ok(Err(Rejection {
        detail,
        fix,
        federation,
    }))
}

/// Where this run's client id, tenant and secret came from, for fixes.
struct Names {
    client: &'static str,
    tenant: &'static str,
    secret: &'static str,
}

fn names_for(source: SourceKind) -> Names {
    match source {
        SourceKind::Flags => Names {
            client: "--client-id",
            tenant: "--tenant-id",
            secret: "AZURE_CLIENT_SECRET (or what is piped to --client-secret-stdin)",
        },
        SourceKind::AzureCredentials => Names {
            client: "AZURE_CREDENTIALS' clientId",
            tenant: "AZURE_CREDENTIALS' tenantId",
            secret: "AZURE_CREDENTIALS' clientSecret",
        },
        SourceKind::ArmEnv => Names {
            client: "ARM_CLIENT_ID",
            tenant: "ARM_TENANT_ID",
            secret: "ARM_CLIENT_SECRET",
        },
        SourceKind::AzureEnv
        | SourceKind::FederatedToken
        | SourceKind::AzureDevopsOidc
        | SourceKind::GithubOidc
        | SourceKind::ManagedIdentity
        | SourceKind::AzCli => Names {
            client: "AZURE_CLIENT_ID",
            tenant: "AZURE_TENANT_ID",
            secret: "AZURE_CLIENT_SECRET",
        },
    }
}
