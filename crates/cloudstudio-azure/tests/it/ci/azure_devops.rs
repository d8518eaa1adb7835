//! Azure DevOps (`TF_BUILD=True`): the secret registered with the agent's
//! masker before any other output, the variables for later steps as
//! `##vso[task.setvariable]` (the secret with `issecret=true`), and a
//! failure as one `##vso[task.logissue type=error]`.

use crate::support::work::*;

#[test]
fn export_masks_first_then_sets_pipeline_variables() {
    let w = Work::new();
    // `%`, `;` and `]` must reach the agent intact.
    let secret = "p%0A;x]y-secret";
    let mut c = w.export(secret, &["--environment", "prod"]);
    c.env("TF_BUILD", "True");
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("##vso[task.setsecret]p%AZP250A;x]y-secret"),
        "{out}"
    );
    assert!(!stderr(&o).contains("##vso[task.setsecret]"));
    let set: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("##vso[task.setvariable"))
        .collect();
    for want in [
        format!("##vso[task.setvariable variable=ARM_CLIENT_ID]{CLIENT}"),
        "##vso[task.setvariable variable=ARM_CLIENT_SECRET;issecret=true]p%AZP250A;x]y-secret"
            .to_owned(),
        "##vso[task.setvariable variable=AZURE_CLIENT_SECRET;issecret=true]p%AZP250A;x]y-secret"
            .to_owned(),
        format!("##vso[task.setvariable variable=AZURE_SUBSCRIPTION_ID]{SUB}"),
    ] {
        assert!(set.contains(&want.as_str()), "{want} in\n{out}");
    }
    assert_eq!(set.len(), 8, "{out}");
    assert!(
        out.contains("secret ones (ARM_CLIENT_SECRET, AZURE_CLIENT_SECRET) reach a later step only through its env: mapping"),
        "{out}"
    );
    // Nothing for GitHub here.
    assert!(!out.contains("::add-mask::"), "{out}");
}

#[test]
fn dry_run_sets_no_variables() {
    let w = Work::new();
    let mut c = w.export(SECRET, &["--environment", "prod", "--dry-run"]);
    c.env("TF_BUILD", "True");
    let o = c.output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.starts_with("##vso[task.setsecret]"), "{out}");
    assert!(!out.contains("##vso[task.setvariable"), "{out}");
}

#[test]
fn a_failure_ends_with_one_logissue_error() {
    let w = Work::new();
    let mut c = w.export(
        SECRET,
        &["--environment", "prod", "--workdir", "/nonexistent-ado"],
    );
    c.env("TF_BUILD", "True");
    let o = c.output().expect("run");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let all = format!("{}{}", stdout(&o), stderr(&o));
    let issues: Vec<&str> = all
        .lines()
        .filter(|l| l.starts_with("##vso[task.logissue type=error]"))
        .collect();
    assert_eq!(issues.len(), 1, "{all}");
    // One line: the hint joined with an escaped newline.
    assert!(issues[0].contains("%0Ahint: "), "{}", issues[0]);
    assert!(!all.contains("::error"), "{all}");
}

#[test]
fn logging_commands_in_untrusted_text_are_broken() {
    // A branch name is outside text: it must not start a logging command.
    let w = Work::new();
    let mut c = w.export(
        SECRET,
        &[
            "--dry-run",
            "--branch",
            "##vso[task.setvariable variable=X]evil",
        ],
    );
    c.env("TF_BUILD", "True");
    let o = c.output().expect("run");
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains("##vso[task.setvariable variable=X]"), "{all}");
}
