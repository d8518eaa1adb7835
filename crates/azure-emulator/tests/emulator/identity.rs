//! The managed identity endpoints over plain http: IMDS and App Service,
//! the tokens they issue (Resource Manager accepts them, with the
//! identity's roles), and their refusals.

use super::*;

const SYSTEM: &str = "6b6b6b6b-0000-4000-8000-0000000000a1";
const USER: &str = "6b6b6b6b-0000-4000-8000-0000000000a2";
const HEADER: &str = "emulator-identity-header";

fn scenario() -> Scenario {
    let yaml = format!(
        "tenants: [{{id: {t}}}]\n\
         subscriptions: [{{id: {p}, tenant: {t}, name: x}}]\n\
         managed_identities:\n\
         \x20 - {{client_id: {SYSTEM}, tenant: {t}, system_assigned: true}}\n\
         \x20 - {{client_id: {USER}, tenant: {t}, name: ci}}\n\
         identity_header: {HEADER}\n\
         role_assignments: [{{principal: {USER}, subscription: {p}, role: Contributor}}]\n",
        t = demo::TENANT_ID,
        p = demo::PROD_SUBSCRIPTION_ID
    );
    let extra = Scenario::from_yaml(&yaml).expect("scenario");
    // The demo's own system-assigned identity makes way for these.
    let mut s = Scenario::demo();
    s.role_assignments
        .retain(|r| r.principal != demo::MI_CLIENT_ID);
    s.managed_identities.retain(|m| !m.system_assigned);
    s.managed_identities.extend(extra.managed_identities);
    s.identity_header = extra.identity_header;
    s.role_assignments.extend(extra.role_assignments);
    s
}

async fn get(url: String, query: &[(&str, &str)], header: Option<(&str, &str)>) -> (u16, Value) {
    let plain = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut req = plain.get(url).query(query);
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    let (s, b, _) = send(req).await;
    (s, b)
}

#[tokio::test]
async fn imds_issues_tokens_resource_manager_accepts() {
    let env = start(scenario());
    let imds = format!("{}/metadata/identity/oauth2/token", env.emu.imds_endpoint());
    assert!(imds.starts_with("http://127.0.0.1:"), "{imds}");
    let resource = format!("{}/", env.emu.arm_endpoint());
    let q = [
        ("api-version", "2018-02-01"),
        ("resource", resource.as_str()),
    ];
    let (s, b) = get(imds.clone(), &q, Some(("Metadata", "true"))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["client_id"], SYSTEM);
    assert!(
        b["expires_on"].is_string() && b["expires_in"].is_string(),
        "{b}"
    );
    let claims = claims_of(b["access_token"].as_str().expect("token"));
    assert_eq!(claims["tid"], demo::TENANT_ID);
    assert_eq!(claims["appid"], SYSTEM);

    let mut with_id = q.to_vec();
    with_id.push(("client_id", USER));
    let (s, b) = get(imds.clone(), &with_id, Some(("Metadata", "true"))).await;
    assert_eq!(s, 200, "{b}");
    let token = b["access_token"].as_str().expect("token").to_owned();
    let (s, sub) = env
        .arm(&sub_path(demo::PROD_SUBSCRIPTION_ID), Some(&token))
        .await;
    assert_eq!(
        s, 200,
        "the user-assigned identity is Contributor on prod: {sub}"
    );

    let (s, b) = get(imds.clone(), &q, None).await;
    assert_eq!(
        (s, b["error_description"].as_str()),
        (400, Some("Required metadata header not specified"))
    );
    with_id[2].1 = "6b6b6b6b-0000-4000-8000-00000000dead";
    let (s, b) = get(imds, &with_id, Some(("Metadata", "true"))).await;
    assert_eq!(
        (s, b["error_description"].as_str()),
        (400, Some("Identity not found"))
    );
    // Not over HTTPS: the identity endpoints are plain http only.
    let (s, _, _) = send(env.http.get(format!(
        "{}/metadata/identity/oauth2/token",
        env.emu.base_url()
    )))
    .await;
    assert_eq!(s, 404);
    assert!(
        env.emu
            .requests()
            .iter()
            .filter(|r| r.route == Route::Identity)
            .count()
            == 4
    );
}

#[tokio::test]
async fn app_service_needs_its_header() {
    let env = start(scenario());
    let resource = format!("{}/", env.emu.arm_endpoint());
    let q = [
        ("api-version", "2019-08-01"),
        ("resource", resource.as_str()),
        ("client_id", USER),
    ];
    let url = env.emu.identity_endpoint();
    let (s, b) = get(url.clone(), &q, Some(("X-IDENTITY-HEADER", HEADER))).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["expires_on"].is_number(), "{b}");
    assert_eq!(b["client_id"], USER);
    assert_eq!(env.emu.identity_header(), HEADER);
    assert_eq!(get(url.clone(), &q, None).await.0, 401);
    assert_eq!(
        get(url, &q, Some(("X-IDENTITY-HEADER", "wrong"))).await.0,
        403
    );
}

#[test]
fn identities_are_validated() {
    let yaml = format!(
        "tenants: [{{id: {t}}}]\n\
         managed_identities:\n\
         \x20 - {{client_id: nope, tenant: {t}, system_assigned: true}}\n\
         \x20 - {{client_id: {USER}, tenant: {o}, system_assigned: true}}\n",
        t = demo::TENANT_ID,
        o = demo::OTHER_TENANT_ID
    );
    let msg = format!("{:#}", Scenario::from_yaml(&yaml).expect_err("invalid"));
    for want in [
        "managed_identities[0].client_id: 'nope' is not a GUID",
        "managed_identities[1].tenant",
        "at most one system-assigned identity",
    ] {
        assert!(msg.contains(want), "{want:?} in {msg}");
    }
}
