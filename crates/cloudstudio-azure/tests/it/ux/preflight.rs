//! Point 12: refusals that need no network (the git guard, a retarget
//! without --force) come before any request to Azure.

use crate::support::emu::{Emu, assert_exit};
use azure_emulator::demo;

fn export_args(e: &Emu, extra: &[&str]) -> Vec<String> {
    let mut args = e.args(demo::PROD_SUBSCRIPTION_ID, extra);
    args[0] = "export".into();
    args
}

#[test]
fn the_git_guard_refuses_before_any_request() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    w.write("azure/.keep", "");
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(w.path())
        .status()
        .expect("git runs");
    assert!(git.success());
    let args = export_args(&e, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = w.run(&args);
    assert_exit(&r, 2);
    assert!(r.stderr.contains("ignore"), "{}", r.stderr);
    assert!(e.emu.requests().is_empty(), "{:?}", e.log());
}

#[test]
fn a_retarget_without_force_refuses_before_any_request() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    w.write("azure/.keep", "");
    let first = export_args(&e, &["--environment", "prod", "--credential", "shared"]);
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    assert_exit(&w.run(&first), 0);
    let before = e.emu.requests().len();
    let mut second = export_args(&e, &["--environment", "dev", "--credential", "shared"]);
    second[8] = demo::DEV_SUBSCRIPTION_ID.into();
    let second: Vec<&str> = second.iter().map(String::as_str).collect();
    let r = w.run(&second);
    assert_exit(&r, 2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(e.emu.requests().len(), before, "{:?}", e.log());
}
