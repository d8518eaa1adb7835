//! GitLab (`GITLAB_CI=true`): `export --dotenv-report FILE` hands later jobs
//! the non-secret variables; the secret never goes into the report (GitLab
//! keeps report artifacts).

use crate::support::work::*;

#[test]
fn the_report_holds_no_secret_and_says_what_was_left_out() {
    let w = Work::new();
    let report = w.root().join("azure.env");
    let mut c = w.export(SECRET, &["--environment", "prod", "--dotenv-report"]);
    c.arg(&report).env("GITLAB_CI", "true");
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&report).expect("report");
    assert!(!text.contains(SECRET), "{text}");
    let vars = parse_env_file(&text);
    let names: Vec<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "ARM_CLIENT_ID",
            "ARM_TENANT_ID",
            "ARM_SUBSCRIPTION_ID",
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_SUBSCRIPTION_ID"
        ]
    );
    assert!(
        text.contains(&format!("ARM_CLIENT_ID={CLIENT}\n")),
        "{text}"
    );
    assert_eq!(mode(&report) & 0o777, 0o600);
    let err = stderr(&o);
    assert!(
        err.contains("left out of the report (GitLab keeps report artifacts): ARM_CLIENT_SECRET, AZURE_CLIENT_SECRET"),
        "{err}"
    );
    assert!(err.contains("CI/CD variables"), "{err}");
    // No temp file left beside it.
    let left: Vec<_> = std::fs::read_dir(w.root())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".azure.env"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn a_rewritten_report_replaces_the_old_one() {
    let w = Work::new();
    let report = w.root().join("azure.env");
    std::fs::write(&report, "OLD=1\n").expect("old");
    let mut c = w.export(SECRET, &["--environment", "prod", "--dotenv-report"]);
    c.arg(&report);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&report).expect("report");
    assert!(!text.contains("OLD=1"), "{text}");
    assert!(text.contains("AZURE_SUBSCRIPTION_ID="), "{text}");
}

#[test]
fn a_federated_token_file_reaches_later_jobs_as_its_path() {
    let w = Work::new();
    let token = w.root().join("token.jwt");
    std::fs::write(&token, "header.payload.signature").expect("token");
    let report = w.root().join("azure.env");
    let mut c = bin();
    c.current_dir(w.root())
        .env("GITLAB_CI", "true")
        .env("ARM_CLIENT_ID", CLIENT)
        .env("ARM_TENANT_ID", TENANT)
        .env("ARM_SUBSCRIPTION_ID", SUB)
        .env("ARM_OIDC_TOKEN_FILE_PATH", &token)
        .args([
            "export",
            "--no-verify",
            "--environment",
            "prod",
            "--dotenv-report",
        ])
        .arg(&report);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&report).expect("report");
    let vars = parse_env_file(&text);
    let get = |n: &str| vars.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    assert_eq!(get("ARM_USE_OIDC").as_deref(), Some("true"));
    assert_eq!(
        get("ARM_OIDC_TOKEN_FILE_PATH"),
        Some(token.display().to_string())
    );
    assert!(!text.contains("header.payload.signature"), "{text}");
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
}

#[test]
fn special_files_and_missing_directories_are_refused_before_anything_is_written() {
    let w = Work::new();
    let before = snapshot(w.root());
    for target in [
        w.root().to_path_buf(),
        w.root().join("no/such/dir/azure.env"),
    ] {
        let mut c = w.export(SECRET, &["--environment", "prod", "--dotenv-report"]);
        c.arg(&target).env("GITLAB_CI", "true");
        let o = c.output().expect("run");
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("--dotenv-report"), "{}", stderr(&o));
        assert_eq!(snapshot(w.root()), before, "nothing written");
    }
}

#[test]
fn dry_run_writes_no_report() {
    let w = Work::new();
    let report = w.root().join("azure.env");
    let mut c = w.export(
        SECRET,
        &["--environment", "prod", "--dry-run", "--dotenv-report"],
    );
    c.arg(&report);
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!report.exists());
    assert!(
        stderr(&o).contains("would write the dotenv report"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_json_result_describes_the_report_by_names_only() {
    for dry_run in [false, true] {
        let w = Work::new();
        let report = w.root().join("azure.env");
        let mut flags = vec!["--environment", "prod", "--output", "json"];
        if dry_run {
            flags.push("--dry-run");
        }
        flags.push("--dotenv-report");
        let mut c = w.export(SECRET, &flags);
        c.arg(&report).env("GITLAB_CI", "true");
        let o = c.output().expect("run");
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(!out.contains(SECRET), "{out}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
        let d = &doc["dotenv_report"];
        assert_eq!(d["path"], report.display().to_string(), "{doc}");
        assert_eq!(d["written"], !dry_run, "{doc}");
        assert_eq!(
            d["left_out"],
            serde_json::json!(["ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET"]),
            "{doc}"
        );
        assert_eq!(d["variables"][0], "ARM_CLIENT_ID", "{doc}");
        assert_eq!(report.exists(), !dry_run);
    }
}
