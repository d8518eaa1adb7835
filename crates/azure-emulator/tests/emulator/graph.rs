//! Microsoft Graph: registering an app the way `init` and `az ad` do —
//! application, password, federated credential, service principal — with
//! the rights the scenario gives, and the replication delay.

use super::*;

const CLI: &str = demo::CLI_ACCESS_TOKEN;

/// Registers `name` as the cli user; returns (object id, app id).
async fn register(env: &Env, name: &str) -> (String, String) {
    let (s, app, _) = env
        .call(
            "POST",
            "/graph/v1.0/applications",
            Some(CLI),
            Some(json!({"displayName": name})),
        )
        .await;
    assert_eq!(s, 201, "{app}");
    (
        app["id"].as_str().expect("id").to_owned(),
        app["appId"].as_str().expect("appId").to_owned(),
    )
}

#[tokio::test]
async fn an_app_registration_from_scratch() {
    let env = start(Scenario::demo());
    let (id, app_id) = register(&env, "cloudstudio-ci").await;
    read_by_id_app_id_and_filter(&env, &id, &app_id).await;
    let secret = a_password_shown_once(&env, &id).await;
    let (sp, token) = a_service_principal_lets_it_sign_in(&env, &app_id, &secret).await;
    found_the_ways_az_looks(&env, &id, &app_id, &sp, &token).await;

    // Deleting the app takes its principal with it.
    assert_eq!(
        env.call(
            "DELETE",
            &format!("/graph/v1.0/applications/{id}"),
            Some(CLI),
            None
        )
        .await
        .0,
        204
    );
    let (s, body) = env.secret_token(demo::TENANT_ID, &app_id, &secret).await;
    assert_eq!(s, 400);
    aad(&body, "unauthorized_client", 700016);
}

