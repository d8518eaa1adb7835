//! Point 10: `explain` always shows the target (branch, rule with its
//! number and line, environment, subscription, credential), even when
//! resolution fails; it lists the rules that did not match, and says when
//! `--environment` drops a rule's subscription.

use super::*;

const CONFIG: &str = "# rules
branches:
  - match: \"release/**\"
    environment: stage
  - { match: main, environment: production, subscription_id: 22222222-2222-2222-2222-222222222222 }
  - match: \"**\"
    environment: development
";

#[test]
fn explain_without_credentials_still_shows_the_target() {
    let w = World::new();
    w.fake_az("login");
    w.write("cloudstudio.yml", CONFIG);
    let r = w.run(&["explain", "--branch", "main"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let out = &r.stdout;
    for expected in [
        "branch:       main (from flag)",
        "rule:         `main` (rule 2, line 5)",
        "rule 1, line 3 `release/**` does not match",
        "environment:  production (from the matched rule)",
        "subscription: 22222222-2222-2222-2222-222222222222 (from the matched rule)",
        "credential:   ci-production (from default)",
    ] {
        assert!(out.contains(expected), "{expected:?} in\n{out}");
    }
    assert!(
        r.stderr.contains("no usable Azure credentials"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_environment_override_that_drops_the_rules_subscription_says_so() {
    let mut w = World::new();
    azure_env(&mut w);
    w.write("cloudstudio.yml", CONFIG);
    let r = w.run(&["explain", "--branch", "main", "--environment", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "--environment development overrides the rule's production: its subscription_id 22222222-2222-2222-2222-222222222222 is not used"
        ),
        "{}",
        r.stdout
    );
    let j = w
        .run(&[
            "explain",
            "-o",
            "json",
            "--branch",
            "main",
            "--environment",
            "dev",
        ])
        .json();
    assert_eq!(j["rule_number"], 2);
    assert_eq!(j["rule_line"], 5);
    assert_eq!(j["unmatched_rules"][0]["match"], "release/**");
    assert_eq!(j["overrides"].as_array().map(Vec::len), Some(1));
    assert_eq!(j["subscription_id"], SUB_ID);
}
