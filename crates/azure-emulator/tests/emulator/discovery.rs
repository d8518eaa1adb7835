//! What clients read first: cloud metadata, OpenID configurations, the
//! JWKS, instance discovery and user realms — all pointing back at the
//! emulator.

use super::*;

#[tokio::test]
async fn metadata_endpoints_describe_the_emulator_as_a_cloud() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let (s, cloud, headers) = env
        .call(
            "GET",
            "/metadata/endpoints?api-version=2022-09-01",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200, "{cloud}");
    assert_eq!(
        cloud,
        json!({
            "name": "CloudStudioEmulator",
            "authentication": {
                "loginEndpoint": base,
                "audiences": [format!("{base}/"), "https://management.core.windows.net/"],
                "tenant": "common",
                "identityProvider": "AAD",
            },
            "resourceManager": format!("{base}/"),
            "microsoftGraphResourceId": format!("{base}/graph/"),
            "suffixes": {},
        })
    );
    assert!(headers.contains_key("x-ms-request-id"));
    // Older api-versions list clouds.
    let (s, list, _) = env
        .call(
            "GET",
            "/metadata/endpoints?api-version=2019-05-01",
            None,
            None,
        )
        .await;
    assert_eq!((s, &list[0]), (200, &cloud));
    let (s, body, _) = env
        .call("GET", "/metadata/endpoints?api-version=", None, None)
        .await;
    assert_eq!((s, code(&body)), (400, "MissingApiVersionParameter"));
}

#[tokio::test]
async fn openid_configurations_per_tenant_and_for_common() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let get = |p: String| {
        let env = &env;
        async move { env.call("GET", &p, None, None).await }
    };
    // By domain: the endpoints name the tenant id, as Entra's do.
    let (s, v2, _) = get(format!(
        "/{}/v2.0/.well-known/openid-configuration",
        demo::TENANT_DOMAIN
    ))
    .await;
    assert_eq!(s, 200, "{v2}");
    let t = demo::TENANT_ID;
    assert_eq!(v2["issuer"], format!("{base}/{t}/v2.0"));
    assert_eq!(
        v2["token_endpoint"],
        format!("{base}/{t}/oauth2/v2.0/token")
    );
    assert_eq!(
        v2["authorization_endpoint"],
        format!("{base}/{t}/oauth2/v2.0/authorize")
    );
    assert_eq!(v2["jwks_uri"], format!("{base}/{t}/discovery/v2.0/keys"));
    assert_eq!(
        v2["token_endpoint_auth_methods_supported"],
        json!([
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic"
        ])
    );
    let (_, v1, _) = get(format!("/{t}/.well-known/openid-configuration")).await;
    assert_eq!(v1["issuer"], format!("{base}/{t}/"));
    assert_eq!(v1["token_endpoint"], format!("{base}/{t}/oauth2/token"));
    for multi in ["common", "organizations"] {
        let (s, c, _) = get(format!("/{multi}/v2.0/.well-known/openid-configuration")).await;
        assert_eq!(s, 200);
        assert_eq!(c["issuer"], format!("{base}/{{tenantid}}/v2.0"));
        assert_eq!(
            c["token_endpoint"],
            format!("{base}/{multi}/oauth2/v2.0/token")
        );
    }
    let (s, body, _) =
        get("/0b0b0b0b-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration".into())
            .await;
    assert_eq!(s, 400);
    aad(&body, "invalid_request", 90002);

    // The JWKS names the key that signs the tokens.
    let (s, jwks, _) = get(format!("/{t}/discovery/v2.0/keys")).await;
    assert_eq!(s, 200);
    let token = env.deployer().await;
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').next().expect("header"))
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(header["alg"], "RS256");
    assert_eq!(jwks["keys"][0]["kid"], header["kid"]);
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    let (_, common, _) = get("/common/discovery/keys".into()).await;
    assert_eq!(common, jwks);
}

#[tokio::test]
async fn instance_discovery_knows_only_the_emulator() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let port = env.emu.port();
    let ask = |endpoint: String| {
        let env = &env;
        async move {
            let url = format!("{}/common/discovery/instance", env.emu.base_url());
            let req = env.http.get(url).query(&[
                ("api-version", "1.1"),
                ("authorization_endpoint", endpoint.as_str()),
            ]);
            let (s, b, _) = send(req).await;
            (s, b)
        }
    };
    let (s, body) = ask(format!("{base}/{}/oauth2/v2.0/authorize", demo::TENANT_ID)).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["tenant_discovery_endpoint"],
        format!(
            "{base}/{}/v2.0/.well-known/openid-configuration",
            demo::TENANT_ID
        )
    );
    assert_eq!(
        body["metadata"][0]["aliases"],
        json!([format!("127.0.0.1:{port}"), format!("localhost:{port}")])
    );
    let (s, body) = ask("https://login.example.com/x/oauth2/v2.0/authorize".into()).await;
    assert_eq!(s, 400);
    aad(&body, "invalid_instance", 50049);
}

#[tokio::test]
async fn user_realm_and_interactive_sign_in() {
    let env = start(Scenario::demo());
    let (s, realm, _) = env
        .call(
            "GET",
            &format!("/common/userrealm/{}?api-version=1.0", demo::CLI_USER),
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(realm["account_type"], "Managed");
    assert_eq!(realm["domain_name"], "contoso.com");
    let (_, realm, _) = env
        .call(
            "GET",
            "/common/userrealm/nobody@x.com?api-version=1.0",
            None,
            None,
        )
        .await;
    assert_eq!(realm["account_type"], "Unknown");
    let (s, body, _) = env
        .call(
            "GET",
            &format!("/{}/oauth2/v2.0/authorize?client_id=x", demo::TENANT_ID),
            None,
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert!(aad(&body, "invalid_request", 50011).contains("az login --service-principal"));
}
