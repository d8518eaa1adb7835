//! Injected faults: statuses with Retry-After, budgets shared across
//! connections, dropped and hung requests, latency, and the request log.

use super::*;

fn fault(route: FaultRoute) -> Fault {
    Fault {
        route,
        ..Fault::default()
    }
}

#[tokio::test]
async fn status_faults_with_retry_after_use_up_their_budget() {
    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(503),
        retry_after: Some(2),
        times: Some(2),
        ..fault(FaultRoute::Token)
    }));
    let scope = env.scope();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", scope.as_str()),
    ];
    for _ in 0..2 {
        let (s, body, headers) = send(env.token_request(demo::TENANT_ID, &form)).await;
        assert_eq!(s, 503);
        assert_eq!(
            headers.get("retry-after").map(|v| v.as_bytes()),
            Some(&b"2"[..])
        );
        aad(&body, "temporarily_unavailable", 90033);
    }
    assert_eq!(send(env.token_request(demo::TENANT_ID, &form)).await.0, 200);
    let statuses: Vec<u16> = env.emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
}

#[tokio::test]
async fn coded_faults_use_the_route_s_error_shape() {
    let env = start(
        Scenario::demo()
            .with_fault(Fault {
                code: Some("AADSTS7000215".into()),
                times: Some(1),
                ..fault(FaultRoute::Token)
            })
            .with_fault(Fault {
                status: Some(429),
                code: Some("SubscriptionRequestsThrottled".into()),
                retry_after: Some(1),
                ..fault(FaultRoute::Subscription)
            }),
    );
    let (s, body) = env
        .secret_token(demo::TENANT_ID, demo::CLIENT_ID, demo::CLIENT_SECRET)
        .await;
    assert_eq!(s, 401);
    assert!(aad(&body, "invalid_client", 7000215).contains(demo::CLIENT_ID));

    let token = env.access_token(demo::CLIENT_ID, demo::CLIENT_SECRET).await;
    let (s, body) = env
        .arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(s, 429);
    assert_eq!(body["error"]["code"], "SubscriptionRequestsThrottled");
    // The fault is on `subscription` only.
    let (s, _) = env
        .arm(&perm_path(demo::PROD_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn budgets_are_shared_across_connections() {
    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(500),
        times: Some(3),
        ..fault(FaultRoute::Any)
    }));
    let url = format!(
        "{}{}",
        env.emu.arm_endpoint(),
        sub_path(demo::DEV_SUBSCRIPTION_ID)
    );
    let mut tasks = Vec::new();
    for _ in 0..8 {
        // A client each: a connection each.
        let http = client(&env.emu.ca_pem(), Duration::from_secs(20));
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let req = http
                .get(url)
                .query(&[("api-version", "2022-12-01")])
                .bearer_auth(demo::CLI_ACCESS_TOKEN);
            send(req).await.0
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 500).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(env.emu.requests().len(), 8);
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let env = start(Scenario::demo().with_fault(Fault {
        drop: true,
        times: Some(1),
        ..fault(FaultRoute::Token)
    }));
    let scope = env.scope();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", scope.as_str()),
    ];
    let err = env
        .token_request(demo::TENANT_ID, &form)
        .send()
        .await
        .expect_err("connection closed without a response");
    assert!(!err.is_timeout(), "{err:?}");
    assert_eq!(send(env.token_request(demo::TENANT_ID, &form)).await.0, 200);
    let log = env.emu.requests();
    assert_eq!((log[0].route, log[0].status), (Route::Token, 0));
    assert_eq!(log[1].status, 200);
}

