//! Resource Manager beyond the verification reads: subscriptions, tenants,
//! locations, role assignments and definitions, resource groups — and the
//! authorization decisions the scenario's roles make.

use super::*;

const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const UAA: &str = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9";

fn assignments_path(scope: &str, name: Option<&str>) -> String {
    let base = format!("{scope}/providers/Microsoft.Authorization/roleAssignments");
    name.map_or(base.clone(), |n| format!("{base}/{n}"))
}

fn role_id(sub: &str, role: &str) -> String {
    format!("/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{role}")
}

#[tokio::test]
async fn subscriptions_tenants_and_locations() {
    let env = start(Scenario::demo());
    let token = env.deployer().await;
    let (s, body, h) = env.call("GET", "/subscriptions", Some(&token), None).await;
    assert_eq!(s, 200);
    assert!(h.contains_key("x-ms-request-id") && h.contains_key("x-ms-correlation-request-id"));
    let ids: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|v| v["subscriptionId"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            demo::PROD_SUBSCRIPTION_ID,
            demo::STAGE_SUBSCRIPTION_ID,
            demo::DEV_SUBSCRIPTION_ID,
            demo::DISABLED_SUBSCRIPTION_ID,
            demo::WARNED_SUBSCRIPTION_ID
        ]
    );
    assert_eq!(body["count"]["value"], 5);
    // The cli user sees its two.
    let (_, body, _) = env
        .call("GET", "/subscriptions", Some(demo::CLI_ACCESS_TOKEN), None)
        .await;
    assert_eq!(body["value"].as_array().map(Vec::len), Some(2));

    let (s, body, _) = env.call("GET", "/tenants", Some(&token), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        body["value"],
        json!([{
            "id": format!("/tenants/{}", demo::TENANT_ID),
            "tenantId": demo::TENANT_ID,
            "countryCode": "US",
            "displayName": "Contoso",
            "domains": [demo::TENANT_DOMAIN],
            "tenantCategory": "Home",
            "defaultDomain": demo::TENANT_DOMAIN,
            "tenantType": "AAD",
        }])
    );

    let loc = format!("/subscriptions/{}/locations", demo::PROD_SUBSCRIPTION_ID);
    let (s, body, _) = env.call("GET", &loc, Some(&token), None).await;
    assert_eq!(s, 200);
    assert_eq!(body["value"][0]["name"], "eastus");
    assert_eq!(body["value"][0]["regionalDisplayName"], "(US) East US");
    let loc = format!(
        "/subscriptions/{}/locations",
        demo::UNASSIGNED_SUBSCRIPTION_ID
    );
    let (s, body, _) = env.call("GET", &loc, Some(&token), None).await;
    assert_eq!((s, code(&body)), (403, "AuthorizationFailed"));
}

#[tokio::test]
async fn role_assignments_list_with_arm_s_filters() {
    let env = start(Scenario::demo());
    let deployer = env.deployer().await;
    let me = claims_of(&deployer)["oid"]
        .as_str()
        .expect("oid")
        .to_owned();
    let prod = format!("/subscriptions/{}", demo::PROD_SUBSCRIPTION_ID);
    let list = |filter: &str| {
        let env = &env;
        let token = deployer.clone();
        let path = format!(
            "{}?$filter={}",
            assignments_path(&prod, None),
            filter.replace(' ', "%20").replace('\'', "%27")
        );
        async move { env.call("GET", &path, Some(&token), None).await }
    };
    let (s, all, _) = list("atScope()").await;
    assert_eq!(s, 200, "{all}");
    let all = all["value"].as_array().expect("value").clone();
    // Deployer, reader, OIDC app, the managed identity and the cli user (twice) on prod.
    assert_eq!(all.len(), 6, "{all:?}");
    let mine: Vec<&Value> = all
        .iter()
        .filter(|a| a["properties"]["principalId"] == me.as_str())
        .collect();
    assert_eq!(mine.len(), 1);
    let a = mine[0];
    assert_eq!(
        a["properties"]["roleDefinitionId"],
        role_id(demo::PROD_SUBSCRIPTION_ID, CONTRIBUTOR)
    );
    assert_eq!(a["properties"]["principalType"], "ServicePrincipal");
    assert_eq!(a["properties"]["scope"], prod);
    assert_eq!(a["type"], "Microsoft.Authorization/roleAssignments");
    assert_eq!(a["id"], assignments_path(&prod, a["name"].as_str()));
    for f in [
        format!("assignedTo('{me}')"),
        format!("principalId eq '{me}'"),
    ] {
        let (s, body, _) = list(&f).await;
        assert_eq!(s, 200);
        assert_eq!(body["value"].as_array().map(Vec::len), Some(1), "{f}");
    }
    let (s, body, _) = list("roleName eq 'x'").await;
    assert_eq!((s, code(&body)), (400, "UnsupportedQuery"));

    // No role on the sandbox: listing is forbidden, except one's own.
    let sandbox = format!("/subscriptions/{}", demo::UNASSIGNED_SUBSCRIPTION_ID);
    let (s, body, _) = env
        .call(
            "GET",
            &assignments_path(&sandbox, None),
            Some(&deployer),
            None,
        )
        .await;
    assert_eq!((s, code(&body)), (403, "AuthorizationFailed"));
    let own = format!(
        "{}?$filter=assignedTo('{me}')",
        assignments_path(&sandbox, None)
    );
    let (s, body, _) = env.call("GET", &own, Some(&deployer), None).await;
    assert_eq!((s, body["value"].clone()), (200, json!([])));
}

