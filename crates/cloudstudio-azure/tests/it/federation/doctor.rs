//! The federated-credential doctor: for each refusal Entra ID gives a
//! federated token, the token's claims (never the token), the claim that
//! did not match, the usual cause, and the command that makes it match.

use super::*;
use crate::support::emu::{assert_exit, check};
use serde_json::Value;

/// A fixed expiry far ahead, so that the report is stable.
const EXP_2100: i64 = 4_102_444_800;

fn token_with(e: &Emu, iss: &str, sub: &str, aud: &str) -> String {
    e.emu.sign_oidc_token(&json!({
        "iss": iss, "sub": sub, "aud": aud, "iat": 1_700_000_000, "nbf": 1_700_000_000,
        "exp": EXP_2100, "jti": "doctor",
    }))
}

/// The refused token check (JSON), and the text report.
fn refused(e: &Emu, token: &str) -> (Value, String) {
    let mut w = ids(e);
    w.env("ARM_OIDC_TOKEN", token);
    let r = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &["--output", "json"]);
    assert_exit(&r, 3);
    let c = check(&r.json(), "token").clone();
    let text = e.verify(&w, demo::PROD_SUBSCRIPTION_ID, &[]);
    assert_exit(&text, 3);
    assert!(!text.stdout.contains(token) && !text.stderr.contains(token));
    (c, text.stdout)
}

fn field(c: &Value, k: &str) -> String {
    c[k].as_str().expect("string").to_owned()
}

/// The report with the time left until the fixed expiry made stable.
fn stable(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("(in ") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(')').map_or(rest.len(), |j| i + j + 1);
        out.push_str("(in [TIME LEFT])");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn subject_mismatch_700213_names_the_claim_and_the_command() {
    let e = emulator();
    let sub = "project_path:contoso/infra:ref_type:branch:ref:feature/login";
    let (c, text) = refused(&e, &token_with(&e, GITLAB_ISSUER, sub, AUDIENCE));
    let d = field(&c, "detail");
    assert!(
        d.contains("AADSTS700213") && d.contains("mismatch: sub:"),
        "{d}"
    );
    assert!(d.contains("GitLab's subject names the project path"), "{d}");
    let fix = field(&c, "fix");
    let want = format!(
        "az ad app federated-credential create --id {} --parameters '{{\"audiences\":[\"{AUDIENCE}\"],\"issuer\":\"{GITLAB_ISSUER}\",\"name\":\"project-path-contoso-infra-ref-type-branch-ref-feature-login\",\"subject\":\"{sub}\"}}'",
        demo::OIDC_CLIENT_ID
    );
    assert!(fix.starts_with(&want), "{fix}\nwant {want}");
    assert_eq!(parameters(&fix)["subject"], sub);
    insta::assert_snapshot!("doctor_subject_mismatch", stable(&text));
}

#[test]
fn subject_differing_in_case_is_7002138() {
    let e = emulator();
    let sub = "project_path:Contoso/infra:ref_type:branch:ref:main";
    let (c, _) = refused(&e, &token_with(&e, GITLAB_ISSUER, sub, AUDIENCE));
    let d = field(&c, "detail");
    assert!(
        d.contains("AADSTS7002138") && d.contains("only when case is ignored"),
        "{d}"
    );
    assert!(d.contains("case-sensitively"), "{d}");
    assert!(field(&c, "fix").contains(&format!("\"subject\":\"{sub}\"")));
}

#[test]
fn issuer_with_a_trailing_slash_is_700211() {
    let e = emulator();
    let iss = format!("{GITLAB_ISSUER}/");
    let (c, _) = refused(&e, &token_with(&e, &iss, GITLAB_SUBJECT, AUDIENCE));
    let d = field(&c, "detail");
    assert!(
        d.contains("AADSTS700211") && d.contains("mismatch: iss:"),
        "{d}"
    );
    assert!(d.contains("ends with `/`"), "{d}");
    assert!(field(&c, "fix").contains(&format!("\"issuer\":\"{iss}\"")));
}

#[test]
fn audience_mismatch_is_700212() {
    let e = emulator();
    let (c, _) = refused(
        &e,
        &token_with(&e, GITLAB_ISSUER, GITLAB_SUBJECT, GITLAB_ISSUER),
    );
    let d = field(&c, "detail");
    assert!(
        d.contains("AADSTS700212") && d.contains("mismatch: aud:"),
        "{d}"
    );
    assert!(d.contains(&format!("aud `{GITLAB_ISSUER}`")), "{d}");
    assert!(d.contains("id_tokens:"), "{d}");
}

#[test]
fn expired_token_is_700024_with_no_create_command() {
    let e = emulator();
    let t = ci_token(&e, AKS_ISSUER, AKS_SUBJECT, AUDIENCE, -7200);
    let (c, _) = refused(&e, &t);
    let d = field(&c, "detail");
    assert!(
        d.contains("AADSTS700024") && d.contains("mismatch: exp:") && d.contains("expired 2 h ago"),
        "{d}"
    );
    assert!(!field(&c, "fix").contains("az ad app"), "nothing to create");
}

/// The `--parameters` word of the fix's command as a shell reads it.
fn parameters(fix: &str) -> Value {
    let command = fix.lines().next().expect("command line");
    let word = command
        .split_once(" --parameters ")
        .expect("--parameters")
        .1;
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("printf %s {word}")])
        .output()
        .expect("sh");
    serde_json::from_slice(&out.stdout).expect("one JSON word")
}

#[test]
fn hostile_claims_cannot_break_out_of_the_command() {
    let e = emulator();
    let sub = "x' ; touch pwned ; echo '\n::error::pwned";
    let (c, text) = refused(&e, &token_with(&e, GITLAB_ISSUER, sub, AUDIENCE));
    let fix = field(&c, "fix");
    // The shell reads exactly the token's subject back: no word escapes.
    assert_eq!(parameters(&fix)["subject"], sub, "{fix}");
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("::error::pwned")),
        "{text}"
    );
}
