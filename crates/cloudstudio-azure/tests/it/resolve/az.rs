//! The `az login` fallback.

use super::*;

#[test]
fn az_missing_lists_every_source_tried() {
    let w = World::new();
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    for s in [
        "flags:",
        "azure-credentials:",
        "azure-env:",
        "arm-env:",
        "github-oidc:",
        "az-cli: the Azure CLI (`az`) is not installed",
    ] {
        assert!(r.stderr.contains(s), "{s} in {}", r.stderr);
    }
}

#[test]
fn az_not_logged_in_hints_az_login() {
    let w = World::new();
    w.fake_az("login");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not logged in (run `az login`)"),
        "{}",
        r.stderr
    );
    assert_eq!(w.az_calls().len(), 1);
}

#[test]
fn az_failure_shows_sanitized_stderr() {
    let w = World::new();
    w.fake_az("fail");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("failed (exit 3): ERROR: AADSTS50173: the grant expired"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains('\u{1b}'),
        "escape codes must be stripped"
    );
}

#[test]
fn az_garbage_output_is_reported() {
    let w = World::new();
    w.fake_az("garbage");
    let r = w.run(&["explain"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("unexpected output: not the expected JSON"),
        "{}",
        r.stderr
    );
}

#[test]
fn az_hung_is_killed_after_the_timeout() {
    let w = World::new();
    w.fake_az("hang");
    let r = w.run(&["explain", "--az-timeout", "1"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("did not finish within 1 s"),
        "{}",
        r.stderr
    );
}