/// The new app read back by object id, by `appId` and through `$filter`.
async fn read_by_id_app_id_and_filter(env: &Env, id: &str, app_id: &str) {
    let (s, app, h) = env
        .call(
            "GET",
            &format!("/graph/v1.0/applications/{id}"),
            Some(CLI),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(h.contains_key("request-id"));
    assert_eq!(app["appId"], app_id);
    assert_eq!(app["displayName"], "cloudstudio-ci");
    assert_eq!(app["signInAudience"], "AzureADMyOrg");
    assert_eq!(app["passwordCredentials"], json!([]));
    let base = env.emu.base_url();
    assert_eq!(
        app["@odata.context"],
        format!("{base}/graph/v1.0/$metadata#applications/$entity")
    );
    let (_, by_app_id, _) = env
        .call(
            "GET",
            &format!("/graph/v1.0/applications(appId='{app_id}')"),
            Some(CLI),
            None,
        )
        .await;
    assert_eq!(by_app_id["id"], id);
    for filter in [
        format!("appId eq '{app_id}'"),
        "displayName eq 'cloudstudio-ci'".into(),
        "startswith(displayName,'cloudstudio')".into(),
    ] {
        let path = format!(
            "/graph/v1.0/applications?$filter={}",
            filter.replace(' ', "%20")
        );
        let (s, list, _) = env.call("GET", &path, Some(CLI), None).await;
        assert_eq!(s, 200, "{filter}");
        assert_eq!(
            list["value"].as_array().map(Vec::len),
            Some(1),
            "{filter}: {list}"
        );
    }
    let (s, b, _) = env
        .call(
            "GET",
            "/graph/v1.0/applications?$filter=appId%20ne%20'x'",
            Some(CLI),
            None,
        )
        .await;
    assert_eq!((s, code(&b)), (400, "Request_UnsupportedQuery"));
}

/// A password: its text is returned once, then only its hint. Returns the
/// text.
async fn a_password_shown_once(env: &Env, id: &str) -> String {
    let (s, pw, _) = env
        .call(
            "POST",
            &format!("/graph/v1.0/applications/{id}/addPassword"),
            Some(CLI),
            Some(json!({"passwordCredential": {"displayName": "ci", "endDateTime": "2099-01-01T00:00:00Z"}})),
        )
        .await;
    assert_eq!(s, 200, "{pw}");
    let secret = pw["secretText"].as_str().expect("secretText").to_owned();
    assert_eq!(secret.len(), 40);
    assert_eq!(&secret[4..6], "Q~");
    assert_eq!(pw["hint"], &secret[..3]);
    assert_eq!(pw["endDateTime"], "2099-01-01T00:00:00Z");
    let (_, app, _) = env
        .call(
            "GET",
            &format!("/graph/v1.0/applications/{id}"),
            Some(CLI),
            None,
        )
        .await;
    assert!(!app.to_string().contains(&secret));
    assert_eq!(app["passwordCredentials"][0]["keyId"], pw["keyId"]);
    assert_eq!(app["passwordCredentials"][0]["secretText"], Value::Null);
    secret
}

/// No service principal yet: the token endpoint says so; once created
/// (only once), the app gets tokens for it. Returns it and a token.
async fn a_service_principal_lets_it_sign_in(
    env: &Env,
    app_id: &str,
    secret: &str,
) -> (Value, String) {
    let (s, body) = env.secret_token(demo::TENANT_ID, app_id, secret).await;
    assert_eq!(s, 401);
    aad(&body, "invalid_client", 7000229);
    let (s, sp, _) = env
        .call(
            "POST",
            "/graph/v1.0/servicePrincipals",
            Some(CLI),
            Some(json!({"appId": app_id})),
        )
        .await;
    assert_eq!(s, 201, "{sp}");
    assert_eq!(sp["servicePrincipalNames"], json!([app_id]));
    let (s, b, _) = env
        .call(
            "POST",
            "/graph/v1.0/servicePrincipals",
            Some(CLI),
            Some(json!({"appId": app_id})),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (409, "Request_MultipleObjectsWithSameKeyValue")
    );
    let token = env.access_token(app_id, secret).await;
    assert_eq!(claims_of(&token)["oid"], sp["id"]);
    (sp, token)
}

/// Found the ways `az` looks for it: `$filter`, `getByIds`, `owners`.
async fn found_the_ways_az_looks(env: &Env, id: &str, app_id: &str, sp: &Value, token: &str) {
    for path in [
        format!("/graph/v1.0/servicePrincipals?$filter=appId%20eq%20'{app_id}'"),
        format!(
            "/graph/v1.0/servicePrincipals?$filter=servicePrincipalNames/any(c:c%20eq%20'{app_id}')"
        ),
    ] {
        let (_, list, _) = env.call("GET", &path, Some(CLI), None).await;
        assert_eq!(list["value"][0]["id"], sp["id"], "{path}");
    }
    let me = claims_of(token)["oid"].as_str().expect("oid").to_owned();
    let (s, objects, _) = env
        .call(
            "POST",
            "/graph/v1.0/directoryObjects/getByIds",
            Some(CLI),
            Some(json!({"ids": [me, "00000000-0000-4000-8000-000000000000"], "types": ["user", "servicePrincipal"]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(objects["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        objects["value"][0]["@odata.type"],
        "#microsoft.graph.servicePrincipal"
    );
    let (_, owners, _) = env
        .call(
            "GET",
            &format!("/graph/v1.0/applications/{id}/owners"),
            Some(CLI),
            None,
        )
        .await;
    assert_eq!(owners["value"][0]["userPrincipalName"], demo::CLI_USER);
}

#[tokio::test]
async fn federated_identity_credentials() {
    let env = start(Scenario::demo());
    let (id, _) = register(&env, "oidc-app").await;
    let path = format!("/graph/v1.0/applications/{id}/federatedIdentityCredentials");
    let fic = json!({
        "name": "github-main",
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:contoso/infra:ref:refs/heads/main",
        "audiences": ["api://AzureADTokenExchange"],
        "description": "main branch",
    });
    let (s, created, _) = env.call("POST", &path, Some(CLI), Some(fic.clone())).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["subject"], fic["subject"]);
    let fic_id = created["id"].as_str().expect("id").to_owned();
    let (s, b, _) = env.call("POST", &path, Some(CLI), Some(fic.clone())).await;
    assert_eq!(
        (s, code(&b)),
        (409, "Request_MultipleObjectsWithSameKeyValue")
    );
    let mut same_subject = fic.clone();
    same_subject["name"] = json!("another");
    assert_eq!(
        env.call("POST", &path, Some(CLI), Some(same_subject))
            .await
            .0,
        409
    );
    for (k, v) in [
        ("name", json!("-bad name")),
        ("issuer", json!("http://x")),
        ("audiences", json!([])),
    ] {
        let mut bad = fic.clone();
        bad[k] = v;
        bad["name"] = if k == "name" {
            bad["name"].clone()
        } else {
            json!("other")
        };
        let (s, b, _) = env.call("POST", &path, Some(CLI), Some(bad)).await;
        assert_eq!((s, code(&b)), (400, "Request_BadRequest"), "{k}");
    }
    let (_, list, _) = env.call("GET", &path, Some(CLI), None).await;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    let (s, one, _) = env
        .call("GET", &format!("{path}/{fic_id}"), Some(CLI), None)
        .await;
    assert_eq!((s, &one["name"]), (200, &json!("github-main")));
    assert_eq!(
        env.call("DELETE", &format!("{path}/{fic_id}"), Some(CLI), None)
            .await
            .0,
        204
    );
    assert_eq!(
        env.call("GET", &format!("{path}/{fic_id}"), Some(CLI), None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn graph_writes_need_the_rights_the_scenario_gives() {
    let env = start(Scenario::demo());
    let base = env.emu.base_url();
    let deployer = env
        .app_token(
            demo::CLIENT_ID,
            demo::CLIENT_SECRET,
            &format!("{base}/graph/.default"),
        )
        .await;
    // Reading is fine; registering an app is not.
    let (s, list, _) = env
        .call("GET", "/graph/v1.0/applications", Some(&deployer), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(list["value"].as_array().map(Vec::len), Some(4));
    let (s, b, _) = env
        .call(
            "POST",
            "/graph/v1.0/applications",
            Some(&deployer),
            Some(json!({"displayName": "x"})),
        )
        .await;
    assert_eq!((s, code(&b)), (403, "Authorization_RequestDenied"));
    assert_eq!(
        b["error"]["message"],
        "Insufficient privileges to complete the operation."
    );
    cli_user_registers_but_changes_only_its_own(&env).await;
    // `me` is for users.
    let (s, b, _) = env
        .call("GET", "/graph/v1.0/me", Some(&deployer), None)
        .await;
    assert_eq!((s, code(&b)), (400, "BadRequest"));
    let (s, me, _) = env.call("GET", "/graph/v1.0/me", Some(CLI), None).await;
    assert_eq!((s, &me["userPrincipalName"]), (200, &json!(demo::CLI_USER)));
    let (s, b, _) = env
        .call("GET", "/graph/v1.0/applications", None, None)
        .await;
    assert_eq!((s, code(&b)), (401, "InvalidAuthenticationToken"));

    // Owners named in the scenario may change the app.
    let mut scenario = Scenario::demo();
    scenario.apps[0].owners = vec![demo::CLI_USER.into()];
    let env = start(scenario);
    let (s, _, _) = env
        .call(
            "POST",
            &format!(
                "/graph/v1.0/applications(appId='{}')/addPassword",
                demo::CLIENT_ID
            ),
            Some(CLI),
            None,
        )
        .await;
    assert_eq!(s, 200);
}

/// The cli user may register apps but not change ones it does not own.
async fn cli_user_registers_but_changes_only_its_own(env: &Env) {
    let (_, list, _) = env
        .call(
            "GET",
            &format!(
                "/graph/v1.0/applications?$filter=appId%20eq%20'{}'",
                demo::CLIENT_ID
            ),
            Some(CLI),
            None,
        )
        .await;
    let deployer_app = list["value"][0]["id"].as_str().expect("id").to_owned();
    let (s, _, _) = env
        .call(
            "POST",
            &format!("/graph/v1.0/applications/{deployer_app}/addPassword"),
            Some(CLI),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, b, _) = env
        .call(
            "POST",
            "/graph/v1.0/applications",
            Some(CLI),
            Some(json!({"displayName": ""})),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "Request_BadRequest"));
}

#[tokio::test]
async fn a_new_service_principal_replicates_after_the_delay() {
    let mut scenario = Scenario::demo();
    scenario.replication_delay_ms = 1500;
    let env = start(scenario);
    let (id, app_id) = register(&env, "slow").await;
    let (_, pw, _) = env
        .call(
            "POST",
            &format!("/graph/v1.0/applications/{id}/addPassword"),
            Some(CLI),
            None,
        )
        .await;
    let secret = pw["secretText"].as_str().expect("secret").to_owned();
    let (_, sp, _) = env
        .call(
            "POST",
            "/graph/v1.0/servicePrincipals",
            Some(CLI),
            Some(json!({"appId": app_id})),
        )
        .await;
    let sp_id = sp["id"].as_str().expect("id").to_owned();
    let created = std::time::Instant::now();

    // Graph sees it; the token endpoint and Resource Manager do not yet.
    let (s, _, _) = env
        .call(
            "GET",
            &format!("/graph/v1.0/servicePrincipals/{sp_id}"),
            Some(CLI),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, body) = env.secret_token(demo::TENANT_ID, &app_id, &secret).await;
    assert_eq!(s, 400);
    aad(&body, "unauthorized_client", 700016);
    let dev = format!("/subscriptions/{}", demo::DEV_SUBSCRIPTION_ID);
    let assign = |name: &str, typed: bool| {
        let mut props = json!({
            "roleDefinitionId": format!("{dev}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"),
            "principalId": sp_id,
        });
        if typed {
            props["principalType"] = json!("ServicePrincipal");
        }
        (
            format!("{dev}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            json!({ "properties": props }),
        )
    };
    let (path, body) = assign("3d3d1c4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", false);
    let (s, b, _) = env.call("PUT", &path, Some(CLI), Some(body)).await;
    assert!(
        created.elapsed() < std::time::Duration::from_millis(1500),
        "test too slow to observe the delay"
    );
    assert_eq!((s, code(&b)), (400, "PrincipalNotFound"));
    // With principalType ARM does not look the principal up.
    let (path, body) = assign("3d3d1c4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", true);
    assert_eq!(env.call("PUT", &path, Some(CLI), Some(body)).await.0, 201);

    tokio::time::sleep(std::time::Duration::from_millis(1500).saturating_sub(created.elapsed()))
        .await;
    let token = env.access_token(&app_id, &secret).await;
    assert_eq!(
        env.arm(&sub_path(demo::DEV_SUBSCRIPTION_ID), Some(&token))
            .await
            .0,
        200
    );
}
