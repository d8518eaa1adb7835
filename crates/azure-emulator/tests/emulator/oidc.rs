//! GitHub OIDC: ID tokens from the runner endpoint, exchanged as client
//! assertions, and every way the exchange is refused.

use super::*;

fn claims(jwt: &str) -> Value {
    let seg = jwt.split('.').nth(1).expect("claims segment");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(seg)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[tokio::test]
async fn github_oidc_token_exchanges_for_an_access_token() {
    let env = start(Scenario::demo());
    let jwt = env.github_jwt("api://AzureADTokenExchange").await;
    let c = claims(&jwt);
    assert_eq!(c["iss"], "https://token.actions.githubusercontent.com");
    assert_eq!(c["sub"], demo::GITHUB_SUBJECT);
    assert_eq!(c["aud"], "api://AzureADTokenExchange");
    let (iat, exp) = (
        c["iat"].as_i64().expect("iat"),
        c["exp"].as_i64().expect("exp"),
    );
    assert_eq!(exp - iat, 300);

    let (status, body) = env.assertion_token(demo::OIDC_CLIENT_ID, &jwt).await;
    assert_eq!(status, 200, "{body}");
    let token = body["access_token"].as_str().expect("token");
    let (status, sub) = env
        .arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), Some(token))
        .await;
    assert_eq!(status, 200, "{sub}");

    // The sovereign clouds' audiences are accepted too.
    let gov = env.github_jwt("api://AzureADTokenExchangeUSGov").await;
    assert_eq!(env.assertion_token(demo::OIDC_CLIENT_ID, &gov).await.0, 200);
    let routes: Vec<Route> = env.emu.requests().iter().map(|r| r.route).collect();
    assert_eq!(
        routes,
        [
            Route::Oidc,
            Route::Token,
            Route::Subscription,
            Route::Oidc,
            Route::Token
        ]
    );
    assert_eq!(env.emu.requests()[0].path, "/_github/token");
}

#[tokio::test]
async fn github_oidc_rejections() {
    let env = start(Scenario::demo());
    let url = env.emu.oidc_request_url();
    assert_eq!(send(env.http.get(&url)).await.0, 401);
    assert_eq!(send(env.http.get(&url).bearer_auth("nope")).await.0, 401);

    let good = env.github_jwt("api://AzureADTokenExchange").await;
    // An app without this federated subject.
    let (s, body) = env.assertion_token(demo::CLIENT_ID, &good).await;
    assert_eq!(s, 400);
    let d = aad(&body, "invalid_client", 700213);
    assert!(
        d.contains(&format!("subject '{}'", demo::GITHUB_SUBJECT)),
        "{d}"
    );

    let wrong_aud = env.github_jwt("https://github.com/contoso").await;
    let (s, body) = env.assertion_token(demo::OIDC_CLIENT_ID, &wrong_aud).await;
    assert_eq!(s, 400);
    let d = aad(&body, "invalid_client", 700212);
    assert!(d.contains("audience 'https://github.com/contoso'"), "{d}");

    let mut tampered = good.clone();
    tampered.push('A');
    let (s, body) = env.assertion_token(demo::OIDC_CLIENT_ID, &tampered).await;
    assert_eq!(s, 401);
    aad(&body, "invalid_client", 50013);

    let (s, body) = env.assertion_token(demo::OIDC_CLIENT_ID, "not-a-jwt").await;
    assert_eq!(s, 400);
    aad(&body, "invalid_request", 50027);

    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut c = claims(&good);
    c["sub"] = json!(demo::GITHUB_SUBJECT.to_uppercase());
    c["exp"] = json!(now + 300);
    let (s, body) = env
        .assertion_token(demo::OIDC_CLIENT_ID, &env.emu.sign_oidc_token(&c))
        .await;
    assert_eq!(s, 400);
    aad(&body, "invalid_client", 7002138);
}

#[tokio::test]
async fn expired_github_tokens_get_700024() {
    let mut scenario = Scenario::demo();
    scenario.github_oidc.as_mut().expect("oidc").expired = true;
    let env = start(scenario);
    let jwt = env.github_jwt("api://AzureADTokenExchange").await;
    let c = claims(&jwt);
    assert!(c["exp"].as_i64() < Some(time::OffsetDateTime::now_utc().unix_timestamp()));
    let (s, body) = env.assertion_token(demo::OIDC_CLIENT_ID, &jwt).await;
    assert_eq!(s, 400);
    let d = aad(&body, "invalid_client", 700024);
    assert!(d.contains("not within its valid time range"), "{d}");
}
