//! `verify --all`: every environment default and branch rule in the config,
//! one token, each distinct subscription read once (concurrently), one line
//! per target, JSON, the step-summary table, and the exit code when some
//! fail.

use super::*;

const PROD: &str = demo::PROD_SUBSCRIPTION_ID;
const STAGE: &str = demo::STAGE_SUBSCRIPTION_ID;
const DEV: &str = demo::DEV_SUBSCRIPTION_ID;

/// `verify --all` against the emulator, with `config` as cloudstudio.yml.
fn all(e: &Emu, w: &World, config: &str, extra: &[&str]) -> Run {
    w.write("cloudstudio.yml", config);
    let base = e.emu.base_url();
    let mut args = vec![
        "verify",
        "--all",
        "--cloud",
        "custom",
        "--authority-host",
        &base,
        "--arm-endpoint",
        &base,
    ];
    args.extend_from_slice(extra);
    let run = w.run(&args);
    e.assert_no_leak(&run, &args);
    run
}

fn healthy_config() -> String {
    format!(
        "environments:
  production: {{ subscription_id: {PROD} }}
  stage: {{ subscription_id: {STAGE} }}
branches:
  - match: main
    environment: production
  - match: \"**\"
    environment: development
    subscription_id: {DEV}
"
    )
}

#[test]
fn every_target_passes_with_one_token_and_one_read_per_subscription() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = all(&e, &w, &healthy_config(), &[]);
    assert_exit(&r, 0);
    assert_eq!(
        r.stdout,
        format!(
            "\
✓ stage        environments.stage      {STAGE} passed
✓ production   environments.production {PROD} passed
✓ production   rule main               {PROD} passed
✓ development  rule **                 {DEV} passed
"
        )
    );
    assert_eq!(
        r.stderr,
        "checking 4 targets on 3 subscriptions with one token (16 at a time)\n"
    );
    assert_eq!(e.count(Route::Token), 1);
    // production is selected twice (its default and `main`): read once.
    assert_eq!(e.count(Route::Subscription), 3);
    assert_eq!(e.count(Route::Permissions), 3);
}

fn mixed_config() -> String {
    format!(
        "environments:
  production: {{ subscription_id: {PROD} }}
branches:
  - match: \"release/**\"
    environment: stage
    subscription_id: {}
  - match: \"hotfix/*\"
    environment: production
    subscription_id: {}
  - match: \"**\"
    environment: development
    subscription_id: {DEV}
",
        demo::DISABLED_SUBSCRIPTION_ID,
        demo::UNASSIGNED_SUBSCRIPTION_ID,
    )
}

#[test]
fn failing_targets_are_listed_and_exit_3_with_a_summary_table() {
    let e = Emu::demo();
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let summary = w.path().join("summary.md");
    w.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", summary.to_str().expect("utf-8"));
    let r = all(&e, &w, &mixed_config(), &[]);
    assert_exit(&r, 3);
    // Fix blocks may run over several lines, indented under their target.
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| !l.starts_with("::") && !l.starts_with("       "))
        .collect();
    assert_eq!(lines.len(), 6, "{}", r.stdout);
    assert!(
        r.stdout
            .lines()
            .filter(|l| !l.starts_with("::"))
            .all(|l| l.starts_with(['✓', '✗', ' '])),
        "{}",
        r.stdout
    );
    assert!(lines[0].starts_with(&format!(
        "✓ production   environments.production {PROD} passed"
    )));
    assert!(
        lines[1].starts_with("✗ stage        rule release/**"),
        "{}",
        lines[1]
    );
    assert_mentions(
        lines[1],
        &[
            demo::DISABLED_SUBSCRIPTION_ID,
            "subscription:",
            "is Disabled",
        ],
    );
    assert!(
        lines[2].starts_with("  fix: re-enable the subscription"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("✗ production   rule hotfix/*"),
        "{}",
        lines[3]
    );
    assert_mentions(
        lines[3],
        &[demo::UNASSIGNED_SUBSCRIPTION_ID, "AuthorizationFailed"],
    );
    assert_mentions(lines[4], &["fix:", demo::CLIENT_ID, "Contributor"]);
    assert!(
        lines[5].starts_with("✓ development  rule **"),
        "{}",
        lines[5]
    );
    // One annotation for the run, naming how many failed and the first.
    let both = r.both();
    let errors: Vec<&str> = both.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 1, "{}", r.both());
    assert_mentions(
        errors[0],
        &["2 of 4 targets failed", "stage (rule release/**)"],
    );
    let table = std::fs::read_to_string(&summary).expect("step summary");
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(
        rows[0],
        "### Azure credentials: every target (verify --all)"
    );
    assert_eq!(
        rows[2],
        "| Environment | Selected by | Subscription | Result |"
    );
    assert_eq!(rows[3], "|---|---|---|---|");
    assert_eq!(
        rows[4],
        format!("| `production` | `environments.production` | `{PROD}` | `✅ passed` |")
    );
    assert!(
        rows[5].starts_with("| `stage` | `rule release/**` |"),
        "{}",
        rows[5]
    );
    assert!(rows[5].contains("❌ subscription:"), "{}", rows[5]);
    assert_eq!(rows.len(), 9, "{table}");
}

