//! Hostile inputs: special files where a regular file is expected, inputs
//! past their size cap, config errors quoting huge values, variables that
//! are not UTF-8, durations out of range. Each ends promptly with exit 2
//! and a message naming what it was; none hangs or fills memory.

use crate::support::Run;
use crate::support::work::*;
use std::path::Path;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

#[track_caller]
fn assert_refused(r: &Run, parts: &[&str]) {
    assert_eq!(r.code, 2, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    for p in parts {
        assert!(r.stderr.contains(p), "expected {p:?} in:\n{}", r.stderr);
    }
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", p.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_directory_or_device_as_config_is_refused_naming_it() {
    let w = Work::new();
    let fifo = w.root().join("fifo.yml");
    mkfifo(&fifo);
    let dir = w.root().join("dir.yml");
    std::fs::create_dir(&dir).expect("dir");
    for (path, what) in [
        (fifo.as_path(), "is a FIFO (named pipe)"),
        (dir.as_path(), "is a directory"),
        (Path::new("/dev/zero"), "is a device"),
    ] {
        let r = with_secret(w.root(), SECRET)
            .args(["explain", "--config"])
            .arg(path)
            .run_within(LIMIT);
        assert_refused(&r, &[what, "not a regular file"]);
        assert!(!r.stderr.contains("does not exist"), "{}", r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_as_creds_file_or_ssl_cert_file_is_refused() {
    let w = Work::new();
    let fifo = w.root().join("creds.json");
    mkfifo(&fifo);
    let r = bin()
        .current_dir(w.root())
        .args(["explain", "--creds-file"])
        .arg(&fifo)
        .run_within(LIMIT);
    assert_refused(&r, &["--creds-file", "FIFO"]);

    let r = with_secret(w.root(), SECRET)
        .env("SSL_CERT_FILE", &fifo)
        .args(["verify", "--cloud", "custom"])
        .args([
            "--authority-host",
            "https://127.0.0.1:9",
            "--arm-endpoint",
            "https://127.0.0.1:9",
        ])
        .run_within(LIMIT);
    assert_refused(&r, &["SSL_CERT_FILE", "FIFO"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_workdir_is_refused_and_nothing_is_written() {
    let w = Work::new();
    std::fs::create_dir_all(w.secrets()).expect("secrets");
    mkfifo(&w.file("environments.json"));
    let r = w
        .export(SECRET, &["--environment", "prod"])
        .run_within(LIMIT);
    assert_refused(&r, &["environments.json", "FIFO"]);
    assert!(!w.file("ci-production.json").exists());
}

#[cfg(unix)]
#[test]
fn an_endless_stdin_secret_is_refused_at_the_cap() {
    let w = Work::new();
    let r = bin()
        .current_dir(w.root())
        .args([
            "explain",
            "--client-secret-stdin",
            "--client-id",
            CLIENT,
            "--tenant-id",
            TENANT,
        ])
        .stdin_path("/dev/zero")
        .run_within(LIMIT);
    assert_refused(&r, &["standard input", "larger than the 64 KiB allowed"]);
}

#[test]
fn an_oversized_config_is_refused() {
    let w = Work::new();
    let rule = "  - match: \"feature/x\"\n    environment: development\n";
    let big = format!("branches:\n{}", rule.repeat(300 * 1024 / rule.len()));
    std::fs::write(w.root().join("cloudstudio.yml"), big).expect("write");
    let r = with_secret(w.root(), SECRET)
        .arg("explain")
        .run_within(LIMIT);
    assert_refused(&r, &["cloudstudio.yml", "larger than the 256 KiB allowed"]);
}

#[test]
fn a_config_error_quotes_a_short_escaped_excerpt() {
    let w = Work::new();
    // YAML escapes: a BEL and a line break inside the value.
    let value = format!("{}\\a\\n::warning::x{}", "z".repeat(40), "y".repeat(50_000));
    std::fs::write(
        w.root().join("cloudstudio.yml"),
        format!("environments:\n  production:\n    subscription_id: \"{value}\"\n"),
    )
    .expect("write");
    let r = with_secret(w.root(), SECRET)
        .arg("explain")
        .run_within(LIMIT);
    assert_refused(&r, &["line 3", "is not a GUID", "zzzz…"]);
    assert!(r.stderr.len() < 2_000, "{} bytes of error", r.stderr.len());
    super::assert_no_forged_commands(&r.stderr);
}

#[cfg(unix)]
#[test]
fn a_non_utf8_variable_is_a_present_invalid_source_named_not_shown() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"\xff{\"clientId\": \"s3cr3t-\xfe\"}");
    let w = Work::new();
    let r = bin()
        .current_dir(w.root())
        .env("AZURE_CREDENTIALS", bad)
        .env("ARM_CLIENT_ID", CLIENT)
        .env("ARM_CLIENT_SECRET", SECRET)
        .env("ARM_TENANT_ID", TENANT)
        .env("ARM_SUBSCRIPTION_ID", SUB)
        .arg("explain")
        .run_within(LIMIT);
    assert_refused(
        &r,
        &["AZURE_CREDENTIALS", "not valid UTF-8 (value not shown)"],
    );
    assert!(!r.both().contains("arm-env"), "fell through:\n{}", r.both());

    let r = with_secret(w.root(), SECRET)
        .env("GITHUB_HEAD_REF", std::ffi::OsStr::from_bytes(b"main\xff"))
        .arg("explain")
        .run_within(LIMIT);
    assert_refused(&r, &["GITHUB_HEAD_REF", "not valid UTF-8"]);
}

#[test]
fn durations_out_of_range_are_usage_errors_naming_the_range() {
    let w = Work::new();
    for (args, range) in [
        (
            &["verify", "--timeout", "18446744073709551615"][..],
            "1..=3600",
        ),
        (&["verify", "--timeout", "0"][..], "1..=3600"),
        (&["explain", "--az-timeout", "100000"][..], "1..=600"),
        (&["export", "--lock-timeout", "3601"][..], "0..=3600"),
    ] {
        let r = with_secret(w.root(), SECRET).args(args).run_within(LIMIT);
        assert_refused(&r, &[range]);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

#[cfg(unix)]
#[test]
fn endless_az_output_is_cut_at_the_cap_and_az_stopped() {
    let w = crate::support::world::World::new();
    w.fake_az("flood");
    let r = w
        .bin_in(w.path(), &["explain", "--az-timeout", "60"])
        .run_within(LIMIT);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("more than 1024 KiB on stdout"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_as_github_env_fails_instead_of_hanging() {
    let w = Work::new();
    let fifo = w.root().join("github_env");
    mkfifo(&fifo);
    let r = w
        .export(SECRET, &["--environment", "prod"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", &fifo)
        .run_within(LIMIT);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("is a FIFO (named pipe), not a regular file"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_value_from_the_environment_is_quoted_inert_by_usage_errors() {
    let w = Work::new();
    let r = with_secret(w.root(), SECRET)
        .env("GITHUB_ACTIONS", "true")
        .env(
            "CLOUDSTUDIO_ENVIRONMENT",
            "qa\n::warning title=spoof::x\n##[add-mask]y",
        )
        .arg("explain")
        .run_within(LIMIT);
    assert_refused(&r, &["invalid value"]);
    super::assert_no_forged_commands(&r.stderr);
    super::assert_not_a_line(&r.stderr, "::warning title=spoof");
}
