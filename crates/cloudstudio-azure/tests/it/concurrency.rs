//! Atomicity and the workdir lock: a run killed just before its rename
//! leaves the old file; twelve concurrent runs lose no binding.

use crate::support::work::*;
use std::process::Child;
use std::time::{Duration, Instant};

fn spawn(w: &Work, secret: &str, args: &[&str], pause: Option<&std::path::Path>) -> Child {
    let mut c = w.export(secret, args);
    if let Some(p) = pause {
        c.env("CLOUDSTUDIO_AZURE_TEST_PAUSE_BEFORE_RENAME", p);
    }
    c.spawn()
}

fn temp_files(w: &Work) -> Vec<String> {
    std::fs::read_dir(w.secrets())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn killed_before_rename_leaves_the_old_file() {
    let w = Work::new();
    assert!(
        w.export("old-secret", &[])
            .output()
            .expect("run")
            .status
            .success()
    );
    let old = std::fs::read(w.file("ci-development.json")).expect("old");

    let marker = w.root().join("paused");
    let mut child = spawn(&w, "new-secret", &[], Some(&marker));
    let start = Instant::now();
    while !marker.exists() {
        assert!(start.elapsed() < Duration::from_secs(30), "never paused");
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // The complete new content sits in a temp file, not yet renamed.
    assert_eq!(temp_files(&w).len(), 1);
    child.kill().expect("kill");
    child.wait().expect("reap");

    assert_eq!(
        std::fs::read(w.file("ci-development.json")).expect("after"),
        old
    );
    assert_eq!(w.json("ci-development.json")["client_secret"], "old-secret");

    // The leftover temp file does not break the next run; it is swept.
    let o = w.export("new-secret", &[]).output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(w.json("ci-development.json")["client_secret"], "new-secret");
    assert!(temp_files(&w).is_empty(), "{:?}", temp_files(&w));
}

#[test]
fn twelve_concurrent_exports() {
    let w = Work::new();
    let mut children = Vec::new();
    for i in 0..4 {
        let cred = format!("dev-{i}");
        children.push(spawn(
            &w,
            &format!("secret-{i}"),
            &["--environment", "dev", "--credential", &cred],
            None,
        ));
        children.push(spawn(
            &w,
            "shared-secret",
            &["--environment", "stage", "--credential", "shared"],
            None,
        ));
        children.push(spawn(
            &w,
            "shared-secret",
            &["--environment", "prod", "--credential", "shared"],
            None,
        ));
    }
    for c in children {
        let o = c.wait_with_output().expect("wait");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for i in 0..4 {
        let v = w.json(&format!("dev-{i}.json"));
        assert_eq!(v["client_secret"], format!("secret-{i}"));
    }
    assert_eq!(w.json("shared.json")["client_secret"], "shared-secret");
    let b = w.json("environments.json");
    assert_eq!(b["stage"], "shared");
    assert_eq!(b["production"], "shared");
    let dev = b["development"].as_str().expect("development bound");
    assert!(dev.starts_with("dev-"), "{b}");
    assert_eq!(b.as_object().expect("object").len(), 3);
    assert!(temp_files(&w).is_empty());
}
