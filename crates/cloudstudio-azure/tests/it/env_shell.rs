//! `env --shell ...`: the statements carry any secret intact.

use crate::support::work::*;

fn env_out(secret: &str, shell: &str) -> std::process::Output {
    let tmp = tempfile::tempdir().expect("tmp");
    with_secret(tmp.path(), secret)
        .allow_secret_output()
        .args(["env", "--shell", shell])
        .output()
        .expect("run")
}

const TRICKY: [&str; 3] = [
    HOSTILE,
    "multi\nline'secret\\n",
    "$(touch /tmp/pwned) `id` ${HOME}",
];

#[test]
fn bash_output_evaluates_to_the_exact_values() {
    if !has("bash") {
        return;
    }
    for secret in TRICKY {
        let o = env_out(secret, "bash");
        assert!(o.status.success(), "{}", stderr(&o));
        let tmp = tempfile::tempdir().expect("tmp");
        let script = tmp.path().join("env.sh");
        std::fs::write(&script, &o.stdout).expect("write");
        let r = std::process::Command::new("bash")
            .args(["-c", "source \"$1\" && printf '%s|%s|%s|%s' \"$ARM_CLIENT_SECRET\" \"$ARM_CLIENT_ID\" \"$ARM_TENANT_ID\" \"$ARM_SUBSCRIPTION_ID\"", "_"])
            .arg(&script)
            .output()
            .expect("bash");
        assert!(r.status.success());
        assert_eq!(
            String::from_utf8_lossy(&r.stdout),
            format!("{secret}|{CLIENT}|{TENANT}|{SUB}")
        );
    }
}

#[test]
fn powershell_output_evaluates_to_the_exact_value() {
    if !has("pwsh") {
        eprintln!("pwsh not installed; skipping");
        return;
    }
    for secret in TRICKY {
        let o = env_out(secret, "powershell");
        assert!(o.status.success(), "{}", stderr(&o));
        let tmp = tempfile::tempdir().expect("tmp");
        let script = tmp.path().join("env.ps1");
        let mut body = o.stdout.clone();
        body.extend_from_slice(b"[Console]::Out.Write($env:ARM_CLIENT_SECRET)\n");
        std::fs::write(&script, body).expect("write");
        let r = std::process::Command::new("pwsh")
            .args(["-NoProfile", "-NonInteractive", "-File"])
            .arg(&script)
            .output()
            .expect("pwsh");
        assert_eq!(String::from_utf8_lossy(&r.stdout), secret);
    }
}

#[test]
fn cmd_quoting() {
    let o = env_out("50%&^|<>x", "cmd");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("@set \"ARM_CLIENT_SECRET=50%%&^|<>x\"\n"),
        "{}",
        stdout(&o)
    );
    // `!` gets the delayed-expansion check first.
    let o = env_out("a!b", "cmd");
    assert!(stdout(&o).starts_with("@if \"!!\"==\"\""));
    for bad in ["a\"b", "a\nb"] {
        let o = env_out(bad, "cmd");
        assert_eq!(o.status.code(), Some(2));
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn dotenv_is_unquoted_and_refuses_newlines() {
    let o = env_out(HOSTILE, "dotenv");
    assert!(o.status.success(), "{}", stderr(&o));
    // Docker's --env-file reading: everything after the first `=`.
    let vars: Vec<(String, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("NAME=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    assert!(vars.contains(&("ARM_CLIENT_SECRET".to_owned(), HOSTILE.to_owned())));
    assert!(vars.contains(&("AZURE_CLIENT_SECRET".to_owned(), HOSTILE.to_owned())));
    // Both dialects (ARM_* and AZURE_*), public Azure: nothing for the cloud.
    assert_eq!(vars.len(), 8);

    let o = env_out("line1\nline2", "dotenv");
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("line break"));
    assert!(!stderr(&o).contains("line1"));
}

#[test]
fn json_object() {
    let o = env_out(HOSTILE, "json");
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["ARM_CLIENT_SECRET"], HOSTILE);
    assert_eq!(v["ARM_SUBSCRIPTION_ID"], SUB);
    assert_eq!(v["AZURE_CLIENT_SECRET"], HOSTILE);
    assert_eq!(v.as_object().expect("object").len(), 8);
}

#[test]
fn github_masks_before_printing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let o = with_secret(tmp.path(), SECRET)
        .allow_secret_output()
        .env("GITHUB_ACTIONS", "true")
        .args(["env", "--shell", "bash"])
        .output()
        .expect("run");
    // The mask goes to stderr (the runner reads both streams), so that
    // `eval "$(cloudstudio-azure env)"` never runs a `::add-mask::` line.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with(&format!("::add-mask::{SECRET}\n")), "{err}");
    assert!(!stdout(&o).contains("::add-mask::"));
    assert!(stdout(&o).starts_with("export ARM_"), "{}", stdout(&o));
}
