//! Point 7: the az session's token is asked for the selected cloud's
//! Resource Manager; a session logged in to another cloud is exit 2 naming
//! `az cloud set`.

use super::*;

#[test]
fn the_az_token_is_requested_for_the_selected_clouds_resource_manager() {
    let w = World::new();
    w.fake_az("ok");
    let r = w.run(&["explain", "--cloud", "usgovernment"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let calls = w.az_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(
        calls[0].contains("--resource https://management.usgovcloudapi.net"),
        "{calls:?}"
    );
    let w = World::new();
    w.fake_az("ok");
    w.run(&["explain"]);
    assert!(
        w.az_calls()[0].contains("--resource https://management.azure.com"),
        "{:?}",
        w.az_calls()
    );
}

#[test]
fn a_session_for_another_cloud_is_exit_2_naming_az_cloud_set() {
    let w = World::new();
    w.fake_az("other-cloud");
    let r = w.run(&["explain", "--cloud", "china"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("another cloud"), "{}", r.stderr);
    assert!(
        r.stderr.contains("az cloud set --name AzureChinaCloud"),
        "{}",
        r.stderr
    );
    assert_eq!(w.az_calls().len(), 1, "not retried");
}
