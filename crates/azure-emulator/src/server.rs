//! The HTTPS server: accept loop, one task per connection (hyper http1 over
//! tokio-rustls), and per request: log, latency, faults, then the route's
//! handler.

use super::http::{Reply, Req};
use super::state::State;
use super::{Route, arm, entra, github};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
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

/// Serves until `shutdown` fires (or its sender is dropped).
pub async fn run(
    listener: std::net::TcpListener,
    tls: Arc<ServerConfig>,
    state: Arc<State>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        // Only fails without a reactor, which block_on guarantees; nothing to serve.
        Err(_) => return,
    };
    let acceptor = TlsAcceptor::from(tls);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else {
                    // Out of file descriptors and the like: back off, keep serving.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let (acceptor, state) = (acceptor.clone(), state.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else { return };
                    let service = service_fn(move |req| handle(state.clone(), req));
                    // Errors here are clients going away and `drop` faults.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        }
    }
}

/// Which handler a path belongs to (ARM paths are case-insensitive).
pub fn classify(path: &str) -> Route {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let is = |s: &str, want: &str| s.eq_ignore_ascii_case(want);
    match segs.as_slice() {
        ["_github", "token"] => Route::Oidc,
        [_, "oauth2", "v2.0", "token"] => Route::Token,
        [s, _] if is(s, "subscriptions") => Route::Subscription,
        [s, _, p, ns, perm]
            if is(s, "subscriptions")
                && is(p, "providers")
                && is(ns, "Microsoft.Authorization")
                && is(perm, "permissions") =>
        {
            Route::Permissions
        }
        _ => Route::Other,
    }
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let started = Instant::now();
    let route = classify(req.uri().path());
    let slot = state.log_arrival(route, req.method().as_str(), req.uri().path(), started);
    let finish = |reply: Reply| {
        state.log_finish(slot, reply.status);
        Ok(reply.into_response())
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
            state.log_finish(slot, 0);
            // Until the client gives up or the emulator stops.
            std::future::pending::<()>().await;
        }
        if fault.drop {
            state.log_finish(slot, 0);
            return Err(Dropped);
        }
        if fault.status.is_some() || fault.code.is_some() {
            let mut reply = match route {
                Route::Token => entra::for_fault(fault.code.as_deref(), fault.status, &req).reply(),
                _ => arm::for_fault(fault.code.as_deref(), fault.status),
            };
            if let Some(secs) = fault.retry_after {
                reply = reply.header("retry-after", secs.to_string());
            }
            return finish(reply);
        }
    }
    finish(match route {
        Route::Token => entra::token(&state, &req),
        Route::Oidc => github::token(&state, &req),
        Route::Subscription => arm::subscription(&state, &req),
        Route::Permissions => arm::permissions(&state, &req),
        Route::Other => arm::arm_error(
            404,
            "NotFound",
            format!("The emulator has no resource at '{}'.", req.path),
        ),
    })
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
        assert_eq!(classify("/_github/token"), Route::Oidc);
        assert_eq!(classify("/subscriptions/x"), Route::Subscription);
        assert_eq!(classify("/subscriptions/x/"), Route::Subscription);
        assert_eq!(
            classify("/subscriptions/x/providers/microsoft.authorization/permissions"),
            Route::Permissions
        );
        assert_eq!(classify("/subscriptions/x/resourceGroups"), Route::Other);
        assert_eq!(classify("/"), Route::Other);
    }
}
