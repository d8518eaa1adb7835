//! The HTTPS server: accept loop, one task per connection (hyper http1 over
//! tokio-rustls), and per request: log, latency, faults, then the route's
//! handler, with each service's request ids. A second, plain-http listener
//! serves the managed identity endpoints alone, as Azure serves them
//! (IMDS and App Service's are plain http on the machine itself); every
//! other route there is a 404, and they are a 404 over HTTPS.

use super::http::{Reply, Req};
use super::state::State;
use super::{Route, ado, arm, discovery, entra, github, graph, identity};
use crate::body::EmuBody;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio_rustls::{TlsAcceptor, rustls::ServerConfig};

/// Returned by the service to make hyper close the connection without a
/// response (the `drop` fault).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an emulator fault")
    }
}

impl std::error::Error for Dropped {}

/// Serves until `shutdown` fires (or its sender is dropped): HTTPS on
/// `listener`, the identity endpoints over plain http on `plain`.
pub async fn run(
    listener: std::net::TcpListener,
    plain: std::net::TcpListener,
    tls: Arc<ServerConfig>,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let (Ok(listener), Ok(plain)) = (
        tokio::net::TcpListener::from_std(listener),
        tokio::net::TcpListener::from_std(plain),
    ) else {
        // Only fails without a reactor, which block_on guarantees; nothing to serve.
        return;
    };
    let acceptor = TlsAcceptor::from(tls);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = plain.accept() => {
                let Ok((tcp, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let state = state.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| handle(state.clone(), req, true));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), service)
                        .await;
                });
            }
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let (acceptor, state) = (acceptor.clone(), state.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    let service = service_fn(move |req| handle(state.clone(), req, false));
                    // Errors here are clients going away and `drop` faults.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        }
    }
}

/// Which service a path belongs to (ARM paths are case-insensitive).
pub fn classify(path: &str) -> Route {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let is = |s: &str, want: &str| s.eq_ignore_ascii_case(want);
    match segs.as_slice() {
        ["_github", "token"] | ["_ado", "oidctoken"] => Route::Oidc,
        _ if identity::is_identity(path) => Route::Identity,
        [_, o, v, t] if is(o, "oauth2") && is(v, "v2.0") && is(t, "token") => Route::Token,
        [_, o, t] if is(o, "oauth2") && is(t, "token") => Route::Token,
        _ if graph::is_graph(path) => Route::Graph,
        _ if discovery::is_discovery(path) => Route::Discovery,
        _ => arm::parse(path).map_or(Route::Other, |p| arm::route(&p)),
    }
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
    plain: bool,
) -> Result<Response<EmuBody>, Dropped> {
    let started = Instant::now();
    let route = match classify(req.uri().path()) {
        // Each listener serves its own routes only.
        r if plain != (r == Route::Identity) => Route::Other,
        r => r,
    };
    let slot = state.log_arrival(route, req.method().as_str(), req.uri().path(), started);
    let raw_query = req.uri().query().map(str::to_owned);
    let finish = |reply: Reply| {
        state.log_finish(
            slot,
            reply.status,
            reply.principal.clone(),
            reply.error.clone(),
            raw_query.as_deref(),
        );
        Ok(reply.into_response().map(EmuBody::Full))
    };
    let Some(req) = Req::read(req).await else {
        return finish(arm::arm_error(
            400,
            "InvalidRequestContent",
            "The request body could not be read or is larger than 64 KiB.",
        ));
    };
    if state.scenario.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(state.scenario.latency_ms)).await;
    }
    if let Some(fault) = state.take_fault(route) {
        if let Some(ms) = fault.latency_ms {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if fault.hang {
            state.log_finish(slot, 0, None, None, raw_query.as_deref());
            // Until the client gives up or the emulator stops.
            std::future::pending::<()>().await;
        }
        if fault.drop {
            state.log_finish(slot, 0, None, None, raw_query.as_deref());
            return Err(Dropped);
        }
        if fault.body_bytes.is_some() || fault.endless_body {
            state.log_finish(slot, 200, None, None, raw_query.as_deref());
            return Ok(oversized(fault.body_bytes));
        }
        if fault.status.is_some() || fault.code.is_some() {
            let mut reply = match route {
                Route::Token => entra::for_fault(fault.code.as_deref(), fault.status, &req).reply(),
                Route::Graph => graph::error(
                    fault.status.unwrap_or(503),
                    fault.code.as_deref().unwrap_or("serviceNotAvailable"),
                    "The emulator injected this error (scenario fault).",
                ),
                _ => arm::for_fault(fault.code.as_deref(), fault.status),
            };
            if let Some(secs) = fault.retry_after {
                reply = reply.header("retry-after", secs.to_string());
            }
            return finish(with_ids(route, reply, &req));
        }
    }
    let reply = dispatch(&state, route, &req);
    finish(with_ids(route, reply, &req))
}

