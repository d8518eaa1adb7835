//! Resource Manager: subscription and permissions bodies per role, and
//! ARM's errors (api-version, token, 404, 403, wrong tenant).

use super::*;

#[tokio::test]
async fn subscription_and_permissions_per_role() {
    let env = start(Scenario::demo());
    let contributor = env.access_token(demo::CLIENT_ID, demo::CLIENT_SECRET).await;
    let reader = env
        .access_token(demo::READER_CLIENT_ID, demo::READER_SECRET)
        .await;

    let (s, body) = env
        .arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), Some(&contributor))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!({
            "id": format!("/subscriptions/{}", demo::PROD_SUBSCRIPTION_ID),
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "subscriptionId": demo::PROD_SUBSCRIPTION_ID,
            "tenantId": demo::TENANT_ID,
            "displayName": "Contoso Production",
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "PayAsYouGo_2014-09-01",
                "spendingLimit": "Off"
            }
        })
    );
    let (_, body) = env
        .arm(
            &sub_path(demo::DISABLED_SUBSCRIPTION_ID),
            Some(&contributor),
        )
        .await;
    assert_eq!(body["state"], "Disabled");
    let (_, body) = env
        .arm(&sub_path(demo::WARNED_SUBSCRIPTION_ID), Some(&contributor))
        .await;
    assert_eq!(body["state"], "Warned");

    let (s, body) = env
        .arm(&perm_path(demo::PROD_SUBSCRIPTION_ID), Some(&contributor))
        .await;
    assert_eq!(s, 200);
    let p = &body["value"][0];
    assert_eq!(p["actions"], json!(["*"]));
    let not_actions = p["notActions"].as_array().expect("notActions");
    assert_eq!(not_actions.len(), 11);
    assert!(not_actions.contains(&json!("Microsoft.Authorization/*/Write")));
    assert_eq!(p["dataActions"], json!([]));
    assert_eq!(p["notDataActions"], json!([]));

    let (s, body) = env
        .arm(&perm_path(demo::PROD_SUBSCRIPTION_ID), Some(&reader))
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!({"value": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}]})
    );

    // The `az login` session's token works as is.
    let (s, body) = env
        .arm(
            &sub_path(demo::DEV_SUBSCRIPTION_ID),
            Some(demo::CLI_ACCESS_TOKEN),
        )
        .await;
    assert_eq!(s, 200, "{body}");
}

#[tokio::test]
async fn resource_manager_errors() {
    let env = start(Scenario::demo());
    let token = env.access_token(demo::CLIENT_ID, demo::CLIENT_SECRET).await;
    let code = |b: &Value| b["error"]["code"].as_str().unwrap_or_default().to_owned();

    let no_version = env
        .http
        .get(format!(
            "{}{}",
            env.emu.arm_endpoint(),
            sub_path(demo::PROD_SUBSCRIPTION_ID)
        ))
        .bearer_auth(&token);
    let (s, body, _) = send(no_version).await;
    assert_eq!((s, code(&body)), (400, "MissingApiVersionParameter".into()));

    let (s, body) = env.arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), None).await;
    assert_eq!((s, code(&body)), (401, "InvalidAuthenticationToken".into()));
    let (s, body) = env
        .arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), Some("forged"))
        .await;
    assert_eq!((s, code(&body)), (401, "InvalidAuthenticationToken".into()));

    let missing = "0c0c0c0c-0000-4000-8000-000000000000";
    let (s, body) = env.arm(&sub_path(missing), Some(&token)).await;
    assert_eq!((s, code(&body)), (404, "SubscriptionNotFound".into()));
    assert_eq!(
        body["error"]["message"],
        format!("The subscription '{missing}' could not be found.")
    );

    let (s, body) = env
        .arm(&sub_path(demo::UNASSIGNED_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!((s, code(&body)), (403, "AuthorizationFailed".into()));
    let m = body["error"]["message"].as_str().expect("message");
    assert!(
        m.starts_with(&format!(
            "The client '{}' with object id '",
            demo::CLIENT_ID
        )),
        "{m}"
    );
    assert!(
        m.contains("'Microsoft.Resources/subscriptions/read'"),
        "{m}"
    );
    let (s, body) = env
        .arm(&perm_path(demo::UNASSIGNED_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!((s, body), (200, json!({"value": []})));

    let (s, body) = env
        .arm(&sub_path(demo::OTHER_TENANT_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(
        (s, code(&body)),
        (401, "InvalidAuthenticationTokenTenant".into())
    );
    let m = body["error"]["message"].as_str().expect("message");
    let base = env.emu.base_url();
    assert!(
        m.contains(&format!(
            "wrong issuer '{base}/{}/'. It must match the tenant '{base}/{}/'",
            demo::TENANT_ID,
            demo::OTHER_TENANT_ID
        )),
        "{m}"
    );
    assert!(
        m.contains(&format!("'{base}/{}'", demo::OTHER_TENANT_ID)),
        "{m}"
    );
    let (s, _) = env
        .arm(&perm_path(demo::OTHER_TENANT_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn a_role_across_tenants_is_a_delegation() {
    let mut scenario = Scenario::demo();
    scenario.role_assignments.push(
        serde_yaml::from_str(&format!(
            "{{principal: {}, subscription: {}, role: Owner}}",
            demo::CLIENT_ID,
            demo::OTHER_TENANT_SUBSCRIPTION_ID
        ))
        .expect("assignment"),
    );
    let env = start(scenario);
    let token = env.access_token(demo::CLIENT_ID, demo::CLIENT_SECRET).await;
    let (s, body) = env
        .arm(&sub_path(demo::OTHER_TENANT_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["tenantId"], demo::OTHER_TENANT_ID);
    assert_eq!(
        body["managedByTenants"],
        json!([{"tenantId": demo::TENANT_ID}])
    );
    let (_, body) = env
        .arm(&perm_path(demo::OTHER_TENANT_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(body["value"][0]["actions"], json!(["*"]));
    assert_eq!(body["value"][0]["notActions"], json!([]));
}