#[test]
fn json_lists_every_target_with_its_checks() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let r = all(&e, &w, &mixed_config(), &["--output", "json"]);
    assert_exit(&r, 3);
    let doc = r.json();
    assert_eq!(doc["passed"], false);
    assert_eq!(doc["source"], "azure-env");
    assert_eq!(doc["tenant_id"], demo::TENANT_ID);
    let targets = doc["targets"].as_array().expect("targets");
    let got: Vec<(String, String, String, String)> = targets
        .iter()
        .map(|t| {
            (
                t["environment"].as_str().unwrap_or("").to_owned(),
                t["rule"].as_str().unwrap_or("-").to_owned(),
                t["subscription_id"].as_str().unwrap_or("").to_owned(),
                t["status"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let row = |e: &str, r: &str, s: &str, st: &str| (e.into(), r.into(), s.into(), st.into());
    assert_eq!(
        got,
        [
            row("production", "-", PROD, "pass"),
            row(
                "stage",
                "release/**",
                demo::DISABLED_SUBSCRIPTION_ID,
                "fail"
            ),
            row(
                "production",
                "hotfix/*",
                demo::UNASSIGNED_SUBSCRIPTION_ID,
                "fail"
            ),
            row("development", "**", DEV, "pass"),
        ]
    );
    assert_eq!(
        statuses(&targets[0]),
        statuses(&serde_json::json!({"checks": targets[3]["checks"]}))
    );
    assert_eq!(targets[1]["subscription_from"], "rule");
    assert_eq!(targets[0]["subscription_from"], "environment");
    assert_eq!(targets[0]["credential"], "ci-production");
    assert_eq!(doc["error"]["exit"], 3);
    assert_mentions(
        doc["error"]["message"].as_str().expect("message"),
        &["2 of 4 targets failed"],
    );
}

#[test]
fn a_refused_token_fails_every_target_after_one_request() {
    let e = Emu::demo();
    let w = e.app(demo::EXPIRED_CLIENT_ID, demo::EXPIRED_SECRET);
    let r = all(&e, &w, &healthy_config(), &["-q"]);
    assert_exit(&r, 3);
    assert_eq!(e.count(Route::Token), 1);
    assert_eq!(e.count(Route::Subscription), 0);
    let marks: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with('✗')).collect();
    assert_eq!(marks.len(), 4, "{}", r.stdout);
    for l in marks {
        assert_mentions(l, &["token:", "7000222"]);
    }
    assert_mentions(&r.stderr, &["4 of 4 targets failed"]);
}

#[test]
fn a_target_without_a_subscription_is_an_input_error_beside_the_others() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    let config = format!(
        "environments:\n  production: {{ subscription_id: {PROD} }}\n  stage: {{ credential: ci-stage }}\n"
    );
    let r = all(&e, &w, &config, &[]);
    assert_exit(&r, 2);
    assert_mentions(
        &r.stdout,
        &[
            "✗ stage        environments.stage      (none)",
            "not checked: no subscription for environment stage",
            "✓ production",
        ],
    );
    assert_mentions(&r.stderr, &["1 of 2 targets failed"]);
}

#[test]
fn all_refuses_flags_that_pick_one_target() {
    let e = Emu::demo();
    let w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    for flag in [
        ["--subscription-id", PROD],
        ["--environment", "stage"],
        ["--branch", "main"],
    ] {
        let r = all(&e, &w, &healthy_config(), &flag);
        assert_exit(&r, 2);
        assert_mentions(
            &r.stderr,
            &["verify --all checks every target", flag[0], "picks one"],
        );
    }
    // As the action passes inputs: variables, an empty one absent.
    let mut w = e.app(demo::CLIENT_ID, demo::CLIENT_SECRET);
    w.env("CLOUDSTUDIO_VERIFY_ALL", "true")
        .env("CLOUDSTUDIO_BRANCH", "");
    let r = all(&e, &w, &healthy_config(), &[]);
    assert_exit(&r, 0);
    w.env("CLOUDSTUDIO_ENVIRONMENT", "production");
    let r = all(&e, &w, &healthy_config(), &[]);
    assert_exit(&r, 2);
    assert_mentions(&r.stderr, &["--environment picks one"]);
    assert_eq!(e.count(Route::Token), 1);
}
