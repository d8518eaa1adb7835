//! Point 1: `cloudstudio.yml` is found from a subdirectory of the workdir.

use super::*;

const CONFIG: &str = "branches:\n  - match: main\n    environment: production\n    subscription_id: 22222222-2222-2222-2222-222222222222\n";

#[test]
fn config_is_found_walking_up_from_a_subdirectory_of_the_workdir() {
    let mut w = World::new();
    azure_env(&mut w).env("GITHUB_REF_NAME", "main");
    w.write("azure/projects/web/envs/dev/main.tf", "");
    let cfg = w.write("cloudstudio.yml", CONFIG);
    let sub = w.path().join("azure/projects/web/envs/dev");
    let r = w.run_in(&sub, &["explain", "--output", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["environment"], "production");
    assert_eq!(j["rule"], "main");
    assert_eq!(j["subscription_id"], "22222222-2222-2222-2222-222222222222");
    assert_eq!(j["config"], cfg.display().to_string());

    // The text form says which file was used.
    let r = w.run_in(&sub, &["explain"]);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("config:") && l.ends_with("cloudstudio.yml")),
        "{}",
        r.stdout
    );
}

#[test]
fn the_walk_stops_at_the_repository_root() {
    let mut w = World::new();
    azure_env(&mut w).env("GITHUB_REF_NAME", "main");
    // A config above the repository is not this repository's.
    w.write("cloudstudio.yml", CONFIG);
    w.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    w.write("repo/azure/.keep", "");
    w.write("repo/infra/main.tf", "");
    let r = w.run_in(
        &w.path().join("repo/infra"),
        &["explain", "--output", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["environment"], "development");
    assert_eq!(j["config"], serde_json::Value::Null);

    // Inside the repository, above the workdir, it is found.
    w.write("repo/cloudstudio.yml", CONFIG);
    let j = w
        .run_in(
            &w.path().join("repo/infra"),
            &["explain", "--output", "json"],
        )
        .json();
    assert_eq!(j["environment"], "production");
}
