//! Point 5: in GitHub Actions every failing command ends with exactly one
//! `::error title=...::` annotation and a final `error:` line.

use crate::support::emu::{Emu, assert_exit};
use crate::support::world::World;
use azure_emulator::demo;

fn assert_one_error_at_the_end(out: &str, err: &str, title: &str) {
    let both = format!("{out}{err}");
    let errors: Vec<&str> = both.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 1, "{both}");
    assert!(
        errors[0].starts_with(&format!("::error title={title}::")),
        "{both}"
    );
    let last = err
        .lines()
        .rfind(|l| !l.starts_with("hint:"))
        .unwrap_or_default();
    assert!(last.starts_with("error: "), "last line {last:?} of {err}");
}

#[test]
fn a_failed_verify_ends_with_one_error_annotation_and_an_error_line() {
    let e = Emu::demo();
    let mut w = e.app(demo::READER_CLIENT_ID, demo::READER_SECRET);
    w.env("GITHUB_ACTIONS", "true");
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&r, 3);
    assert_one_error_at_the_end(&r.stdout, &r.stderr, "Azure access not sufficient");
    // With JSON on stdout the annotation goes to stderr; stdout stays JSON.
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["-o", "json"]);
    assert_exit(&r, 3);
    r.json();
    assert_one_error_at_the_end("", &r.stderr, "Azure access not sufficient");
}

#[test]
fn a_failed_resolution_ends_with_one_error_annotation_and_an_error_line() {
    let mut w = World::new();
    w.env("GITHUB_ACTIONS", "true")
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_TENANT_ID", TENANT);
    for cmd in ["verify", "export", "explain", "env"] {
        let r = w.run(&[cmd]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        assert_one_error_at_the_end(&r.stdout, &r.stderr, "Azure credentials");
    }
}

const CLIENT: &str = "0a1b2c3d-1111-4a4a-8b8b-000000000001";
const TENANT: &str = "0a1b2c3d-2222-4a4a-8b8b-000000000002";