/// The route's handler.
fn dispatch(state: &State, route: Route, req: &Req) -> Reply {
    match route {
        Route::Token => entra::token(state, req),
        Route::Identity
            if req
                .path
                .trim_end_matches('/')
                .eq_ignore_ascii_case(identity::IMDS_PATH) =>
        {
            identity::imds(state, req)
        }
        Route::Identity => identity::app_service(state, req),
        Route::Oidc if req.path.starts_with("/_ado/") => ado::token(state, req),
        Route::Oidc => github::token(state, req),
        Route::Discovery => discovery::handle(state, req),
        Route::Graph => graph::handle(state, req),
        Route::Subscription | Route::Permissions | Route::RoleAssignments | Route::Arm => {
            arm::handle(state, req)
        }
        Route::Other => arm::arm_error(
            404,
            "NotFound",
            format!("The emulator has no resource at '{}'.", req.path),
        ),
    }
}

/// The `body_bytes` / `endless_body` faults: a 200 whose body is `bytes`
/// long (announced by Content-Length, as a real server would) or endless
/// (chunked).
fn oversized(bytes: Option<u64>) -> Response<EmuBody> {
    let mut resp = Response::new(EmuBody::stream(bytes));
    let h = resp.headers_mut();
    h.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    if let Some(n) = bytes {
        h.insert(hyper::header::CONTENT_LENGTH, n.into());
    }
    resp
}

/// Each service's request ids (Entra's are set with its error bodies).
fn with_ids(route: Route, reply: Reply, req: &Req) -> Reply {
    match route {
        Route::Graph => graph::with_ids(reply, req),
        Route::Token | Route::Oidc | Route::Identity => reply,
        _ => arm::with_ids(reply, req),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            classify("/contoso.onmicrosoft.com/oauth2/v2.0/token"),
            Route::Token
        );
        assert_eq!(
            classify("/contoso.onmicrosoft.com/oauth2/token"),
            Route::Token
        );
        assert_eq!(classify("/_github/token"), Route::Oidc);
        assert_eq!(classify("/metadata/identity/oauth2/token"), Route::Identity);
        assert_eq!(classify("/msi/token"), Route::Identity);
        assert_eq!(classify("/subscriptions/x"), Route::Subscription);
        assert_eq!(classify("/subscriptions/x/"), Route::Subscription);
        assert_eq!(
            classify("/subscriptions/x/providers/microsoft.authorization/permissions"),
            Route::Permissions
        );
        assert_eq!(
            classify("/subscriptions/x/providers/Microsoft.Authorization/roleAssignments"),
            Route::RoleAssignments
        );
        assert_eq!(classify("/subscriptions/x/resourceGroups"), Route::Arm);
        assert_eq!(classify("/subscriptions"), Route::Arm);
        assert_eq!(classify("/metadata/endpoints"), Route::Discovery);
        assert_eq!(
            classify("/organizations/v2.0/.well-known/openid-configuration"),
            Route::Discovery
        );
        assert_eq!(classify("/common/discovery/instance"), Route::Discovery);
        assert_eq!(classify("/graph/v1.0/applications"), Route::Graph);
        assert_eq!(classify("/"), Route::Other);
        assert_eq!(classify("/nothing/here"), Route::Other);
    }
}
