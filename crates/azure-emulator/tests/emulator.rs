//! The emulator, from the outside: real HTTPS requests (reqwest, trusting
//! only the emulator's CA) against `Emulator::start`. Bound to 127.0.0.1
//! only. (`emulator serve` is the product's command; its test is there.)

use azure_emulator::{Emulator, Fault, FaultRoute, Route, Scenario, demo};
use base64::Engine as _;
use serde_json::{Value, json};
use std::time::Duration;

struct Env {
    emu: Emulator,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn start(scenario: Scenario) -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let emu = Emulator::start(scenario, 0, dir.path()).expect("emulator starts");
    let http = client(&emu.ca_pem(), Duration::from_secs(20));
    Env {
        emu,
        http,
        _dir: dir,
    }
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

async fn send(req: reqwest::RequestBuilder) -> (u16, Value, reqwest::header::HeaderMap) {
    let resp = req.send().await.expect("response");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

impl Env {
    fn scope(&self) -> String {
        format!("{}/.default", self.emu.arm_endpoint())
    }

    fn token_request(&self, tenant: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let url = format!("{}/{tenant}/oauth2/v2.0/token", self.emu.authority_host());
        self.http.post(url).form(form)
    }

    async fn secret_token(&self, tenant: &str, client_id: &str, secret: &str) -> (u16, Value) {
        let scope = self.scope();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", &scope),
        ];
        let (s, b, _) = send(self.token_request(tenant, &form)).await;
        (s, b)
    }

    async fn assertion_token(&self, client_id: &str, jwt: &str) -> (u16, Value) {
        let scope = self.scope();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", jwt),
            ("scope", &scope),
        ];
        let (s, b, _) = send(self.token_request(demo::TENANT_ID, &form)).await;
        (s, b)
    }

    async fn access_token(&self, client_id: &str, secret: &str) -> String {
        let (status, body) = self.secret_token(demo::TENANT_ID, client_id, secret).await;
        assert_eq!(status, 200, "{body}");
        body["access_token"].as_str().expect("token").to_owned()
    }

    async fn arm(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = self
            .http
            .get(format!("{}{path}", self.emu.arm_endpoint()))
            .query(&[("api-version", "2022-12-01")]);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let (s, b, _) = send(req).await;
        (s, b)
    }

    /// A v2 client-credentials token for `scope`.
    async fn app_token(&self, client_id: &str, secret: &str, scope: &str) -> String {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", scope),
        ];
        let (s, b, _) = send(self.token_request(demo::TENANT_ID, &form)).await;
        assert_eq!(s, 200, "{b}");
        b["access_token"].as_str().expect("token").to_owned()
    }

    /// The demo deployer's Resource Manager token.
    async fn deployer(&self) -> String {
        self.access_token(demo::CLIENT_ID, demo::CLIENT_SECRET)
            .await
    }

    /// Any request to the emulator: `path` may carry a query; ARM paths
    /// get an api-version when they have none.
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut url = format!("{}{path}", self.emu.base_url());
        if !path.starts_with("/graph/") && !path.contains("api-version=") {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str("api-version=2022-04-01");
        }
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        send(req).await
    }

    async fn github_jwt(&self, audience: &str) -> String {
        let req = self
            .http
            .get(self.emu.oidc_request_url())
            .query(&[("audience", audience)])
            .bearer_auth(self.emu.oidc_request_token());
        let (status, body, _) = send(req).await;
        assert_eq!(status, 200, "{body}");
        let jwt = body["value"].as_str().expect("jwt").to_owned();
        assert_eq!(body["count"], jwt.len());
        jwt
    }
}

fn sub_path(id: &str) -> String {
    format!("/subscriptions/{id}")
}

fn perm_path(id: &str) -> String {
    format!("/subscriptions/{id}/providers/Microsoft.Authorization/permissions")
}

/// Asserts Entra ID's error body shape and returns the description.
fn aad(body: &Value, error: &str, code: u64) -> String {
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let d = body["error_description"].as_str().expect("description");
    assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
    assert!(
        d.contains("\r\nTrace ID: ") && d.contains("\r\nCorrelation ID: "),
        "{d}"
    );
    for k in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[k].is_string(), "{k} in {body}");
    }
    assert_eq!(
        body["error_uri"],
        format!("https://login.microsoftonline.com/error?code={code}")
    );
    d.to_owned()
}

#[tokio::test]
async fn issues_a_token_for_the_demo_app_by_tenant_id_or_domain() {
    let env = start(Scenario::demo());
    for tenant in [demo::TENANT_ID, demo::TENANT_DOMAIN] {
        let (status, body) = env
            .secret_token(tenant, demo::CLIENT_ID, demo::CLIENT_SECRET)
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["expires_in"], 3599);
        assert_eq!(body["ext_expires_in"], 3599);
        assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    }
    let log = env.emu.requests();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|r| r.route == Route::Token && r.status == 200 && r.method == "POST")
    );
    assert_eq!(
        log[1].path,
        format!("/{}/oauth2/v2.0/token", demo::TENANT_DOMAIN)
    );
    let pem = std::fs::read_to_string(env.emu.ca_pem_path()).expect("ca.pem written");
    assert_eq!(pem, env.emu.ca_pem());
    assert_eq!(
        env.emu.base_url(),
        format!("https://127.0.0.1:{}", env.emu.port())
    );
}