#[tokio::test]
async fn hung_requests_time_out_on_the_client() {
    let env = start(Scenario::demo().with_fault(Fault {
        hang: true,
        ..fault(FaultRoute::Oidc)
    }));
    let impatient = client(&env.emu.ca_pem(), Duration::from_millis(300));
    let err = impatient
        .get(env.emu.oidc_request_url())
        .bearer_auth(env.emu.oidc_request_token())
        .send()
        .await
        .expect_err("no response");
    assert!(err.is_timeout(), "{err:?}");
    let log = env.emu.requests();
    assert_eq!((log[0].route, log[0].status), (Route::Oidc, 0));
    // Other routes are unaffected, and dropping the emulator ends the hang.
    assert_eq!(
        env.secret_token(demo::TENANT_ID, demo::CLIENT_ID, demo::CLIENT_SECRET)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn latency_delays_then_answers_normally() {
    let mut scenario = Scenario::demo().with_fault(Fault {
        latency_ms: Some(150),
        times: Some(1),
        ..fault(FaultRoute::Permissions)
    });
    scenario.latency_ms = 50;
    let env = start(scenario);
    let (s, _) = env
        .arm(
            &perm_path(demo::DEV_SUBSCRIPTION_ID),
            Some(demo::CLI_ACCESS_TOKEN),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = env
        .arm(
            &perm_path(demo::DEV_SUBSCRIPTION_ID),
            Some(demo::CLI_ACCESS_TOKEN),
        )
        .await;
    assert_eq!(s, 200);
    let log = env.emu.requests();
    // Lower bounds only: the delays are sleeps, never shorter.
    assert!(log[0].finished - log[0].started >= Duration::from_millis(200));
    assert!(log[1].finished - log[1].started >= Duration::from_millis(50));
    assert!(log[0].started <= log[1].started);
}

#[tokio::test]
async fn unknown_paths_are_logged_as_other() {
    let env = start(Scenario::demo());
    let (s, body, _) = send(
        env.http
            .get(format!("{}/nothing/here?x=1", env.emu.base_url())),
    )
    .await;
    assert_eq!(s, 404);
    assert_eq!(body["error"]["code"], "NotFound");
    let log = env.emu.requests();
    assert_eq!(
        (log[0].route, log[0].path.as_str()),
        (Route::Other, "/nothing/here")
    );
}

#[test]
fn works_from_sync_code_and_stops_on_drop() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emu = Emulator::start(Scenario::demo(), 0, dir.path()).expect("starts");
    let addr = ("127.0.0.1", emu.port());
    assert!(std::net::TcpStream::connect(addr).is_ok());
    drop(emu);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "stopped on drop"
    );
}

#[test]
fn refuses_an_invalid_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut s = Scenario::demo();
    s.role_assignments[0].principal = "ghost".into();
    let err = Emulator::start(s, 0, dir.path()).expect_err("invalid");
    assert!(format!("{err:#}").contains("'ghost'"));
}

#[tokio::test]
async fn oversized_and_endless_bodies_stream_without_end_or_memory() {
    let env = start(
        Scenario::demo()
            .with_fault(Fault {
                body_bytes: Some(3 << 20),
                times: Some(1),
                ..fault(FaultRoute::Token)
            })
            .with_fault(Fault {
                endless_body: true,
                ..fault(FaultRoute::Token)
            }),
    );
    let scope = env.scope();
    let form = [
        ("grant_type", "client_credentials"),
        ("scope", scope.as_str()),
    ];
    // Announced: Content-Length, then exactly that many bytes of JSON-looking text.
    let mut resp = env
        .token_request(demo::TENANT_ID, &form)
        .send()
        .await
        .expect("reply");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.content_length(), Some(3 << 20));
    let mut n = 0usize;
    let mut first = Vec::new();
    while let Some(chunk) = resp.chunk().await.expect("chunk") {
        if first.is_empty() {
            first = chunk.to_vec();
        }
        n += chunk.len();
    }
    assert_eq!(n, 3 << 20);
    assert!(first.starts_with(br#"{"access_token":"aaa"#));
    // Endless: no length, and still sending after 8 MiB.
    let mut resp = env
        .token_request(demo::TENANT_ID, &form)
        .send()
        .await
        .expect("reply");
    assert_eq!(resp.content_length(), None);
    let mut n = 0usize;
    while n < 8 << 20 {
        n += resp.chunk().await.expect("chunk").expect("more").len();
    }
}
