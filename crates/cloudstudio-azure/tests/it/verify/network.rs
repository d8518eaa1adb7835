//! The network policy through the binary: retries on 429/5xx/dropped
//! connections, at most 3 attempts, Retry-After over 30 s ends the retries,
//! the `--timeout` deadline; one token per run and the Resource Manager
//! reads in parallel.

use super::*;
use azure_emulator::{Fault, FaultRoute};

fn fault(route: FaultRoute) -> Fault {
    Fault {
        route,
        ..Fault::default()
    }
}

fn start_with(f: Fault) -> (Emu, World) {
    let e = Emu::start(Scenario::demo().with_fault(f));
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    (e, w)
}

#[test]
fn token_429_with_retry_after_1_recovers() {
    let (e, w) = start_with(Fault {
        status: Some(429),
        retry_after: Some(1),
        times: Some(1),
        ..fault(FaultRoute::Token)
    });
    let (r, took) = timed(|| e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]));
    assert_exit(&r, 0);
    let tokens: Vec<u16> = e
        .emu
        .requests()
        .iter()
        .filter(|r| r.route == Route::Token)
        .map(|r| r.status)
        .collect();
    assert_eq!(tokens, [429, 200]);
    // Retry-After was waited out (not the ~400 ms backoff).
    let log = e.emu.requests();
    assert!(
        log[1].started.duration_since(log[0].finished) >= Duration::from_millis(900),
        "Retry-After: 1 was not honoured"
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn persistent_token_503_gives_up_after_3_attempts() {
    let (e, w) = start_with(Fault {
        status: Some(503),
        ..fault(FaultRoute::Token)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 1);
    assert_eq!(e.log(), [(Route::Token, 503); 3]);
    assert_mentions(&r.stderr, &["Entra ID", "503", "hint:"]);
    assert!(!r.stdout.contains("✗"), "an outage is not a failed check");
}

#[test]
fn subscription_503_twice_recovers() {
    let (e, w) = start_with(Fault {
        status: Some(503),
        times: Some(2),
        ..fault(FaultRoute::Subscription)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    assert_eq!(r.json()["passed"], true);
    let subs: Vec<u16> = e
        .log()
        .into_iter()
        .filter(|(route, _)| *route == Route::Subscription)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(subs, [503, 503, 200]);
    assert_eq!(e.count(Route::Token), 1);
    assert_eq!(e.count(Route::Permissions), 1);
}

#[test]
fn persistent_permissions_503_is_an_outage() {
    let (e, w) = start_with(Fault {
        status: Some(503),
        ..fault(FaultRoute::Permissions)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 1);
    assert_eq!(e.count(Route::Permissions), 3);
    assert_mentions(&r.stderr, &["Resource Manager", "503"]);
}

#[test]
fn retry_after_over_30s_ends_the_retries_at_once() {
    let (e, w) = start_with(Fault {
        status: Some(429),
        retry_after: Some(120),
        ..fault(FaultRoute::Token)
    });
    let (r, took) = timed(|| e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]));
    assert_exit(&r, 1);
    assert_eq!(e.log(), [(Route::Token, 429)]);
    assert_mentions(&r.stderr, &["429"]);
    assert!(took < Duration::from_secs(20), "it waited: {took:?}");
}

#[test]
fn arm_retry_after_over_30s_ends_the_retries_at_once() {
    let (e, w) = start_with(Fault {
        status: Some(429),
        retry_after: Some(120),
        ..fault(FaultRoute::Subscription)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 1);
    assert_eq!(e.count(Route::Subscription), 1, "{:?}", e.log());
    assert_mentions(&r.stderr, &["Resource Manager", "429"]);
}

#[test]
fn a_hung_token_request_hits_the_deadline() {
    let (e, w) = start_with(Fault {
        hang: true,
        ..fault(FaultRoute::Token)
    });
    let (r, took) = timed(|| e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--timeout", "3"]));
    assert_exit(&r, 1);
    assert_mentions(&r.stderr, &["deadline", "--timeout"]);
    assert!(took < Duration::from_secs(20), "{took:?}");
    assert_eq!(e.count(Route::Token), 1);
}

#[test]
fn a_hung_subscription_read_hits_the_deadline() {
    let (e, w) = start_with(Fault {
        hang: true,
        ..fault(FaultRoute::Subscription)
    });
    let (r, took) = timed(|| e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--timeout", "3"]));
    assert_exit(&r, 1);
    assert_mentions(&r.stderr, &["deadline"]);
    assert!(took < Duration::from_secs(20), "{took:?}");
}

#[test]
fn a_dropped_token_connection_is_retried() {
    let (e, w) = start_with(Fault {
        drop: true,
        times: Some(1),
        ..fault(FaultRoute::Token)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    let tokens: Vec<u16> = e
        .log()
        .into_iter()
        .filter(|(route, _)| *route == Route::Token)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(tokens, [0, 200]);
}

#[test]
fn a_dropped_arm_connection_is_retried() {
    let (e, w) = start_with(Fault {
        drop: true,
        times: Some(1),
        ..fault(FaultRoute::Permissions)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    let perms: Vec<u16> = e
        .log()
        .into_iter()
        .filter(|(route, _)| *route == Route::Permissions)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(perms, [0, 200]);
}

#[test]
fn access_errors_are_not_retried() {
    // 401 AuthorizationFailed-style refusals are answers, not outages.
    let (e, w) = start_with(Fault {
        code: Some("AuthorizationFailed".into()),
        ..fault(FaultRoute::Subscription)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    assert_eq!(e.count(Route::Subscription), 1);
}

#[test]
fn arm_reads_overlap_in_time() {
    // Each read takes at least 1.5 s: run one after the other they cannot
    // overlap; run together they do, however loaded the machine.
    let slow = |route| Fault {
        latency_ms: Some(1500),
        times: Some(1),
        ..fault(route)
    };
    let e = Emu::start(
        Scenario::demo()
            .with_fault(slow(FaultRoute::Subscription))
            .with_fault(slow(FaultRoute::Permissions)),
    );
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    let log = e.emu.requests();
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log[0].route, Route::Token);
    let find = |route| {
        log.iter()
            .find(|r| r.route == route)
            .unwrap_or_else(|| panic!("no {route:?} request"))
    };
    let (sub, perms) = (find(Route::Subscription), find(Route::Permissions));
    assert!(
        sub.started < perms.finished && perms.started < sub.finished,
        "the subscription and permissions reads did not overlap: {sub:?} {perms:?}"
    );
    // And both came after the token.
    assert!(sub.started >= log[0].finished && perms.started >= log[0].finished);
}

#[test]
fn one_token_request_per_successful_run() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    for n in 1..=3 {
        let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
        assert_exit(&r, 0);
        assert_eq!(e.count(Route::Token), n);
        assert_eq!(e.count(Route::Subscription), n);
        assert_eq!(e.count(Route::Permissions), n);
    }
}

/// `-v` numbers the attempts of a retried request.
#[test]
fn verbose_shows_each_attempt() {
    let (e, w) = start_with(Fault {
        status: Some(503),
        times: Some(1),
        ..fault(FaultRoute::Subscription)
    });
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["-v"]);
    assert_exit(&r, 0);
    let sub = format!("/subscriptions/{} -> ", demo::PROD_SUBSCRIPTION_ID);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| l.contains(&sub)).collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert!(lines[0].contains("-> 503 in ") && lines[0].ends_with("(attempt 1/3)"));
    assert!(lines[1].contains("-> 200 in ") && lines[1].ends_with("(attempt 2/3)"));
}
