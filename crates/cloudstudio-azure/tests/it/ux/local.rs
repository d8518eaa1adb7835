//! Point 15: a local run over the az session says it checked your identity,
//! not the pipeline's. Point 16: `cleanup` on a terminal asks first unless
//! `--yes`; in CI (or without a terminal) it proceeds.

use crate::support::emu::{Emu, assert_exit};
use crate::support::work::*;
use azure_emulator::demo;

#[test]
fn a_local_verify_over_the_az_session_says_whose_rights_it_checked() {
    let e = Emu::demo();
    let w = e.world();
    crate::support::fake_az(
        &w.path().join("bin"),
        crate::support::Az::Session {
            token: demo::CLI_ACCESS_TOKEN,
            subscription: demo::DEV_SUBSCRIPTION_ID,
            tenant: demo::TENANT_ID,
        },
    );
    let r = e.verify(&w, demo::DEV_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert!(
        r.stderr
            .contains("your own `az login` identity, not the pipeline's"),
        "{}",
        r.stderr
    );
    // In CI the session is the pipeline's: no such note.
    let mut w = w;
    w.env("CI", "true");
    let r = e.verify(&w, demo::DEV_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 0);
    assert!(!r.stderr.contains("your own"), "{}", r.stderr);
}

/// Runs `cleanup` under a pseudo-terminal (util-linux `script`), answering
/// `answer`.
fn cleanup_on_a_terminal(w: &Work, answer: &str, extra: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_cloudstudio-azure");
    let out = std::process::Command::new("script")
        .args([
            "-qec",
            &format!("{bin} cleanup --environment prod {extra}"),
            "/dev/null",
        ])
        .current_dir(w.root())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", w.root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            if let Some(mut i) = c.stdin.take() {
                i.write_all(answer.as_bytes())?;
            }
            c.wait_with_output()
        })
        .expect("script runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn cleanup_asks_on_a_terminal_and_proceeds_without_one() {
    if !has("script") {
        return;
    }
    let w = Work::new();
    assert!(w.export(SECRET, &["--environment", "prod"]).run().code == 0);
    let file = w.file("ci-production.json");

    let out = cleanup_on_a_terminal(&w, "n\n", "");
    assert!(out.contains("delete these? [y/N]"), "{out}");
    assert!(out.contains("nothing removed"), "{out}");
    assert!(file.exists(), "kept after `n`");

    let out = cleanup_on_a_terminal(&w, "", "--yes");
    assert!(!out.contains("delete these?"), "{out}");
    assert!(!file.exists(), "removed with --yes");

    // No terminal (a pipe, as in CI): it proceeds without asking.
    assert!(w.export(SECRET, &["--environment", "prod"]).run().code == 0);
    let r = w.bin().args(["cleanup", "--environment", "prod"]).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!file.exists());
}
