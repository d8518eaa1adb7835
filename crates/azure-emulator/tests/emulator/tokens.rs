//! Entra ID's tokens: RS256 JWTs that verify with the JWKS, both token
//! endpoints, `client_secret_basic`, resource aliases, users' password and
//! refresh grants — and how Resource Manager and Graph judge what they
//! receive.

use super::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;

/// Verifies `jwt`'s RS256 signature with the emulator's JWKS.
async fn verify_with_jwks(env: &Env, jwt: &str) -> Value {
    let (_, jwks, _) = env
        .call("GET", "/common/discovery/v2.0/keys", None, None)
        .await;
    let key = &jwks["keys"][0];
    let n = B64.decode(key["n"].as_str().expect("n")).expect("n b64");
    let e = B64.decode(key["e"].as_str().expect("e")).expect("e b64");
    let (input, sig) = jwt.rsplit_once('.').expect("signature");
    aws_lc_rs::signature::RsaPublicKeyComponents { n: &n, e: &e }
        .verify(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            input.as_bytes(),
            &B64.decode(sig).expect("sig b64"),
        )
        .expect("the JWKS key verifies the token");
    claims_of(jwt)
}

#[tokio::test]
async fn access_tokens_are_rs256_jwts_with_entra_s_claims() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let token = env.deployer().await;
    let c = verify_with_jwks(&env, &token).await;
    assert_eq!(c["aud"], base);
    assert_eq!(c["iss"], format!("{base}/{}/", demo::TENANT_ID));
    assert_eq!(c["tid"], demo::TENANT_ID);
    assert_eq!(c["appid"], demo::CLIENT_ID);
    assert_eq!(c["appidacr"], "1");
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["ver"], "1.0");
    assert_eq!(c["oid"], c["sub"]);
    let (iat, exp) = (c["iat"].as_i64(), c["exp"].as_i64());
    assert_eq!(exp.zip(iat).map(|(e, i)| e - i), Some(3599));

    // The Azure CLI's resource spelling and Graph's names get their own `aud`.
    for (scope, aud) in [
        (
            "https://management.core.windows.net//.default",
            "https://management.core.windows.net/",
        ),
        (&format!("{base}//.default"), &format!("{base}/")),
        (&format!("{base}/graph/.default"), &format!("{base}/graph")),
        (
            "https://graph.microsoft.com/.default",
            "https://graph.microsoft.com",
        ),
    ] {
        let t = env
            .app_token(demo::CLIENT_ID, demo::CLIENT_SECRET, scope)
            .await;
        assert_eq!(claims_of(&t)["aud"], aud, "{scope}");
    }
}

#[tokio::test]
async fn the_v1_endpoint_and_client_secret_basic() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let url = format!("{base}/{}/oauth2/token", demo::TENANT_ID);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("resource", "https://management.core.windows.net/"),
    ];
    let (s, body, _) = send(env.http.post(&url).form(&form)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], "3599");
    assert_eq!(body["resource"], "https://management.core.windows.net/");
    let exp: i64 = body["expires_on"]
        .as_str()
        .expect("string")
        .parse()
        .expect("number");
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(claims_of(token)["exp"], exp);
    assert_eq!(
        env.arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), Some(token))
            .await
            .0,
        200
    );

    // client_secret_basic: the credentials in the Authorization header.
    let scope = env.scope();
    let v2 = format!("{base}/{}/oauth2/v2.0/token", demo::TENANT_ID);
    let basic = env
        .http
        .post(&v2)
        .basic_auth(demo::CLIENT_ID, Some(demo::CLIENT_SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ]);
    let (s, body, _) = send(basic).await;
    assert_eq!(s, 200, "{body}");
    let wrong = env
        .http
        .post(&v2)
        .basic_auth(demo::CLIENT_ID, Some("nope"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ]);
    aad(&send(wrong).await.1, "invalid_client", 7000215);
    let mismatch = env
        .http
        .post(&v2)
        .basic_auth(demo::CLIENT_ID, Some(demo::CLIENT_SECRET))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", demo::READER_CLIENT_ID),
            ("scope", scope.as_str()),
        ]);
    let (s, body, _) = send(mismatch).await;
    assert_eq!(s, 401);
    aad(&body, "invalid_client", 7000216);
}

