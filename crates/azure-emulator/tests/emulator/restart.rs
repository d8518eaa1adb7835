//! The state directory and the request log: a restart keeps the CA and the
//! signing key (clients trust once, tokens keep verifying), and `--log`
//! writes one JSON line per request without a secret in it.

use super::*;
use azure_emulator::Options;

#[tokio::test]
async fn a_restart_reuses_the_ca_and_the_signing_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = Emulator::start(Scenario::demo(), 0, dir.path()).expect("first start");
    assert!(!first.ca_reused());
    let port = first.port();
    let pem = first.ca_pem();
    let http = client(&pem, Duration::from_secs(20));
    let scope = format!("{}/.default", first.arm_endpoint());
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", scope.as_str()),
    ];
    let url = format!("{}/{}/oauth2/v2.0/token", first.base_url(), demo::TENANT_ID);
    let (_, body, _) = send(http.post(&url).form(&form)).await;
    let token = body["access_token"].as_str().expect("token").to_owned();
    drop(first);

    #[cfg(unix)]
    for key in ["ca-key.pem", "token-signing-key.pem"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join(key))
            .expect(key)
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{key}");
    }

    let second = Emulator::start(Scenario::demo(), port, dir.path()).expect("second start");
    assert!(second.ca_reused());
    assert_eq!(second.ca_pem(), pem);
    // A client trusting the old CA file talks to the new server (a new
    // connection: the old one died with the old server), and the token
    // from before the restart still verifies.
    let http = client(&pem, Duration::from_secs(20));
    let sub = format!(
        "{}/subscriptions/{}?api-version=2022-12-01",
        second.base_url(),
        demo::PROD_SUBSCRIPTION_ID
    );
    let (s, body, _) = send(http.get(&sub).bearer_auth(&token)).await;
    assert_eq!(s, 200, "{body}");

    // A broken key file is refused with the way out.
    drop(second);
    std::fs::write(dir.path().join("token-signing-key.pem"), "garbage").expect("write");
    let err = Emulator::start(Scenario::demo(), 0, dir.path()).expect_err("broken key");
    assert!(
        format!("{err:#}").contains("remove it to make a new one"),
        "{err:#}"
    );
}

#[tokio::test]
async fn the_request_log_has_a_line_per_request_and_no_secret() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("requests.jsonl");
    let emu = Emulator::start_with(
        Scenario::demo(),
        &Options {
            port: 0,
            state_dir: dir.path().join("state"),
            log: Some(log.clone()),
        },
    )
    .expect("starts");
    let env = Env {
        http: client(&emu.ca_pem(), Duration::from_secs(20)),
        emu,
        _dir: tempfile::tempdir().expect("dir"),
    };
    let token = env.deployer().await;
    env.secret_token(demo::TENANT_ID, demo::CLIENT_ID, "wrong")
        .await;
    let (_, _, _) = env
        .call(
            "GET",
            &format!(
                "/subscriptions/{}?api-version=2022-12-01&code=s3cr3t",
                demo::UNASSIGNED_SUBSCRIPTION_ID
            ),
            Some(&token),
            None,
        )
        .await;
    drop(env);

    let text = std::fs::read_to_string(&log).expect("log written");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(lines[0]["method"], "POST");
    let t = lines[0]["time"].as_str().expect("time");
    assert!(
        t.len() == 24 && t.ends_with('Z') && &t[19..20] == ".",
        "{t}"
    );
    assert!(lines[0]["time"].as_str() <= lines[1]["time"].as_str());
    assert_eq!(
        lines[0]["path"],
        format!("/{}/oauth2/v2.0/token", demo::TENANT_ID)
    );
    assert_eq!(lines[0]["route"], "token");
    assert_eq!(lines[0]["status"], 200);
    assert_eq!(lines[0]["principal"], demo::CLIENT_ID);
    assert_eq!(lines[0]["error"], Value::Null);
    assert!(lines[0]["duration_ms"].as_f64().is_some_and(|d| d >= 0.0));
    assert_eq!(lines[1]["status"], 401);
    assert_eq!(lines[1]["error"], "AADSTS7000215");
    assert_eq!(lines[2]["route"], "subscription");
    assert_eq!(lines[2]["status"], 403);
    assert_eq!(lines[2]["error"], "AuthorizationFailed");
    assert_eq!(lines[2]["principal"], demo::CLIENT_ID);
    assert_eq!(lines[2]["query"], "api-version=2022-12-01&code=REDACTED");
    for secret in [
        demo::CLIENT_SECRET,
        "wrong",
        "s3cr3t",
        "eyJ",
        token.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} in the log: {text}");
    }
}