#[tokio::test]
async fn role_assignments_are_written_by_those_who_may() {
    let env = start(Scenario::demo());
    let deployer = env.deployer().await;
    let reader = env
        .access_token(demo::READER_CLIENT_ID, demo::READER_SECRET)
        .await;
    let reader_oid = claims_of(&reader)["oid"].as_str().expect("oid").to_owned();
    let dev = format!("/subscriptions/{}", demo::DEV_SUBSCRIPTION_ID);
    let name = "0d3d1c4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    let put = assignments_path(&dev, Some(name));
    let other = assignments_path(&dev, Some("1d3d1c4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"));
    only_access_administrators_assign(&env, &deployer, name, &reader_oid).await;
    an_assignment_is_made_once(&env, &put, &other, &reader_oid).await;
    // The reader is now Contributor on dev: it may create a group there.
    let rg = format!("{dev}/resourcegroups/rg-reader");
    let (s, _, _) = env
        .call(
            "PUT",
            &rg,
            Some(&reader),
            Some(json!({"location": "westeurope"})),
        )
        .await;
    assert_eq!(s, 201);
    unknown_principals_roles_and_names(&env, &dev, &other, &reader_oid).await;

    // Get, delete, delete again.
    let cli = demo::CLI_ACCESS_TOKEN;
    let (s, got, _) = env.call("GET", &put, Some(cli), None).await;
    assert_eq!((s, &got["name"]), (200, &json!(name)));
    assert_eq!(env.call("DELETE", &put, Some(&deployer), None).await.0, 403);
    let (s, gone, _) = env.call("DELETE", &put, Some(cli), None).await;
    assert_eq!((s, &gone["name"]), (200, &json!(name)));
    assert_eq!(env.call("DELETE", &put, Some(cli), None).await.0, 204);
    let (s, b, _) = env.call("GET", &put, Some(cli), None).await;
    assert_eq!((s, code(&b)), (404, "RoleAssignmentNotFound"));

    // The cli user's permissions on dev: Contributor's and UAA's entries.
    let (_, perms) = env
        .arm(&perm_path(demo::DEV_SUBSCRIPTION_ID), Some(cli))
        .await;
    assert_eq!(perms["value"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        perms["value"][1]["actions"],
        json!(["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"])
    );
}

/// A role assignment's `PUT` body.
fn assignment_body(sub: &str, role: &str, principal: &str) -> Value {
    json!({ "properties": { "roleDefinitionId": role_id(sub, role), "principalId": principal } })
}

/// Contributor may not assign roles; the cli user (User Access
/// Administrator on dev) may, but not on stage.
async fn only_access_administrators_assign(
    env: &Env,
    deployer: &str,
    name: &str,
    reader_oid: &str,
) {
    let dev = format!("/subscriptions/{}", demo::DEV_SUBSCRIPTION_ID);
    let put = assignments_path(&dev, Some(name));
    let (s, b, _) = env
        .call(
            "PUT",
            &put,
            Some(deployer),
            Some(assignment_body(
                demo::DEV_SUBSCRIPTION_ID,
                CONTRIBUTOR,
                reader_oid,
            )),
        )
        .await;
    assert_eq!((s, code(&b)), (403, "AuthorizationFailed"));
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!(
                "'Microsoft.Authorization/roleAssignments/write' over scope '{put}'"
            )))
    );
    let stage = format!("/subscriptions/{}", demo::STAGE_SUBSCRIPTION_ID);
    let (s, b, _) = env
        .call(
            "PUT",
            &assignments_path(&stage, Some(name)),
            Some(demo::CLI_ACCESS_TOKEN),
            Some(assignment_body(
                demo::STAGE_SUBSCRIPTION_ID,
                CONTRIBUTOR,
                reader_oid,
            )),
        )
        .await;
    assert_eq!((s, code(&b)), (403, "AuthorizationFailed"));
}

