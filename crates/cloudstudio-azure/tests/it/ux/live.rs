//! Point 3: each check is printed when it completes (a later hang does not
//! hide it), retry waits are said as they happen, `-v` shows every HTTP
//! request and `az` call with its duration.

use crate::support::emu::{Emu, assert_exit};
use crate::support::world::World;
use azure_emulator::{Fault, FaultRoute, Scenario, demo};

#[test]
fn a_check_that_passed_is_shown_even_when_a_later_step_hangs() {
    let e = Emu::start(Scenario::demo().with_fault(Fault {
        route: FaultRoute::Permissions,
        hang: true,
        ..Fault::default()
    }));
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--timeout", "2"]);
    assert_exit(&r, 1);
    assert!(r.stdout.starts_with("✓ token"), "{}", r.stdout);
    assert!(r.stderr.contains("error: "), "{}", r.stderr);
}

#[test]
fn a_throttled_token_request_says_it_is_waiting() {
    let e = Emu::start(Scenario::demo().with_fault(Fault {
        route: FaultRoute::Token,
        status: Some(429),
        retry_after: Some(1),
        times: Some(1),
        ..Fault::default()
    }));
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("waiting for "))
        .unwrap_or_else(|| panic!("no waiting line: {}", r.stderr));
    assert!(
        line.ends_with("HTTP 429 on attempt 1/3, Retry-After 1.0 s"),
        "{line}"
    );
    // Not a terminal: no status-line control sequences.
    assert!(!r.stderr.contains('\r'), "{:?}", r.stderr);
    // -q silences it.
    let q = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["-q"]);
    assert_exit(&q, 0);
    assert_eq!(q.stdout, "");
}

#[test]
fn verbose_shows_every_http_request_and_the_az_call() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["-v"]);
    assert_exit(&r, 0);
    let http: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("debug: ") && l.contains("(attempt 1/3)"))
        .collect();
    assert!(
        http.len() >= 3,
        "token, subscription, permissions: {}",
        r.stderr
    );
    assert!(http.iter().any(|l| l.contains("POST ")), "{http:?}");
    assert!(http.iter().all(|l| l.contains(" ms ")), "{http:?}");

    let w = World::new();
    w.fake_az("ok");
    let r = w.run(&["explain", "-v"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.lines().any(
            |l| l.starts_with("debug: az account get-access-token") && l.contains("exit 0 in ")
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_slow_az_is_not_a_silent_one() {
    let w = World::new();
    w.fake_az("hang");
    let r = w.run(&["explain", "--az-timeout", "4"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "still waiting for `az account get-access-token` (3 s of at most 4 s, --az-timeout)"
        ),
        "{}",
        r.stderr
    );
}

/// On a terminal (a pseudo-terminal from util-linux `script`): a spinner
/// line for the step in progress, erased before each permanent line.
#[test]
fn a_terminal_gets_a_spinner_for_the_step_in_progress() {
    if !crate::support::work::has("script") {
        return;
    }
    let e = Emu::start(Scenario::demo().with_fault(Fault {
        route: FaultRoute::Token,
        status: Some(429),
        retry_after: Some(1),
        times: Some(1),
        ..Fault::default()
    }));
    let base = e.emu.base_url();
    let bin = env!("CARGO_BIN_EXE_cloudstudio-azure");
    let dir = tempfile::tempdir().expect("tmp");
    let command = format!(
        "{bin} verify --cloud custom --authority-host {base} --arm-endpoint {base} --subscription-id {}",
        demo::PROD_SUBSCRIPTION_ID
    );
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("SSL_CERT_FILE", e.emu.ca_pem_path())
        .env("AZURE_CLIENT_ID", demo::CLIENT_ID)
        .env("AZURE_CLIENT_SECRET", demo::CLIENT_SECRET)
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(demo::CLIENT_SECRET), "secret leaked");
    // A spinner frame (whichever is current), then the step.
    let step =
        " waiting for the Entra ID token endpoint: HTTP 429 on attempt 1/3, Retry-After 1.0 s";
    assert!(
        text.split("\r\x1b[K").any(|s| s
            .strip_suffix(step)
            .or_else(|| s.split_once(step).map(|(a, _)| a))
            .is_some_and(|frame| frame.chars().count() == 1
                && ('\u{2800}'..='\u{28ff}').contains(&frame.chars().next().unwrap_or(' ')))),
        "{text:?}"
    );
    // Erased, then the permanent lines, coloured on a terminal.
    assert!(text.contains("\r\x1b[K\x1b[32m✓\x1b[0m token"), "{text:?}");
    assert!(text.contains("\x1b[32m✓\x1b[0m role"), "{text:?}");
}
