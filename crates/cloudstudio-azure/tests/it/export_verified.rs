//! `export` with verification (the default) against the built-in emulator:
//! a Contributor writes, a Reader-only principal exits 3 and writes nothing
//! (not the workdir, not the GitHub files), dry run or not.

use crate::support::Bin;
use crate::support::work::*;
use azure_emulator::{Emulator, Scenario, demo};

struct Emu {
    emu: Emulator,
    _state: tempfile::TempDir,
}

fn emulator() -> Emu {
    let state = tempfile::tempdir().expect("tmp");
    let emu = Emulator::start(Scenario::demo(), 0, state.path()).expect("emulator");
    Emu { emu, _state: state }
}

fn export(e: &Emu, w: &Work, gh: &std::path::Path, client: &str, secret: &str, sub: &str) -> Bin {
    let mut c = bin();
    let host = e.emu.authority_host();
    c.current_dir(w.root())
        .env("AZURE_CLIENT_ID", client)
        .env("AZURE_CLIENT_SECRET", secret)
        .env("AZURE_TENANT_ID", demo::TENANT_ID)
        .env("AZURE_SUBSCRIPTION_ID", sub)
        .env("SSL_CERT_FILE", e.emu.ca_pem_path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_ENV", gh.join("env"))
        .env("GITHUB_OUTPUT", gh.join("output"))
        .env("GITHUB_STEP_SUMMARY", gh.join("summary"))
        .args([
            "export",
            "--cloud",
            "custom",
            "--authority-host",
            &host,
            "--arm-endpoint",
            &e.emu.arm_endpoint(),
        ]);
    c
}

#[test]
fn contributor_is_verified_then_written() {
    let e = emulator();
    let w = Work::new();
    let gh = tempfile::tempdir().expect("gh");
    let o = export(
        &e,
        &w,
        gh.path(),
        demo::CLIENT_ID,
        demo::CLIENT_SECRET,
        demo::PROD_SUBSCRIPTION_ID,
    )
    .args(["--environment", "prod", "--output", "json"])
    .output()
    .expect("run");
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let json_start = stdout(&o).find('{').expect("json");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)[json_start..]).expect("json");
    assert_eq!(v["verified"], true);
    assert_eq!(
        w.json("ci-production.json")["client_secret"],
        demo::CLIENT_SECRET
    );
    let summary = std::fs::read_to_string(gh.path().join("summary")).expect("summary");
    assert!(summary.contains("| Verification | `passed"), "{summary}");
    assert!(!summary.contains(demo::CLIENT_SECRET));
}

#[test]
fn reader_only_exits_3_and_writes_nothing() {
    let e = emulator();
    let w = Work::new();
    let gh = tempfile::tempdir().expect("gh");
    for extra in [&[][..], &["--dry-run"][..]] {
        let before = snapshot(gh.path());
        let o = export(
            &e,
            &w,
            gh.path(),
            demo::READER_CLIENT_ID,
            demo::READER_SECRET,
            demo::STAGE_SUBSCRIPTION_ID,
        )
        .args(extra)
        .output()
        .expect("run");
        assert_eq!(o.status.code(), Some(3), "{}\n{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains("Contributor"), "{}", stdout(&o));
        assert!(stdout(&o).contains("::error title="), "{}", stdout(&o));
        assert!(!w.secrets().exists());
        assert_eq!(snapshot(gh.path()), before);
        let out = format!("{}{}", stdout(&o), stderr(&o));
        assert!(
            out.lines()
                .filter(|l| !l.starts_with("::add-mask::"))
                .all(|l| !l.contains(demo::READER_SECRET))
        );
    }
}