/// The cli user makes the reader Contributor on dev at `put`. The same PUT
/// again is accepted; the same grant under another name is not, nor a
/// changed role under the same name.
async fn an_assignment_is_made_once(env: &Env, put: &str, other: &str, reader_oid: &str) {
    let cli = demo::CLI_ACCESS_TOKEN;
    let contributor = || assignment_body(demo::DEV_SUBSCRIPTION_ID, CONTRIBUTOR, reader_oid);
    let (s, created, _) = env.call("PUT", put, Some(cli), Some(contributor())).await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["properties"]["principalType"], "ServicePrincipal");
    let again = env.call("PUT", put, Some(cli), Some(contributor())).await;
    assert_eq!(again.0, 201);
    let (s, b, _) = env.call("PUT", other, Some(cli), Some(contributor())).await;
    assert_eq!((s, code(&b)), (409, "RoleAssignmentExists"));
    let (s, b, _) = env
        .call(
            "PUT",
            put,
            Some(cli),
            Some(assignment_body(
                demo::DEV_SUBSCRIPTION_ID,
                OWNER,
                reader_oid,
            )),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "RoleAssignmentUpdateNotPermitted"));
}

/// Unknown principals (accepted with `principalType`), roles and names.
async fn unknown_principals_roles_and_names(env: &Env, dev: &str, other: &str, reader_oid: &str) {
    let cli = demo::CLI_ACCESS_TOKEN;
    let ghost = "7a7a7a7a-0000-4000-8000-000000000000";
    let (s, b, _) = env
        .call(
            "PUT",
            other,
            Some(cli),
            Some(assignment_body(demo::DEV_SUBSCRIPTION_ID, READER, ghost)),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "PrincipalNotFound"));
    assert!(
        b["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("replication delay"))
    );
    let mut typed = assignment_body(demo::DEV_SUBSCRIPTION_ID, READER, ghost);
    typed["properties"]["principalType"] = json!("ServicePrincipal");
    assert_eq!(env.call("PUT", other, Some(cli), Some(typed)).await.0, 201);
    let (s, b, _) = env
        .call(
            "PUT",
            &assignments_path(dev, Some("2d3d1c4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f")),
            Some(cli),
            Some(assignment_body(
                demo::DEV_SUBSCRIPTION_ID,
                "00000000-0000-4000-8000-000000000000",
                reader_oid,
            )),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "RoleDefinitionDoesNotExist"));
    let (s, b, _) = env
        .call(
            "PUT",
            &assignments_path(dev, Some("not-a-guid")),
            Some(cli),
            Some(assignment_body(
                demo::DEV_SUBSCRIPTION_ID,
                READER,
                reader_oid,
            )),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidRoleAssignmentId"));
}

