//! Invalid input (exit 2) before any request: cloud flags and
//! `SSL_CERT_FILE`.

use super::*;

#[test]
fn custom_cloud_without_endpoints_is_exit_2() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    for args in [
        vec!["--cloud", "custom"],
        vec![
            "--cloud",
            "custom",
            "--authority-host",
            "https://127.0.0.1:1",
        ],
    ] {
        let mut full = vec!["verify", "--subscription-id", demo::PROD_SUBSCRIPTION_ID];
        full.extend(args);
        let r = w.run(&full);
        e.assert_no_leak(&r, &full);
        assert_exit(&r, 2);
        assert_mentions(&r.stderr, &["--authority-host", "--arm-endpoint"]);
    }
    assert!(e.emu.requests().is_empty());
}

#[test]
fn plain_http_endpoint_is_exit_2() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let http = e.emu.base_url().replace("https://", "http://");
    let args = [
        "verify",
        "--cloud",
        "custom",
        "--authority-host",
        &http,
        "--arm-endpoint",
        &http,
        "--subscription-id",
        demo::PROD_SUBSCRIPTION_ID,
    ];
    let r = w.run(&args);
    e.assert_no_leak(&r, &args);
    assert_exit(&r, 2);
    assert_mentions(&r.stderr, &["https://"]);
    assert!(e.emu.requests().is_empty());
}

#[test]
fn missing_ssl_cert_file_is_exit_2() {
    let e = Emu::demo();
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let missing = w.path().join("no-such-ca.pem");
    w.env("SSL_CERT_FILE", missing.to_str().expect("utf-8"));
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 2);
    assert_mentions(&r.stderr, &["SSL_CERT_FILE", "no-such-ca.pem"]);
    assert!(e.emu.requests().is_empty());
}

#[test]
fn ssl_cert_file_that_is_not_pem_is_exit_2() {
    let e = Emu::demo();
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let bad = w.write("bad.pem", "this is not a certificate\n");
    w.env("SSL_CERT_FILE", bad.to_str().expect("utf-8"));
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 2);
    assert_mentions(&r.stderr, &["SSL_CERT_FILE"]);
}

#[test]
fn untrusted_emulator_ca_is_a_network_failure() {
    // Without SSL_CERT_FILE the emulator's certificate is not trusted: a
    // TLS failure is a runtime failure (exit 1) naming the hint, no retries
    // storm and no leak.
    let e = Emu::demo();
    let mut w = World::new();
    w.env("AZURE_CLIENT_ID", demo::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("AZURE_TENANT_ID", demo::TENANT_ID);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--timeout", "10", "-v"]);
    assert_exit(&r, 1);
    assert_mentions(&r.stderr, &["SSL_CERT_FILE", "(attempt 1/3)"]);
    // A refused certificate is not retried: one attempt.
    assert!(!r.stderr.contains("attempt 2/3"), "{}", r.stderr);
}
