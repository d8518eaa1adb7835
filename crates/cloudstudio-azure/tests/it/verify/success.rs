//! Passing runs: Contributor, Owner, Reader with `--require reader`,
//! `--require none`, a `Warned` subscription; the text and JSON reports.

use super::*;

#[test]
fn contributor_app_passes_with_one_token_request() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert_mentions(
        &r.stdout,
        &[
            "✓ token",
            "✓ subscription",
            "Contoso Production",
            "is Enabled",
            "✓ tenant",
            "✓ role",
            "Contributor-level",
        ],
    );
    assert!(!r.stdout.contains("fix:"), "{}", r.stdout);
    assert_mentions(
        &r.stderr,
        &[
            "access is sufficient for development",
            demo::PROD_SUBSCRIPTION_ID,
        ],
    );
    // One token, then the two Resource Manager reads, nothing else.
    let mut log = e.log();
    log.sort_by_key(|(route, _)| format!("{route:?}"));
    assert_eq!(
        log,
        [
            (Route::Permissions, 200),
            (Route::Subscription, 200),
            (Route::Token, 200)
        ]
    );
    assert_eq!(e.emu.requests()[0].route, Route::Token);
}

#[test]
fn json_report_has_the_documented_shape() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::DEV_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    let mut keys: Vec<&str> = doc
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "checks",
            "client_id",
            "environment",
            "passed",
            "source",
            "subscription_id",
            "tenant_id"
        ]
    );
    assert_eq!(doc["source"], "azure-env");
    assert_eq!(doc["environment"], "development");
    assert_eq!(doc["subscription_id"], demo::DEV_SUBSCRIPTION_ID);
    assert_eq!(doc["tenant_id"], demo::TENANT_ID);
    assert_eq!(doc["client_id"], demo::CLIENT_ID);
    assert_eq!(doc["passed"], true);
    for c in doc["checks"].as_array().expect("checks") {
        let mut k: Vec<&str> = c
            .as_object()
            .expect("check")
            .keys()
            .map(String::as_str)
            .collect();
        k.sort_unstable();
        assert_eq!(k, ["detail", "fix", "name", "status"], "{c}");
        assert!(c["detail"].as_str().is_some_and(|d| !d.is_empty()), "{c}");
        assert!(c["fix"].is_null(), "{c}");
    }
    assert_eq!(
        statuses(&doc),
        [
            ("token".into(), "pass".into()),
            ("subscription".into(), "pass".into()),
            ("tenant".into(), "pass".into()),
            ("role".into(), "pass".into()),
        ]
    );
    assert_mentions(
        check(&doc, "token")["detail"].as_str().expect("detail"),
        &[demo::TENANT_ID, "client secret"],
    );
    // JSON mode prints only the document on stdout.
    assert!(r.stdout.trim_start().starts_with('{'), "{}", r.stdout);
    assert_eq!(e.count(Route::Token), 1);
}

#[test]
fn owner_passes_as_owner_level() {
    let e = Emu::start(with_owner(Scenario::demo()));
    let w = e.app(OWNER_CLIENT_ID, OWNER_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["passed"], true);
    assert_eq!(check(&doc, "role")["status"], "pass");
    assert_mentions(
        check(&doc, "role")["detail"].as_str().expect("detail"),
        &["Owner-level"],
    );
    // The Owner app has no role on stage: 403 there.
    let r = e.verify(&w, demo::STAGE_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
}

#[test]
fn reader_passes_with_require_reader() {
    let e = Emu::demo();
    let w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    let r = e.verify(
        &w,
        demo::STAGE_SUBSCRIPTION_ID,
        &["--require", "reader", "--output", "json"],
    );
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["passed"], true);
    let role = check(&doc, "role");
    assert_eq!(role["status"], "pass", "{role}");
    assert_mentions(role["detail"].as_str().expect("detail"), &["Reader only"]);
}