#[tokio::test]
async fn built_in_role_definitions() {
    let env = start(Scenario::demo());
    let token = env.deployer().await;
    let sub = format!("/subscriptions/{}", demo::PROD_SUBSCRIPTION_ID);
    let defs = format!("{sub}/providers/Microsoft.Authorization/roleDefinitions");
    let (s, all, _) = env.call("GET", &defs, Some(&token), None).await;
    assert_eq!(s, 200);
    let names: Vec<&str> = all["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|d| d["properties"]["roleName"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Owner",
            "Contributor",
            "Reader",
            "User Access Administrator"
        ]
    );
    let ids: Vec<&str> = all["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(ids, [OWNER, CONTRIBUTOR, READER, UAA]);
    let (_, one, _) = env
        .call(
            "GET",
            &format!("{defs}?$filter=roleName%20eq%20%27Contributor%27"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        one["value"][0]["id"],
        role_id(demo::PROD_SUBSCRIPTION_ID, CONTRIBUTOR)
    );
    assert_eq!(one["value"][0]["properties"]["type"], "BuiltInRole");
    assert_eq!(
        one["value"][0]["properties"]["permissions"][0]["notActions"]
            .as_array()
            .map(Vec::len),
        Some(11)
    );
    let (s, got, _) = env
        .call("GET", &format!("{defs}/{READER}"), Some(&token), None)
        .await;
    assert_eq!((s, &got["properties"]["roleName"]), (200, &json!("Reader")));
    let (s, b, _) = env
        .call(
            "GET",
            &format!("{defs}/00000000-0000-4000-8000-000000000000"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!((s, code(&b)), (404, "RoleDefinitionDoesNotExist"));
}

#[tokio::test]
async fn resource_groups_follow_rbac() {
    let env = start(Scenario::demo());
    let deployer = env.deployer().await;
    let reader = env
        .access_token(demo::READER_CLIENT_ID, demo::READER_SECRET)
        .await;
    let sub = format!("/subscriptions/{}", demo::PROD_SUBSCRIPTION_ID);
    let rg = format!("{sub}/resourcegroups/rg-ci");
    let west = json!({"location": "westeurope", "tags": {"team": "infra"}});

    let (s, b, _) = env
        .call("PUT", &rg, Some(&reader), Some(west.clone()))
        .await;
    assert_eq!((s, code(&b)), (403, "AuthorizationFailed"));
    let reader_oid = claims_of(&reader)["oid"].as_str().expect("oid").to_owned();
    assert_eq!(
        b["error"]["message"],
        format!(
            "The client '{}' with object id '{reader_oid}' does not have authorization to perform action 'Microsoft.Resources/subscriptions/resourcegroups/write' over scope '{rg}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            demo::READER_CLIENT_ID
        )
    );

    let (s, created, _) = env
        .call("PUT", &rg, Some(&deployer), Some(west.clone()))
        .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(
        created,
        json!({
            "id": format!("{sub}/resourceGroups/rg-ci"),
            "name": "rg-ci",
            "type": "Microsoft.Resources/resourceGroups",
            "location": "westeurope",
            "tags": {"team": "infra"},
            "properties": {"provisioningState": "Succeeded"},
        })
    );
    assert_eq!(
        env.call("PUT", &rg, Some(&deployer), Some(west)).await.0,
        200
    );
    let (s, b, _) = env
        .call(
            "PUT",
            &rg,
            Some(&deployer),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "InvalidResourceGroupLocation"));
    let (s, got, _) = env.call("GET", &rg, Some(&reader), None).await;
    assert_eq!((s, &got["location"]), (200, &json!("westeurope")));
    assert_eq!(env.call("HEAD", &rg, Some(&reader), None).await.0, 204);
    let (_, list, _) = env
        .call("GET", &format!("{sub}/resourcegroups"), Some(&reader), None)
        .await;
    assert_eq!(list["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(env.call("DELETE", &rg, Some(&reader), None).await.0, 403);
    assert_eq!(env.call("DELETE", &rg, Some(&deployer), None).await.0, 200);
    let (s, b, _) = env.call("GET", &rg, Some(&reader), None).await;
    assert_eq!((s, code(&b)), (404, "ResourceGroupNotFound"));
    assert_eq!(env.call("HEAD", &rg, Some(&reader), None).await.0, 404);

    invalid_groups_are_refused(&env, &deployer, &sub, &rg).await;
}

/// `PUT`s Azure refuses: no or an unknown location, a bad name, a disabled
/// subscription.
async fn invalid_groups_are_refused(env: &Env, deployer: &str, sub: &str, rg: &str) {
    for (input, want) in [
        (json!({}), "LocationRequired"),
        (
            json!({"location": "mars"}),
            "LocationNotAvailableForResourceGroup",
        ),
    ] {
        let (s, b, _) = env.call("PUT", rg, Some(deployer), Some(input)).await;
        assert_eq!((s, code(&b)), (400, want));
    }
    let bad = format!("{sub}/resourcegroups/ends.with.dot.");
    let (s, b, _) = env
        .call(
            "PUT",
            &bad,
            Some(deployer),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "InvalidResourceGroupName"));
    let disabled = format!(
        "/subscriptions/{}/resourcegroups/rg",
        demo::DISABLED_SUBSCRIPTION_ID
    );
    let (s, b, _) = env
        .call(
            "PUT",
            &disabled,
            Some(deployer),
            Some(json!({"location": "eastus"})),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "ReadOnlyDisabledSubscription"));
}
