//! The git guard: a workdir inside a repository must have its secrets
//! ignored, or export refuses (dry runs too) unless --allow-unignored.

use crate::support::work::*;

fn repo() -> Option<Work> {
    if !has("git") {
        eprintln!("git not installed; skipping");
        return None;
    }
    let w = Work::new();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(w.root())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .status()
        .expect("git init")
        .success();
    assert!(ok);
    Some(w)
}

#[test]
fn refuses_unignored_secrets_naming_the_rule() {
    let Some(w) = repo() else { return };
    for extra in [&[][..], &["--dry-run"][..]] {
        let o = w.export(SECRET, extra).output().expect("run");
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("git would not ignore"), "{err}");
        assert!(
            err.contains("add `azure/secrets/` to") && err.contains(".gitignore"),
            "{err}"
        );
        assert!(!w.secrets().exists(), "refusal wrote something");
    }
}

#[test]
fn rule_is_relative_to_the_repository_root() {
    let Some(w) = repo() else { return };
    let sub = w.root().join("infra/cloud");
    std::fs::create_dir_all(sub.join("azure")).expect("dir");
    let o = with_secret(&sub, SECRET)
        .args(["export", "--no-verify"])
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`infra/cloud/azure/secrets/`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ignored_secrets_pass() {
    let Some(w) = repo() else { return };
    std::fs::write(w.root().join(".gitignore"), "azure/secrets/\n").expect("gitignore");
    let o = w.export(SECRET, &[]).output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(w.file("ci-development.json").is_file());
}

#[test]
fn partly_ignored_is_refused() {
    let Some(w) = repo() else { return };
    std::fs::write(w.root().join(".gitignore"), "azure/secrets/ci-*.json\n").expect("gitignore");
    let o = w.export(SECRET, &[]).output().expect("run");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("environments.json"), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("ci-development.json and"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn allow_unignored_writes_with_a_warning() {
    let Some(w) = repo() else { return };
    let o = w
        .export(SECRET, &["--allow-unignored"])
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--allow-unignored"));
    assert!(w.file("ci-development.json").is_file());
}

#[test]
fn git_missing_with_a_repository_refuses() {
    let w = Work::new();
    std::fs::create_dir(w.root().join(".git")).expect(".git");
    let empty = tempfile::tempdir().expect("empty PATH dir");
    let o = w
        .export(SECRET, &[])
        .env("PATH", empty.path())
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("git is not installed"),
        "{}",
        stderr(&o)
    );
}