#[tokio::test]
async fn scopes_are_checked_like_entra() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let try_scope = |scope: String| {
        let env = &env;
        async move {
            let form = [
                ("grant_type", "client_credentials"),
                ("client_id", demo::CLIENT_ID),
                ("client_secret", demo::CLIENT_SECRET),
                ("scope", scope.as_str()),
            ];
            let (s, b, _) = send(env.token_request(demo::TENANT_ID, &form)).await;
            (s, b)
        }
    };
    let (s, b) = try_scope(format!("{base}/user_impersonation")).await;
    assert_eq!(s, 400);
    aad(&b, "invalid_scope", 1002012);
    let (s, b) = try_scope(format!("{base}/.default {base}/graph/.default")).await;
    assert_eq!(s, 400);
    aad(&b, "invalid_scope", 70011);
    // An app must name its tenant.
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", demo::CLIENT_ID),
        ("client_secret", demo::CLIENT_SECRET),
        ("scope", &env.scope()),
    ];
    let (s, b, _) = send(env.token_request("common", &form)).await;
    assert_eq!(s, 400);
    aad(&b, "invalid_request", 50059);
}

#[tokio::test]
async fn resource_manager_and_graph_judge_the_tokens_they_receive() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let sub = sub_path(demo::PROD_SUBSCRIPTION_ID);
    let graph = env
        .app_token(
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            &format!("{base}/graph/.default"),
        )
        .await;
    let (s, b) = env.arm(&sub, Some(&graph)).await;
    assert_eq!((s, code(&b)), (401, "InvalidAuthenticationTokenAudience"));
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("'{base}/graph'")))
    );

    let arm = env.deployer().await;
    let (s, b, h) = env
        .call("GET", "/graph/v1.0/applications", Some(&arm), None)
        .await;
    assert_eq!((s, code(&b)), (401, "InvalidAuthenticationToken"));
    assert_eq!(
        b["error"]["message"],
        "Access token validation failure. Invalid audience."
    );
    assert!(h.contains_key("request-id"));

    // Expired beyond the five minutes of skew; issued by another issuer;
    // signed with another key.
    let mut c = claims_of(&arm);
    let now = c["iat"].as_i64().expect("iat");
    c["exp"] = json!(now - 301);
    let (s, b) = env.arm(&sub, Some(&env.emu.sign_access_token(&c))).await;
    assert_eq!((s, code(&b)), (401, "ExpiredAuthenticationToken"));
    let mut c = claims_of(&arm);
    c["iss"] = json!(format!("https://sts.windows.net/{}/", demo::TENANT_ID));
    let (s, b) = env.arm(&sub, Some(&env.emu.sign_access_token(&c))).await;
    assert_eq!((s, code(&b)), (401, "InvalidAuthenticationToken"));
    // Another emulator with its own key (a key file it finds).
    let other_dir = tempfile::tempdir().expect("dir");
    let key = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).expect("key");
    let der =
        aws_lc_rs::encoding::AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&key).expect("der");
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64::engine::general_purpose::STANDARD.encode(der.as_ref())
    );
    std::fs::write(other_dir.path().join("token-signing-key.pem"), pem).expect("key file");
    let other = Emulator::start(Scenario::demo(), 0, other_dir.path()).expect("other");
    let foreign = other.sign_access_token(&claims_of(&arm));
    let (s, b) = env.arm(&sub, Some(&foreign)).await;
    assert_eq!((s, code(&b)), (401, "InvalidAuthenticationToken"));
    assert_eq!(b["error"]["message"], "The access token is invalid.");
    // A forged claim breaks the signature.
    let mut parts: Vec<String> = arm.split('.').map(str::to_owned).collect();
    let mut c = claims_of(&arm);
    c["oid"] = json!("00000000-0000-4000-8000-000000000000");
    parts[1] = B64.encode(c.to_string());
    assert_eq!(env.arm(&sub, Some(&parts.join("."))).await.0, 401);
}

/// The Azure CLI's public client id, which `az login` signs users in with.
const AZ_CLI_APP: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

#[tokio::test]
async fn users_sign_in_with_a_password_and_refresh_for_graph() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let arm_scope = format!("{base}//.default offline_access openid profile");
    let refresh = password_sign_in(&env, &arm_scope).await;

    // The refresh token buys a Graph token, as MSAL's silent refresh does.
    let graph_scope = format!("{base}/graph/.default offline_access");
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", AZ_CLI_APP),
        ("refresh_token", refresh.as_str()),
        ("scope", graph_scope.as_str()),
    ];
    let (s, body, _) = send(env.token_request(demo::TENANT_ID, &form)).await;
    assert_eq!(s, 200, "{body}");
    let graph = body["access_token"].as_str().expect("graph token");
    let (s, me, _) = env.call("GET", "/graph/v1.0/me", Some(graph), None).await;
    assert_eq!((s, &me["userPrincipalName"]), (200, &json!(demo::CLI_USER)));

    refresh_refusals(&env, &refresh, graph, &graph_scope).await;
    password_refusals(&env, &arm_scope).await;
}

