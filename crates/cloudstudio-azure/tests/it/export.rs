//! `export` into the workdir: contents per auth kind, modes, idempotence,
//! preservation, refusals, dry runs.

use crate::support::work::*;
use serde_json::json;

#[test]
fn client_secret_file_and_binding() {
    let w = Work::new();
    let o = w
        .export(SECRET, &["--environment", "prod"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(w.file("ci-production.json")).expect("file");
    assert_eq!(
        text,
        format!(
            "{{\n  \"client_id\": \"{CLIENT}\",\n  \"client_secret\": \"{SECRET}\",\n  \"tenant_id\": \"{TENANT}\",\n  \"subscription_id\": \"{SUB}\"\n}}\n"
        )
    );
    assert_eq!(
        w.json("environments.json"),
        json!({"production": "ci-production"})
    );
    let out = stdout(&o);
    assert!(
        out.contains("created ") && out.contains("ci-production.json"),
        "{out}"
    );
    assert!(out.contains("set current for production"), "{out}");
    #[cfg(unix)]
    {
        assert_eq!(mode(&w.secrets()), 0o700);
        assert_eq!(mode(&w.file("ci-production.json")), 0o600);
        assert_eq!(mode(&w.file("environments.json")), 0o600);
    }
}

#[test]
fn oidc_file_has_no_secret() {
    let w = Work::new();
    let o = bin()
        .current_dir(w.root())
        .env("AZURE_CLIENT_ID", CLIENT)
        .env("AZURE_TENANT_ID", TENANT)
        .env("AZURE_SUBSCRIPTION_ID", SUB)
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            "https://token.invalid/request",
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token")
        .args(["export", "--no-verify"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        w.json("ci-development.json"),
        json!({"client_id": CLIENT, "tenant_id": TENANT, "subscription_id": SUB})
    );
}

#[cfg(unix)]
#[test]
fn az_session_file_has_subscription_only() {
    let w = Work::new();
    let path = fake_az(w.root(), SUB2);
    let o = bin()
        .current_dir(w.root())
        .env("PATH", path)
        .args(["export", "--no-verify", "--environment", "stage"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(w.json("ci-stage.json"), json!({"subscription_id": SUB2}));
    assert!(!stdout(&o).contains("eyJfake") && !stderr(&o).contains("eyJfake"));
}

#[test]
fn second_run_is_unchanged_and_untouched() {
    let w = Work::new();
    assert!(
        w.export(SECRET, &[])
            .output()
            .expect("run")
            .status
            .success()
    );
    // Every file gets an mtime far in the past: a rewrite, however soon
    // and however coarse the file system's clock, shows as a new mtime.
    age_files(w.root());
    let before = snapshot(w.root());
    let o = w.export(SECRET, &[]).output().expect("run");
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(out.matches("unchanged").count(), 2, "{out}");
    assert!(out.contains("already current for development"), "{out}");
    assert_eq!(snapshot(w.root()), before, "files or mtimes changed");
}

#[test]
fn unrelated_credentials_and_bindings_are_preserved() {
    let w = Work::new();
    std::fs::create_dir_all(w.secrets()).expect("dir");
    let other = "{\n  \"subscription_id\": \"55555555-5555-5555-5555-555555555555\"\n}\n";
    std::fs::write(w.file("team.json"), other).expect("write");
    std::fs::write(
        w.file("environments.json"),
        "{\"stage\": \"team\", \"prod\": \"old\"}",
    )
    .expect("write");
    let o = w
        .export(SECRET, &["--environment", "prod"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(w.file("team.json")).expect("team"),
        other
    );
    assert_eq!(
        w.json("environments.json"),
        json!({"stage": "team", "production": "ci-production"})
    );
    assert!(stdout(&o).contains("(was old)"));
}

#[test]
fn retargeting_another_environment_is_refused_unless_forced() {
    let w = Work::new();
    assert!(
        w.export(SECRET, &["--environment", "prod", "--credential", "shared"])
            .output()
            .expect("run")
            .status
            .success()
    );
    let before = snapshot(w.root());
    for extra in [&[][..], &["--dry-run"][..]] {
        let o = w
            .export(
                SECRET,
                &[
                    "--environment",
                    "stage",
                    "--credential",
                    "shared",
                    "--subscription-id",
                    SUB2,
                ],
            )
            .args(extra)
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("current for production") && err.contains("--force"),
            "{err}"
        );
        assert_eq!(snapshot(w.root()), before);
    }
    // Same subscription: no conflict, both environments share it.
    let o = w
        .export(
            SECRET,
            &["--environment", "stage", "--credential", "shared"],
        )
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    // --force: retargets, with a warning.
    let o = w
        .export(
            SECRET,
            &[
                "--environment",
                "stage",
                "--credential",
                "shared",
                "--subscription-id",
                SUB2,
                "--force",
            ],
        )
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("production also uses credential"));
    assert_eq!(w.json("shared.json")["subscription_id"], SUB2);
    assert_eq!(
        w.json("environments.json"),
        json!({"stage": "shared", "production": "shared"})
    );
}

#[test]
fn unrecognised_files_are_not_clobbered() {
    let w = Work::new();
    std::fs::create_dir_all(w.secrets()).expect("dir");
    for (content, expect) in [
        ("{ not json", "not valid JSON"),
        (
            "{\"subscription_id\": \"x\", \"password\": \"p\"}",
            "unexpected key `password`",
        ),
    ] {
        std::fs::write(w.file("ci-development.json"), content).expect("write");
        let o = w.export(SECRET, &[]).output().expect("run");
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(expect), "{}", stderr(&o));
        assert!(!stderr(&o).contains("\"p\""));
        assert_eq!(
            std::fs::read_to_string(w.file("ci-development.json")).expect("f"),
            content
        );
        assert!(!w.file("environments.json").exists());
    }
    std::fs::write(w.file("environments.json"), "[1]").expect("write");
    std::fs::write(w.file("ci-development.json"), "{}").expect("write");
    let o = w.export(SECRET, &["--force"]).output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(w.json("ci-development.json")["client_secret"], SECRET);
    assert_eq!(
        w.json("environments.json"),
        json!({"development": "ci-development"})
    );
}

#[test]
fn dry_run_writes_nothing_and_shows_the_masked_plan() {
    let w = Work::new();
    // First into an empty workdir, then over an existing older secret.
    for round in 0..2 {
        let genv = w.root().join("github_env");
        std::fs::write(&genv, "").expect("genv");
        let before = snapshot(w.root());
        let o = w
            .export("new-secret-value", &["--dry-run"])
            .env("GITHUB_ENV", &genv)
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(snapshot(w.root()), before, "dry run wrote something");
        let out = stdout(&o);
        assert!(out.contains("dry run: nothing was written"), "{out}");
        assert!(
            out.contains(if round == 0 {
                "would create"
            } else {
                "would update"
            }),
            "{out}"
        );
        assert!(out.contains("\"client_secret\": \"***"), "{out}");
        assert!(out.contains("ARM_CLIENT_SECRET=***"), "{out}");
        assert!(!out.contains("new-secret-value") && !stderr(&o).contains("new-secret-value"));
        if round == 0 {
            assert!(!w.secrets().exists());
            assert!(
                w.export("old-secret", &[])
                    .output()
                    .expect("run")
                    .status
                    .success()
            );
        } else {
            assert!(out.contains("*** (changed)"), "{out}");
        }
    }
}

#[test]
fn json_output() {
    let w = Work::new();
    let o = w
        .export(SECRET, &["--output", "json", "--environment", "stage"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(v["environment"], "stage");
    assert_eq!(v["subscription_id"], SUB);
    assert_eq!(v["tenant_id"], TENANT);
    assert_eq!(v["client_id"], CLIENT);
    assert_eq!(v["credential"], "ci-stage");
    assert_eq!(v["source"], "azure-env");
    assert_eq!(v["dry_run"], false);
    assert_eq!(v["verified"], false);
    let actions: Vec<&str> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["action"].as_str().expect("a"))
        .collect();
    assert_eq!(actions, ["create", "create"]);
}

#[test]
fn missing_workdir_is_an_input_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = with_secret(tmp.path(), SECRET)
        .args(["export", "--no-verify"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no CloudStudio workdir found"));
}

/// Sets every file's mtime under `dir` to a fixed time long ago.
fn age_files(dir: &std::path::Path) {
    let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for (path, (_, mtime)) in snapshot(dir) {
        if mtime.is_some() {
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(long_ago))
                .expect("set mtime");
        }
    }
}

/// The dry-run plan, whole: files, masked diffs, bindings, variables.
#[test]
fn dry_run_plan_snapshot() {
    let w = Work::new();
    let r = w.export(SECRET, &["--dry-run"]).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("export_dry_run", r.redacted(&r.stdout));
    // Over an existing credential with another secret: an update.
    assert!(w.export("an-older-secret", &[]).run().code == 0);
    let r = w.export(SECRET, &["--dry-run"]).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("export_dry_run_update", r.redacted(&r.stdout));
}
