//! `status` (masked listing, unset and dangling environments) and `cleanup`.

use crate::support::work::*;
use serde_json::json;

#[test]
fn status_of_an_empty_workdir() {
    let w = Work::new();
    let o = bin()
        .current_dir(w.root())
        .arg("status")
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    // Issue 10, point 13: one line, no warnings repeating it.
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("no Azure credentials in "), "{out}");
    assert_eq!(stderr(&o), "");
}

#[test]
fn status_lists_masked_credentials_and_bindings() {
    let w = Work::new();
    assert!(
        w.export(SECRET, &["--environment", "prod"])
            .output()
            .expect("run")
            .status
            .success()
    );
    std::fs::write(
        w.file("environments.json"),
        "{\"production\": \"ci-production\", \"stage\": \"gone\"}\n",
    )
    .expect("write");
    let o = bin()
        .current_dir(w.root())
        .arg("status")
        .output()
        .expect("run");
    assert!(o.status.success());
    let out = stdout(&o);
    // A table: credential, environments it is current for, subscription, kind.
    let mut lines = out.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("CREDENTIAL")
            && header.contains("CURRENT FOR")
            && header.ends_with("KIND"),
        "{out}"
    );
    let row = lines.next().unwrap_or_default();
    let cells: Vec<&str> = row
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        ["ci-production", "production", SUB, "client secret"],
        "{out}"
    );
    assert!(
        out.contains("Credential not set on environment: development"),
        "{out}"
    );
    assert!(!out.contains(SECRET) && !stderr(&o).contains(SECRET));
    let err = stderr(&o);
    assert!(
        err.contains("stage is set to credential `gone`, but"),
        "{err}"
    );

    let o = bin()
        .current_dir(w.root())
        .args(["status", "--output", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        v["environments"],
        json!({"development": null, "stage": "gone", "production": "ci-production"})
    );
    let c = &v["credentials"][0];
    assert_eq!(c["name"], "ci-production");
    assert_eq!(c["has_secret"], true);
    assert_eq!(c["current_for"], json!(["production"]));
    assert!(!String::from_utf8_lossy(&o.stdout).contains(SECRET));
}

#[test]
fn cleanup_removes_file_and_every_binding() {
    let w = Work::new();
    for env in ["prod", "stage"] {
        let o = w
            .export(SECRET, &["--environment", env, "--credential", "shared"])
            .output()
            .expect("run");
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(
        w.export(SECRET, &["--environment", "dev"])
            .output()
            .expect("run")
            .status
            .success()
    );

    let before = snapshot(w.root());
    let o = bin()
        .current_dir(w.root())
        .args(["cleanup", "--credential", "shared", "--dry-run"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("would remove"), "{}", stdout(&o));
    assert_eq!(snapshot(w.root()), before);

    let o = bin()
        .current_dir(w.root())
        .args(["cleanup", "--credential", "shared"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!w.file("shared.json").exists());
    assert!(w.file("ci-development.json").exists());
    assert_eq!(
        w.json("environments.json"),
        json!({"development": "ci-development"})
    );

    let o = bin()
        .current_dir(w.root())
        .args(["cleanup", "--credential", "shared"])
        .output()
        .expect("run");
    assert!(o.status.success());
    assert!(stdout(&o).contains("nothing to clean"));
}

#[test]
fn cleanup_defaults_to_the_branch_placement() {
    let w = Work::new();
    std::fs::write(
        w.root().join("cloudstudio.yml"),
        "branches:\n  - match: main\n    environment: production\n",
    )
    .expect("config");
    assert!(
        w.export(SECRET, &["--branch", "main"])
            .output()
            .expect("run")
            .status
            .success()
    );
    assert!(w.file("ci-production.json").exists());
    let o = bin()
        .current_dir(w.root())
        .env("GITHUB_REF_NAME", "main")
        .arg("cleanup")
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!w.file("ci-production.json").exists());
    assert_eq!(w.json("environments.json"), json!({}));
}

#[test]
fn cleanup_without_secrets_dir() {
    let w = Work::new();
    let o = bin()
        .current_dir(w.root())
        .arg("cleanup")
        .output()
        .expect("run");
    assert!(o.status.success());
    assert!(stdout(&o).contains("nothing to clean"));
    assert!(!w.secrets().exists());
}