#[test]
fn require_none_skips_the_role() {
    let e = Emu::demo();
    // The Reader app would fail the default `--require contributor`.
    let w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    let r = e.verify(
        &w,
        demo::PROD_SUBSCRIPTION_ID,
        &["--require", "none", "--output", "json"],
    );
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(
        statuses(&doc),
        [
            ("token".into(), "pass".into()),
            ("subscription".into(), "pass".into()),
            ("tenant".into(), "pass".into()),
            ("role".into(), "skip".into()),
        ]
    );
    assert_mentions(
        check(&doc, "role")["detail"].as_str().expect("detail"),
        &["--require none"],
    );
    // Text mode says so too.
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--require", "none"]);
    assert_exit(&r, 0);
    assert_mentions(&r.stdout, &["- role", "not checked (--require none)"]);
}

#[test]
fn warned_subscription_passes_with_a_warning() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::WARNED_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(doc["passed"], true);
    let sub = check(&doc, "subscription");
    assert_eq!(sub["status"], "warn", "{sub}");
    assert_mentions(
        sub["detail"].as_str().expect("detail"),
        &["Contoso Trial", "Warned"],
    );
    assert_mentions(sub["fix"].as_str().expect("fix"), &["billing"]);
    let r = e.verify(&w, demo::WARNED_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert_mentions(&r.stdout, &["! subscription", "is Warned", "fix:"]);
}

#[test]
fn tenant_given_as_a_domain_passes() {
    let e = Emu::demo();
    let w = e.app_in(demo::CLIENT_ID, demo::CLIENT_SECRET, demo::TENANT_DOMAIN);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc = r.json();
    assert_eq!(check(&doc, "tenant")["status"], "pass");
    assert_eq!(
        e.emu.requests()[0].path,
        format!("/{}/oauth2/v2.0/token", demo::TENANT_DOMAIN)
    );
}

/// The whole report a person sees, and the line that ends it.
#[test]
fn report_snapshots() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    insta::assert_snapshot!("verify_pass", e.redact(&r.redacted(&r.both())));
    let w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    insta::assert_snapshot!("verify_reader_refused", e.redact(&r.redacted(&r.both())));
}

/// In GitHub Actions: masks first, the report, one `::error` annotation.
#[test]
fn github_actions_annotation_snapshot() {
    let e = Emu::demo();
    let mut w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    w.env("GITHUB_ACTIONS", "true");
    let args = e.args(demo::PROD_SUBSCRIPTION_ID, &[]);
    let mut b = w.bin_in(w.path(), &[]);
    let r = b.args(&args).run_merged();
    assert_exit(&r, 3);
    e.assert_no_leak(&r, &["verify (merged)"]);
    assert_eq!(r.stdout.matches("::error ").count(), 1, "{}", r.stdout);
    insta::assert_snapshot!(
        "verify_github_annotations",
        e.redact(&r.redacted(&r.stdout))
    );
}

/// `-v`: every HTTP request (method, host, path, status, duration,
/// attempt) on stderr; never a query string.
#[test]
fn verbose_prints_each_request_without_query_strings() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["-v"]);
    assert_exit(&r, 0);
    let debug: Vec<String> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("debug: "))
        .map(|l| e.redact(&r.redacted(l)))
        .collect();
    assert_eq!(debug.len(), 3, "{}", r.stderr);
    let host = e.emu.base_url().replace("https://", "");
    assert_mentions(
        &r.stderr,
        &[
            &format!(
                "debug: POST {host}/{}/oauth2/v2.0/token -> 200 in ",
                demo::TENANT_ID
            ),
            &format!(
                "debug: GET {host}/subscriptions/{} -> 200 in ",
                demo::PROD_SUBSCRIPTION_ID
            ),
            "/providers/Microsoft.Authorization/permissions -> 200 in ",
            "ms (attempt 1/3)",
        ],
    );
    assert!(
        debug
            .iter()
            .all(|l| !l.contains('?') && !l.contains("api-version")),
        "{debug:?}"
    );
}
