//! Resolution end to end through the binary: every source, every adjacent
//! precedence pair, every error, branch rules and `explain`. Every run is
//! checked for secret leaks by the shared helper.

pub(super) use crate::support::Run;
pub(super) use crate::support::world::*;

/// Variables to set, extra arguments, expected text.
pub(super) type Case<'a> = (Vec<(&'a str, &'a str)>, Vec<&'a str>, &'a str);
/// Variables to set, expected branch, expected origin.
pub(super) type BranchCase<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

pub(super) fn explain(w: &World, extra: &[&str]) -> Run {
    let mut args = vec!["explain", "--output", "json"];
    args.extend_from_slice(extra);
    w.run(&args)
}

pub(super) fn source_of(r: &Run) -> String {
    assert_eq!(r.code, 0, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    r.json()["source"].as_str().expect("source").to_owned()
}

pub(super) fn skipped_reason(r: &Run, source: &str) -> String {
    r.json()["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("{source} not in skipped: {}", r.stdout))["reason"]
        .as_str()
        .expect("reason")
        .to_owned()
}

pub(super) fn oidc(w: &mut World) -> &mut World {
    w.env(
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "https://127.0.0.1:1/token?api-version=2.0",
    )
    .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "runner-request-token")
}

pub(super) fn creds_json(shape: &str) -> String {
    match shape {
        "azure-login" => format!(
            r#"{{"clientId":"{CLIENT_ID}","clientSecret":{},"tenantId":"{TENANT_ID}","subscriptionId":"{SUB_ID}","resourceManagerEndpointUrl":"https://management.azure.com/"}}"#,
            serde_json::to_string(SECRET).expect("json")
        ),
        "sdk-auth" => format!(
            r#"{{
  "clientId": "{CLIENT_ID}",
  "clientSecret": {},
  "subscriptionId": "{SUB_ID}",
  "tenantId": "{TENANT_ID}",
  "activeDirectoryEndpointUrl": "https://login.microsoftonline.com",
  "resourceManagerEndpointUrl": "https://management.azure.com/",
  "activeDirectoryGraphResourceId": "https://graph.windows.net/",
  "sqlManagementEndpointUrl": "https://management.core.windows.net:8443/",
  "galleryEndpointUrl": "https://gallery.azure.com/",
  "managementEndpointUrl": "https://management.core.windows.net/"
}}"#,
            serde_json::to_string(SECRET).expect("json")
        ),
        "cloudstudio" => format!(
            r#"{{"client_id":"{CLIENT_ID}","client_secret":{},"tenant_id":"{TENANT_ID}","subscription_id":"{SUB_ID}"}}"#,
            serde_json::to_string(SECRET).expect("json")
        ),
        _ => unreachable!(),
    }
}

mod az;
mod follow_ups;
mod invalid;
mod precedence;
mod sources;
mod target;
