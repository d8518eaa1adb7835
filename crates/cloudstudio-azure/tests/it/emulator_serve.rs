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

/// Starts `emulator serve --output json` with `extra` arguments; returns
/// the server and the JSON document it printed first.
async fn serve_json(extra: &[&std::ffi::OsStr]) -> (Child, Value) {
    let cwd = tempfile::tempdir().expect("temp dir");
    let child = bin(cwd.path())
        .args(["emulator", "serve", "--output", "json"])
        .args(extra)
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
    (child, info)
}

#[tokio::test]
async fn serve_prints_endpoints_as_json_and_answers() {
    let state = tempfile::tempdir().expect("temp dir");
    let (_child, info) = serve_json(&[
        "--port".as_ref(),
        "0".as_ref(),
        "--state-dir".as_ref(),
        state.path().as_os_str(),
    ])
    .await;

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

    // What scripts read besides: Graph, the metadata host, the environment.
    assert_eq!(info["graph_endpoint"], format!("{base}/graph"));
    assert_eq!(info["metadata_host"], base.trim_start_matches("https://"));
    assert_eq!(info["cloud_name"], "CloudStudioEmulator");
    assert_eq!(info["ca_reused"], false);
    assert_eq!(info["env"]["REQUESTS_CA_BUNDLE"], ca_path);
    assert_eq!(info["env"]["AZURE_AUTHORITY_HOST"], base);
    assert_eq!(info["demo"]["cli_user"], demo::CLI_USER);

    // The managed identity endpoints, plain http as on Azure: the demo's
    // system-assigned identity from IMDS.
    let imds = info["imds_endpoint"].as_str().expect("imds_endpoint");
    assert!(imds.starts_with("http://127.0.0.1:"), "{imds}");
    assert_eq!(info["identity_endpoint"], format!("{imds}/msi/token"));
    assert_eq!(info["identity_header"], demo::IDENTITY_HEADER);
    let plain = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let (status, body) = send(
        plain
            .get(format!("{imds}/metadata/identity/oauth2/token"))
            .query(&[("api-version", "2018-02-01"), ("resource", base)])
            .header("Metadata", "true"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["client_id"], demo::MI_CLIENT_ID);
    assert_eq!(
        info["az_commands"][0],
        format!("az cloud register --name CloudStudioEmulator --endpoint-resource-manager {base}/")
    );
}

#[tokio::test]
async fn a_second_start_reuses_the_ca_and_logs_requests() {
    let state = tempfile::tempdir().expect("temp dir");
    let log = state.path().join("requests.jsonl");
    let args = |log: bool| {
        let mut a: Vec<std::ffi::OsString> = vec!["--state-dir".into(), state.path().into()];
        if log {
            a.extend(["--log".into(), state.path().join("requests.jsonl").into()]);
        }
        a
    };
    let first = args(false);
    let first: Vec<&std::ffi::OsStr> = first.iter().map(|a| a.as_os_str()).collect();
    let (child, info) = serve_json(&first).await;
    let ca = std::fs::read_to_string(info["ca_pem_path"].as_str().expect("path")).expect("CA");
    drop(child);

    let second = args(true);
    let second: Vec<&std::ffi::OsStr> = second.iter().map(|a| a.as_os_str()).collect();
    let (_child, info) = serve_json(&second).await;
    assert_eq!(info["ca_reused"], true);
    assert_eq!(info["log"], log.display().to_string());
    // A client that trusted the first start's CA trusts this one.
    let http = client(&ca, Duration::from_secs(20));
    let base = info["base_url"].as_str().expect("base_url");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", &format!("{base}/.default")),
    ];
    let url = format!("{base}/{}/oauth2/v2.0/token", demo::TENANT_ID);
    let (status, body) = send(http.post(url).form(&form)).await;
    assert_eq!(status, 200, "{body}");
    let text = std::fs::read_to_string(&log).expect("log");
    let line: Value = serde_json::from_str(text.lines().next().expect("a line")).expect("JSON");
    assert_eq!(line["route"], "token");
    assert_eq!(line["principal"], demo::CLIENT_ID);
    assert!(
        !text.contains(demo::CLIENT_SECRET) && !text.contains("eyJ"),
        "{text}"
    );
}

#[tokio::test]
async fn print_env_points_clients_at_the_emulator_it_then_serves() {
    let state = tempfile::tempdir().expect("temp dir");
    let dir = state.path().join("state");
    // A free port, then released for the server.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
        .to_string();
    let out = bin(state.path())
        .args([
            "emulator",
            "serve",
            "--port",
            &port,
            "--print-env",
            "--state-dir",
        ])
        .arg(&dir)
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let base = format!("https://127.0.0.1:{port}");
    let ca = dir.join("ca.pem").display().to_string();
    for line in [
        format!("export REQUESTS_CA_BUNDLE='{ca}'"),
        format!("export SSL_CERT_FILE='{ca}'"),
        format!("export AZURE_AUTHORITY_HOST='{base}'"),
        "export AZURE_CORE_INSTANCE_DISCOVERY='false'".into(),
        format!("export ARM_METADATA_HOSTNAME='127.0.0.1:{port}'"),
        format!(
            "#   az cloud register --name CloudStudioEmulator --endpoint-resource-manager {base}/"
        ),
        "#   az cloud set --name CloudStudioEmulator".into(),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in:\n{text}"
        );
    }
    // Every line is a comment or an export a shell accepts.
    let shell = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{text}\nprintf '%s|%s' \"$SSL_CERT_FILE\" \"$ARM_METADATA_HOSTNAME\""
        ))
        .output()
        .expect("sh runs");
    assert_eq!(
        String::from_utf8_lossy(&shell.stdout),
        format!("{ca}|127.0.0.1:{port}")
    );

    // The server started next with the same arguments is the one described.
    let (_child, info) = serve_json(&[
        "--port".as_ref(),
        port.as_ref(),
        "--state-dir".as_ref(),
        dir.as_os_str(),
    ])
    .await;
    assert_eq!(info["base_url"], base);
    assert_eq!(info["ca_reused"], true);
    let pem = std::fs::read_to_string(&ca).expect("CA printed exists");
    let http = client(&pem, Duration::from_secs(20));
    let (status, cloud) =
        send(http.get(format!("{base}/metadata/endpoints?api-version=2022-09-01"))).await;
    assert_eq!(status, 200);
    assert_eq!(cloud["resourceManager"], format!("{base}/"));

    // Port 0 cannot be printed for.
    let out = bin(state.path())
        .args([
            "emulator",
            "serve",
            "--port",
            "0",
            "--print-env",
            "--state-dir",
        ])
        .arg(&dir)
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a fixed --port"));
}

#[test]
fn serve_refuses_a_broken_scenario_with_its_line() {
    let state = tempfile::tempdir().expect("temp dir");
    let file = state.path().join("scenario.yml");
    std::fs::write(
        &file,
        "tenants: []\nsubscriptions:\n  - id: 1\n    colour: red\n",
    )
    .expect("write");
    let out = bin(state.path())
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
