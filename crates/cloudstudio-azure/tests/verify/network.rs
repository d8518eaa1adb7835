//! The network policy end to end: retries, Retry-After, the deadline,
//! concurrency of the Resource Manager reads, and no leaks.

use super::*;

#[test]
fn throttled_token_endpoint_recovers_after_retry_after() {
    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(429),
        retry_after: Some(1),
        times: Some(1),
        ..fault(FaultRoute::Token)
    }));
    let run = env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[]);
    run.assert(0, &["✓ role"]);
    let tokens: Vec<_> = env
        .emu
        .requests()
        .into_iter()
        .filter(|r| r.route == Route::Token)
        .collect();
    assert_eq!(tokens.len(), 2, "one throttled attempt, one retry");
    assert_eq!(tokens[0].status, 429);
    // Retry-After: 1 was waited out.
    assert!(tokens[1].started.duration_since(tokens[0].finished) >= Duration::from_millis(900));
}

#[test]
fn persistent_outage_is_a_runtime_error_after_three_attempts() {
    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(503),
        ..fault(FaultRoute::Token)
    }));
    env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(
            1,
            &[
                "HTTP 503 after 3 attempt(s)",
                "Entra ID token endpoint",
                "hint:",
            ],
        );
    assert_eq!(env.count(Route::Token), 3);

    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(500),
        ..fault(FaultRoute::Permissions)
    }));
    env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(1, &["permissions read", "HTTP 500 after 3 attempt(s)"]);
    assert_eq!(env.count(Route::Permissions), 3);
    assert_eq!(env.count(Route::Token), 1);
}

#[test]
fn long_retry_after_ends_the_retries() {
    let env = start(Scenario::demo().with_fault(Fault {
        status: Some(429),
        retry_after: Some(120),
        ..fault(FaultRoute::Subscription)
    }));
    let run = env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[]);
    run.assert(1, &["HTTP 429 after 1 attempt(s)", "too long to wait"]);
    assert!(run.took < Duration::from_secs(20), "took {:?}", run.took);
}

#[test]
fn dropped_connection_is_retried() {
    let env = start(Scenario::demo().with_fault(Fault {
        drop: true,
        times: Some(1),
        ..fault(FaultRoute::Subscription)
    }));
    env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(0, &["✓ subscription"]);
    assert_eq!(env.count(Route::Subscription), 2);
}

#[test]
fn hung_endpoint_hits_the_deadline() {
    let env = start(Scenario::demo().with_fault(Fault {
        hang: true,
        ..fault(FaultRoute::Token)
    }));
    let run = env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &["--timeout", "3"]);
    run.assert(
        1,
        &[
            "did not finish within 3 s",
            "--timeout",
            "Entra ID token endpoint",
        ],
    );
    assert!(run.took < Duration::from_secs(15), "took {:?}", run.took);
}

#[test]
fn resource_manager_reads_overlap() {
    let mut scenario = Scenario::demo();
    scenario.latency_ms = 300;
    let env = start(scenario);
    env.verify(&DEPLOYER, demo::PROD_SUBSCRIPTION_ID, &[])
        .assert(0, &[]);
    let log = env.emu.requests();
    let one = |route| {
        let found: Vec<_> = log.iter().filter(|r| r.route == route).collect();
        assert_eq!(found.len(), 1, "{route:?}");
        found[0].clone()
    };
    let (token, sub, perms) = (
        one(Route::Token),
        one(Route::Subscription),
        one(Route::Permissions),
    );
    assert!(sub.started >= token.finished && perms.started >= token.finished);
    assert!(
        sub.started < perms.finished && perms.started < sub.finished,
        "the two reads must be in flight together"
    );
}

#[test]
fn no_secret_or_token_leaks() {
    let mut scenario = Scenario::demo();
    if let Some(o) = scenario.github_oidc.as_mut() {
        o.subject = "repo:contoso/infra:ref:refs/heads/other".into();
    }
    let env = start(scenario.with_fault(Fault {
        status: Some(503),
        times: Some(1),
        ..fault(FaultRoute::Permissions)
    }));
    let mut runs = Vec::new();
    for sub in [
        demo::PROD_SUBSCRIPTION_ID,
        demo::DISABLED_SUBSCRIPTION_ID,
        demo::WARNED_SUBSCRIPTION_ID,
        demo::OTHER_TENANT_SUBSCRIPTION_ID,
        demo::UNASSIGNED_SUBSCRIPTION_ID,
    ] {
        runs.push(env.verify(&DEPLOYER, sub, &[]));
        runs.push(env.verify(&DEPLOYER, sub, &["--output", "json", "-v"]));
    }
    runs.push(env.verify(
        &with(
            &DEPLOYER,
            &[("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET_ID)],
        ),
        demo::PROD_SUBSCRIPTION_ID,
        &[],
    ));
    let oidc = env.oidc_vars(demo::OIDC_CLIENT_ID);
    runs.push(env.verify(&borrow(&oidc), demo::PROD_SUBSCRIPTION_ID, &["-v"]));
    for run in &runs {
        for secret in [
            demo::CLIENT_SECRET,
            demo::GITHUB_REQUEST_TOKEN,
            demo::CLI_ACCESS_TOKEN,
        ] {
            assert!(!run.all().contains(secret), "leak in\n{}", run.all());
        }
        assert!(!run.all().contains("Bearer "), "{}", run.all());
        assert!(!run.all().contains("eyJ"), "a JWT leaked:\n{}", run.all());
    }

    // In GitHub Actions the derived tokens are masked first, then never
    // printed anywhere else.
    let gh = with(&DEPLOYER, &[("GITHUB_ACTIONS", "true")]);
    let run = env.verify(&gh, demo::PROD_SUBSCRIPTION_ID, &[]);
    run.assert(0, &[]);
    let masks: Vec<&str> = run
        .stdout
        .lines()
        .take_while(|l| l.starts_with("::add-mask::"))
        .map(|l| l.trim_start_matches("::add-mask::"))
        .collect();
    assert!(masks.contains(&demo::CLIENT_SECRET));
    assert!(
        masks.len() >= 2,
        "the ARM access token is masked too: {masks:?}"
    );
    let rest: String = run
        .stdout
        .lines()
        .skip(masks.len())
        .collect::<Vec<_>>()
        .join("\n");
    for m in &masks {
        assert!(!rest.contains(m) && !run.stderr.contains(m));
    }
}
