//! The workdir against hostile file-system states: a lock held by another
//! run (a message after a second, then `--lock-timeout`), a secrets folder
//! that is a symlink out of the workdir, a folder open to others, symlinks
//! where the secret files or the lock belong.

use crate::support::work::*;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn a_held_lock_is_waited_for_with_a_message_then_given_up() {
    let w = Work::new();
    std::fs::create_dir_all(w.secrets()).expect("secrets");
    #[cfg(unix)]
    {
        // Whatever the umask: the mode note is another test's.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(w.secrets(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
    }
    let held = std::fs::File::create(w.file(".lock")).expect("lock file");
    held.lock().expect("hold the lock");
    let started = Instant::now();
    let r = w
        .export(SECRET, &["--environment", "prod", "--lock-timeout", "2"])
        .run_within(LIMIT);
    let took = started.elapsed();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("waiting for the lock held on ") && r.stderr.contains(".lock"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("for 2 s (--lock-timeout); gave up"),
        "{}",
        r.stderr
    );
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(20),
        "{took:?}"
    );
    insta::assert_snapshot!("lock_timeout", r.redacted(&r.both()));
    assert!(!w.file("ci-production.json").exists(), "nothing written");

    // Released: the same run goes through.
    drop(held);
    let r = w
        .export(SECRET, &["--environment", "prod", "--lock-timeout", "2"])
        .run_within(LIMIT);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_secrets_folder_linked_outside_the_workdir_is_refused() {
    for link in ["azure/secrets", "azure"] {
        let w = Work::new();
        let outside = tempfile::tempdir().expect("outside");
        let target = outside.path().join("elsewhere");
        std::fs::create_dir_all(target.join("secrets")).expect("target");
        let at = w.root().join(link);
        std::fs::remove_dir_all(w.root().join("azure")).expect("rm azure");
        if link == "azure/secrets" {
            std::fs::create_dir(w.root().join("azure")).expect("azure");
            std::os::unix::fs::symlink(target.join("secrets"), &at).expect("symlink");
        } else {
            std::os::unix::fs::symlink(&target, &at).expect("symlink");
        }
        for dry in [false, true] {
            let mut args = vec!["--environment", "prod"];
            if dry {
                args.push("--dry-run");
            }
            let r = w.export(SECRET, &args).run_within(LIMIT);
            assert_eq!(r.code, 2, "{link} dry={dry}: {}", r.stderr);
            assert!(
                r.stderr.contains("is a symbolic link to")
                    && r.stderr.contains("outside the workdir"),
                "{}",
                r.stderr
            );
        }
        let written: Vec<_> = std::fs::read_dir(target.join("secrets"))
            .expect("list")
            .collect();
        assert!(
            written.is_empty(),
            "{link}: wrote {written:?} outside the workdir"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_secrets_folder_open_to_others_is_made_private_with_a_note() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    std::fs::create_dir_all(w.secrets()).expect("secrets");
    std::fs::set_permissions(w.secrets(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let r = w
        .export(SECRET, &["--environment", "prod"])
        .run_within(LIMIT);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(mode(&w.secrets()), 0o700);
    assert!(
        r.stderr
            .contains("was open to other users (mode 777); set it to 0700"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn symlinks_where_the_secret_file_or_the_lock_belong_are_not_followed() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    std::fs::create_dir_all(w.secrets()).expect("secrets");
    // A credential file linked to someone else's 0644 file.
    let other = tempfile::tempdir().expect("other");
    let theirs = other.path().join("theirs.json");
    std::fs::write(&theirs, "{}").expect("write");
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::os::unix::fs::symlink(&theirs, w.file("ci-production.json")).expect("symlink");
    let r = w
        .export(SECRET, &["--environment", "prod"])
        .run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(mode(&theirs), 0o644, "the link's target was changed");
    std::fs::remove_file(w.file("ci-production.json")).expect("rm");

    // A dangling `.lock` link must not create its target.
    let target = other.path().join("created-by-lock");
    std::os::unix::fs::symlink(&target, w.file(".lock")).expect("symlink");
    let r = w
        .export(SECRET, &["--environment", "prod"])
        .run_within(LIMIT);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(".lock is a symbolic link"),
        "{}",
        r.stderr
    );
    assert!(!target.exists(), "the lock followed the link");
}

#[cfg(unix)]
#[test]
fn a_workdir_path_with_a_line_break_prints_no_workflow_command() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp
        .path()
        .join("w\n::warning title=spoof::x\n##[add-mask]y");
    std::fs::create_dir_all(root.join("azure")).expect("workdir");
    let r = with_secret(&root, SECRET)
        .env("GITHUB_ACTIONS", "true")
        .args(["export", "--no-verify", "--environment", "prod"])
        .run_within(LIMIT);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("created "), "{}", r.stdout);
    super::assert_no_forged_commands(&r.stdout);
    super::assert_no_forged_commands(&r.stderr);
    super::assert_not_a_line(&r.both(), "::warning title=spoof");
}
