//! Replies a hostile or broken server sends: bodies past the cap (announced
//! or streamed, endless), abandoned at once and not retried; service text
//! carrying workflow commands; `--output json` in Actions.

use super::{assert_no_forged_commands, assert_not_a_line};
use crate::support::emu::*;
use azure_emulator::{Fault, FaultRoute, Route, Scenario, demo};
use std::time::Duration;

fn fault(route: FaultRoute) -> Fault {
    Fault {
        route,
        ..Fault::default()
    }
}

fn start_with(f: Fault) -> (Emu, crate::support::world::World) {
    let e = Emu::start(Scenario::demo().with_fault(f));
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    (e, w)
}

#[test]
fn a_4_gb_token_reply_is_abandoned_at_the_cap_and_not_retried() {
    let (e, w) = start_with(Fault {
        body_bytes: Some(4 << 30),
        ..fault(FaultRoute::Token)
    });
    let (r, took) = timed(|| e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]));
    assert_exit(&r, 1);
    assert_mentions(
        &r.stderr,
        &[
            "the Entra ID token endpoint",
            "larger than 1024 KiB",
            "not retried",
        ],
    );
    assert_eq!(e.count(Route::Token), 1, "a too-large reply is not retried");
    assert!(took < Duration::from_secs(15), "{took:?}");
    insta::assert_snapshot!("reply_too_large", e.redact(&r.redacted(&r.both())));
}

#[test]
fn an_endless_arm_reply_is_abandoned_at_the_cap() {
    let (e, w) = start_with(Fault {
        endless_body: true,
        ..fault(FaultRoute::Subscription)
    });
    let (r, took) = timed(|| e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]));
    assert_exit(&r, 1);
    assert_mentions(&r.stderr, &["subscription read", "larger than 1024 KiB"]);
    assert_eq!(e.count(Route::Subscription), 1);
    assert!(took < Duration::from_secs(15), "{took:?}");
}

const SPOOF: &str = "::warning title=spoof::owned";

#[test]
fn a_display_name_with_workflow_commands_is_printed_inert() {
    let mut s = Scenario::demo();
    for sub in &mut s.subscriptions {
        sub.name = format!("Prod\n::add-mask::production\n{SPOOF}\u{1b}[2J ##[add-mask]x");
    }
    let e = Emu::start(s);
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    w.env("GITHUB_ACTIONS", "true");
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert_mentions(
        &r.stdout,
        &["Prod ::add-mask::production ::warning title=spoof::owned # #[add-mask]x"],
    );
    assert_no_forged_commands(&r.stdout);
    assert_no_forged_commands(&r.stderr);
    assert_not_a_line(&r.both(), "::add-mask::production");
}

#[test]
fn an_arm_error_code_with_workflow_commands_is_printed_inert() {
    let (e, mut w) = start_with(Fault {
        status: Some(403),
        code: Some(format!("Denied\n{SPOOF}\r\n::add-mask::production")),
        ..fault(FaultRoute::Subscription)
    });
    w.env("GITHUB_ACTIONS", "true");
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    assert_mentions(&r.both(), &["Denied"]);
    assert_no_forged_commands(&r.stdout);
    assert_no_forged_commands(&r.stderr);
    assert_not_a_line(&r.both(), SPOOF);
    assert_not_a_line(&r.both(), "::add-mask::production");
}

#[test]
fn json_output_in_actions_is_exactly_one_document_with_masks_on_stderr() {
    let e = Emu::demo();
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    w.env("GITHUB_ACTIONS", "true");
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 0);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|err| panic!("stdout is not one JSON document ({err}):\n{}", r.stdout));
    assert!(doc["checks"].is_array(), "{doc}");
    assert!(
        r.stderr.starts_with("::add-mask::"),
        "masks come first, on stderr:\n{}",
        r.stderr
    );
}

#[test]
fn export_json_in_actions_is_one_document_too() {
    let e = Emu::demo();
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let github = w.path().join("gh");
    std::fs::create_dir_all(&github).expect("gh");
    std::fs::create_dir_all(w.path().join("azure")).expect("workdir");
    for f in ["env", "output", "summary"] {
        std::fs::write(github.join(f), "").expect("file");
    }
    w.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", github.join("env").to_str().expect("utf-8"))
        .env(
            "GITHUB_OUTPUT",
            github.join("output").to_str().expect("utf-8"),
        )
        .env(
            "GITHUB_STEP_SUMMARY",
            github.join("summary").to_str().expect("utf-8"),
        );
    let mut args = e.args(
        demo::PROD_SUBSCRIPTION_ID,
        &["--output", "json", "--environment", "prod"],
    );
    args[0] = "export".into();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = w.run(&args);
    assert_exit(&r, 0);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|err| panic!("stdout is not one JSON document ({err}):\n{}", r.stdout));
    assert!(doc.is_object(), "{doc}");
    assert!(r.stderr.starts_with("::add-mask::"), "{}", r.stderr);
}