// A table of cases, one per Entra ID error.
#[allow(clippy::too_many_lines)]
#[tokio::test]
async fn token_errors_are_entra_ids() {
    let env = start(Scenario::demo());
    let cases = [
        (
            "no_dots_or_guid",
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            400,
            "invalid_request",
            900023,
            "neither a valid DNS name",
        ),
        (
            "0b0b0b0b-0000-4000-8000-000000000000",
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            400,
            "invalid_request",
            90002,
            "Tenant '0b0b0b0b-0000-4000-8000-000000000000' not found",
        ),
        (
            demo::OTHER_TENANT_ID,
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            400,
            "unauthorized_client",
            700016,
            "was not found in the directory",
        ),
        (
            demo::TENANT_ID,
            demo::CLIENT_ID,
            "wrong",
            401,
            "invalid_client",
            7000215,
            "not the client secret ID",
        ),
        (
            demo::TENANT_ID,
            demo::CLIENT_ID,
            demo::CLIENT_SECRET_ID,
            401,
            "invalid_client",
            7000215,
            demo::CLIENT_ID,
        ),
        (
            demo::TENANT_ID,
            demo::EXPIRED_CLIENT_ID,
            demo::EXPIRED_SECRET,
            401,
            "invalid_client",
            7000222,
            "are expired",
        ),
    ];
    for (tenant, client, secret, status, error, code, needle) in cases {
        let (s, body) = env.secret_token(tenant, client, secret).await;
        assert_eq!(s, status, "{body}");
        let d = aad(&body, error, code);
        assert!(d.contains(needle), "{d}");
    }
    let d = env
        .secret_token(demo::OTHER_TENANT_ID, demo::CLIENT_ID, "x")
        .await
        .1;
    assert!(aad(&d, "unauthorized_client", 700016).contains(&format!("'{}'", demo::CLIENT_ID)));

    let bad_scope = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", "https://management.azure.com/.default"),
    ];
    let (s, body, _) = send(env.token_request(demo::TENANT_ID, &bad_scope)).await;
    assert_eq!(s, 400);
    assert!(aad(&body, "invalid_resource", 500011).contains("https://management.azure.com"));

    let no_credential = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("scope", &env.scope()),
    ];
    let (s, body, _) = send(env.token_request(demo::TENANT_ID, &no_credential)).await;
    assert_eq!(s, 401);
    aad(&body, "invalid_client", 7000218);

    let wrong_grant = [
        ("grant_type", "authorization_code"),
        ("client_id", demo::CLIENT_ID),
    ];
    let (s, body, _) = send(env.token_request(demo::TENANT_ID, &wrong_grant)).await;
    assert_eq!(s, 400);
    aad(&body, "unsupported_grant_type", 70003);

    // `az`'s double-slash resource spelling is the same resource.
    let az_scope = format!("{}//.default", env.emu.arm_endpoint());
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", &az_scope),
    ];
    assert_eq!(send(env.token_request(demo::TENANT_ID, &form)).await.0, 200);
}

#[test]
fn the_example_scenario_is_valid() {
    let s = Scenario::from_yaml(include_str!("../../../examples/emulator-scenario.yml"))
        .expect("example parses");
    assert_eq!(s.faults.len(), 2);
    assert_eq!(s.faults[0].route, FaultRoute::Token);
    let typo = include_str!("../../../examples/emulator-scenario.yml").replace("faults:", "fault:");
    let err = Scenario::from_yaml(&typo).expect_err("unknown keys are refused");
    assert!(
        format!("{err:#}").contains("unknown field `fault`"),
        "{err:#}"
    );
}

#[tokio::test]
async fn a_scenario_in_the_first_format_still_works() {
    // The example as it was before Graph, users' rights and replication.
    let text = include_str!("fixtures/scenario-2025-format.yml");
    let mut scenario = Scenario::from_yaml(text).expect("the old format parses");
    scenario.faults.clear();
    let env = start(scenario);
    let sub = "6d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f40";
    let (s, body) = env
        .arm(&sub_path(sub), Some("example-cli-access-token"))
        .await;
    assert_eq!(s, 200, "{body}");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "5b8e1f3a-9c2d-4a7e-b6f0-3e1d2c4b5a69"),
        ("client_secret", "Nw41Q~example-secret-value-not-real-0000"),
        ("scope", &env.scope()),
    ];
    let (s, body, _) = send(env.token_request("northwind.onmicrosoft.com", &form)).await;
    assert_eq!(s, 200, "{body}");
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(env.arm(&perm_path(sub), Some(token)).await.0, 200);
    // Its user may read Graph but was given no right to register apps.
    let (s, _, _) = env
        .call(
            "GET",
            "/graph/v1.0/applications",
            Some("example-cli-access-token"),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, _, _) = env
        .call(
            "POST",
            "/graph/v1.0/applications",
            Some("example-cli-access-token"),
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_eq!(s, 403);
}

/// The claims of a JWT (not verified).
fn claims_of(jwt: &str) -> Value {
    let seg = jwt.split('.').nth(1).expect("claims segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(seg)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

/// `error.code` of an ARM or Graph error body.
fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[path = "emulator/arm.rs"]
mod arm;
#[path = "emulator/discovery.rs"]
mod discovery;
#[path = "emulator/faults.rs"]
mod faults;
#[path = "emulator/graph.rs"]
mod graph;
#[path = "emulator/identity.rs"]
mod identity;
#[path = "emulator/oidc.rs"]
mod oidc;
#[path = "emulator/rbac.rs"]
mod rbac;
#[path = "emulator/restart.rs"]
mod restart;
#[path = "emulator/tokens.rs"]
mod tokens;
