//! The secret appears in no output (but `env`'s and the mask lines) and in
//! no file but the credential file and GITHUB_ENV, across every command.

use crate::support::work::*;
use std::path::Path;

const CANARY: &str = "LeakCanary~7f3a.Zq_9-x";

/// Asserts `needle` is in no stdout/stderr line other than `::add-mask::`.
fn clean_output(o: &std::process::Output, needle: &str, what: &str) {
    for (stream, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
        for line in text.lines() {
            if line.starts_with("::add-mask::") {
                continue;
            }
            assert!(!line.contains(needle), "{what}: secret in {stream}: {line}");
        }
    }
}

/// Asserts `needle` is only in files whose name passes `allowed`.
fn clean_files(dir: &Path, needle: &str, allowed: &dyn Fn(&Path) -> bool) {
    for (path, (bytes, _)) in snapshot(dir) {
        if allowed(&path) {
            continue;
        }
        assert!(
            !String::from_utf8_lossy(&bytes).contains(needle),
            "secret in {}",
            path.display()
        );
    }
}

#[test]
fn no_leaks_anywhere() {
    let w = Work::new();
    let gh = tempfile::tempdir().expect("gh");
    let ghp = |n: &str| gh.path().join(n);
    let github = |c: &mut crate::support::Bin| {
        c.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ENV", ghp("env"))
            .env("GITHUB_OUTPUT", ghp("output"))
            .env("GITHUB_STEP_SUMMARY", ghp("summary"));
    };
    let scenarios: Vec<(&str, Vec<&str>, bool)> = vec![
        ("dry run", vec!["--dry-run"], false),
        ("export", vec![], false),
        ("unchanged", vec!["-v"], false),
        (
            "json",
            vec!["--output", "json", "--environment", "stage"],
            false,
        ),
        ("github", vec!["--environment", "prod"], true),
        ("github dry run", vec!["--dry-run", "-v"], true),
        (
            "retarget refusal",
            vec![
                "--environment",
                "dev",
                "--credential",
                "ci-production",
                "--subscription-id",
                SUB2,
            ],
            true,
        ),
    ];
    for (what, args, gha) in scenarios {
        let mut c = w.export(CANARY, &args);
        if gha {
            github(&mut c);
        }
        let o = c.output().expect("run");
        clean_output(&o, CANARY, what);
    }
    reads_and_refusals(&w);

    // Files: only the credential files and GITHUB_ENV hold it.
    clean_files(w.root(), CANARY, &|p| {
        p.parent() == Some(&w.secrets())
            && p.extension().is_some_and(|e| e == "json")
            && p.file_name().is_some_and(|n| n != "environments.json")
    });
    clean_files(gh.path(), CANARY, &|p| p == ghp("env"));
    assert!(
        std::fs::read_to_string(ghp("env"))
            .expect("env")
            .contains(CANARY)
    );

    let o = bin()
        .current_dir(w.root())
        .args(["cleanup", "--credential", "ci-stage"])
        .output()
        .expect("run");
    clean_output(&o, CANARY, "cleanup");
}

/// A bad id, then the commands that only read (after the exports).
fn reads_and_refusals(w: &Work) {
    // A secret pasted into the id field is not echoed either.
    let o = bin()
        .current_dir(w.root())
        .env("AZURE_CLIENT_ID", CANARY)
        .env("AZURE_CLIENT_SECRET", "x")
        .env("AZURE_TENANT_ID", TENANT)
        .args(["export", "--no-verify"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    clean_output(&o, CANARY, "bad id");

    for args in [
        vec!["status"],
        vec!["status", "--output", "json"],
        vec!["cleanup", "--credential", "ci-stage", "--dry-run"],
    ] {
        let o = bin()
            .current_dir(w.root())
            .args(&args)
            .output()
            .expect("run");
        assert!(o.status.success());
        clean_output(&o, CANARY, &args.join(" "));
    }
    let o = with_secret(w.root(), CANARY)
        .arg("explain")
        .output()
        .expect("run");
    clean_output(&o, CANARY, "explain");
}

#[cfg(unix)]
#[test]
fn az_token_goes_nowhere() {
    let w = Work::new();
    let gh = tempfile::tempdir().expect("gh");
    let token = "eyJfake.token.value";
    let path = fake_az(w.root(), SUB);
    for args in [
        vec!["export", "--no-verify"],
        vec!["env", "--shell", "json"],
        vec!["explain"],
    ] {
        let o = bin()
            .current_dir(w.root())
            .env("PATH", &path)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ENV", gh.path().join("env"))
            .env("GITHUB_OUTPUT", gh.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", gh.path().join("summary"))
            .args(&args)
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", stderr(&o));
        // `env` masks on stderr (its stdout is for `eval`), the rest on stdout.
        let first = if args[0] == "env" {
            stderr(&o)
        } else {
            stdout(&o)
        };
        assert!(
            first.starts_with(&format!("::add-mask::{token}\n")),
            "{args:?}: {first}"
        );
        clean_output(&o, token, &args.join(" "));
    }
    clean_files(w.root(), token, &|p| p.ends_with("fakebin/az"));
    clean_files(gh.path(), token, &|_| false);
}