/// The cli user signs in with its password for Resource Manager, as `az
/// login -u -p` does: a user token, an id token and client info. Returns
/// the refresh token.
async fn password_sign_in(env: &Env, arm_scope: &str) -> String {
    let base = env.emu.base_url();
    let form = [
        ("grant_type", "password"),
        ("client_id", AZ_CLI_APP),
        ("username", demo::CLI_USER),
        ("password", demo::CLI_PASSWORD),
        ("scope", arm_scope),
        ("client_info", "1"),
    ];
    let (s, body, _) = send(env.token_request("organizations", &form)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["scope"], format!("{base}//.default"));
    let access = body["access_token"].as_str().expect("access");
    let c = verify_with_jwks(env, access).await;
    assert_eq!(c["upn"], demo::CLI_USER);
    assert_eq!(c["idtyp"], "user");
    assert_eq!(c["appid"], AZ_CLI_APP);
    let id = claims_of(body["id_token"].as_str().expect("id token"));
    assert_eq!(id["preferred_username"], demo::CLI_USER);
    assert_eq!(id["aud"], AZ_CLI_APP);
    let info: Value = serde_json::from_slice(
        &B64.decode(body["client_info"].as_str().expect("client_info"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(info["utid"], demo::TENANT_ID);
    assert_eq!(info["uid"], c["oid"]);
    assert_eq!(
        env.arm(&sub_path(demo::DEV_SUBSCRIPTION_ID), Some(access))
            .await
            .0,
        200
    );
    body["refresh_token"].as_str().expect("refresh").to_owned()
}

/// A refresh token is good only for the client it was issued to, and an
/// access token (`graph`) is no refresh token.
async fn refresh_refusals(env: &Env, refresh: &str, graph: &str, graph_scope: &str) {
    let other_client = [
        ("grant_type", "refresh_token"),
        ("client_id", demo::CLIENT_ID),
        ("refresh_token", refresh),
        ("scope", graph_scope),
    ];
    aad(
        &send(env.token_request(demo::TENANT_ID, &other_client))
            .await
            .1,
        "invalid_grant",
        70000,
    );
    let garbage = [
        ("grant_type", "refresh_token"),
        ("client_id", AZ_CLI_APP),
        ("refresh_token", "not-a-token"),
        ("scope", graph_scope),
    ];
    aad(
        &send(env.token_request(demo::TENANT_ID, &garbage)).await.1,
        "invalid_grant",
        70008,
    );
    let swapped = [
        ("grant_type", "refresh_token"),
        ("client_id", AZ_CLI_APP),
        ("refresh_token", graph),
        ("scope", graph_scope),
    ];
    aad(
        &send(env.token_request(demo::TENANT_ID, &swapped)).await.1,
        "invalid_grant",
        70008,
    );
}

/// A wrong password and an unknown user.
async fn password_refusals(env: &Env, arm_scope: &str) {
    let wrong = [
        ("grant_type", "password"),
        ("client_id", AZ_CLI_APP),
        ("username", demo::CLI_USER),
        ("password", "nope"),
        ("scope", arm_scope),
    ];
    let (s, body, _) = send(env.token_request(demo::TENANT_ID, &wrong)).await;
    assert_eq!(s, 400);
    aad(&body, "invalid_grant", 50126);
    let stranger = [
        ("grant_type", "password"),
        ("client_id", AZ_CLI_APP),
        ("username", "nobody@contoso.com"),
        ("password", "x"),
        ("scope", arm_scope),
    ];
    aad(
        &send(env.token_request(demo::TENANT_ID, &stranger)).await.1,
        "invalid_grant",
        50034,
    );
}

#[tokio::test]
async fn an_app_without_a_service_principal_gets_7000229() {
    let mut scenario = Scenario::demo();
    scenario.apps[0].service_principal = false;
    let env = start(scenario);
    let (s, body) = env
        .secret_token(demo::TENANT_ID, demo::CLIENT_ID, demo::CLIENT_SECRET)
        .await;
    assert_eq!(s, 401);
    assert!(aad(&body, "invalid_client", 7000229).contains("missing service principal"));
}
