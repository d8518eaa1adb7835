//! `emulator serve` through the binary: the emulator crate tests the
//! emulator itself; this checks the product's command around it.

use crate::support::bin;
use azure_emulator::demo;
use serde_json::Value;
use std::io::BufRead as _;
use std::time::Duration;

/// Kills the server even when an assertion fails first.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn serve_prints_endpoints_as_json_and_answers() {
    let state = tempfile::tempdir().expect("temp dir");
    let child = bin(state.path())
        .args([
            "emulator",
            "serve",
            "--port",
            "0",
            "--output",
            "json",
            "--state-dir",
        ])
        .arg(state.path())
        .spawn();
    let mut child = Child(child);
    let stdout = child.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    })
    .await
    .expect("reader")
    .expect("first line");
    let info: Value = serde_json::from_str(&line).expect("one JSON object on the first line");

    let base = info["base_url"].as_str().expect("base_url");
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    assert_eq!(info["authority_host"], base);
    assert_eq!(info["arm_endpoint"], base);
    assert_eq!(
        info["oidc_request_url"],
        format!("{base}/_github/token?api-version=2.0")
    );
    assert_eq!(info["oidc_request_token"], demo::GITHUB_REQUEST_TOKEN);
    let ca_path = info["ca_pem_path"].as_str().expect("ca_pem_path");
    assert_eq!(std::path::Path::new(ca_path), state.path().join("ca.pem"));

    let ca = std::fs::read_to_string(ca_path).expect("CA written");
    let http = client(&ca, Duration::from_secs(20));
    let scope = format!("{base}/.default");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", scope.as_str()),
    ];
    let url = format!("{base}/{}/oauth2/v2.0/token", demo::TENANT_ID);
    let (status, body) = send(http.post(url).form(&form)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
}

#[test]
fn serve_refuses_a_broken_scenario_with_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("scenario.yml");
    std::fs::write(
        &file,
        "tenants: []\nsubscriptions:\n  - id: 1\n    colour: red\n",
    )
    .expect("write");
    let out = bin(dir.path())
        .args(["emulator", "serve", "--scenario"])
        .arg(&file)
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("colour") && err.contains("line 4"), "{err}");
}

fn client(ca_pem: &str, timeout: Duration) -> reqwest::Client {
    let certs = reqwest::Certificate::from_pem_bundle(ca_pem.as_bytes()).expect("CA parses");
    reqwest::Client::builder()
        .tls_certs_only(certs)
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("client builds")
}

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("response");
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body)
}
