//! What `export` (or `cleanup`) would change in the workdir: per file,
//! create / update / unchanged / remove, with a masked diff, plus the
//! environment bindings and the pipeline variables.
//!
//! Planning is pure: it takes what is on disk ([`State`], read by
//! `workdir::read_state`) and what is wanted, and decides, refusals
//! included; the plan renders itself. `--dry-run` prints the plan; the real
//! run computes the same plan under the workdir lock and `workdir::apply`s
//! it. So a dry run refuses exactly when the real run would.

use crate::config::CredentialName;
use crate::exit::{Diagnose, Exit};
use crate::ids::Environment;
use crate::workdir::format::{Bindings, CredentialFile, Existing, SecretsDir, render_bindings};
use serde::Serialize;
use std::path::PathBuf;

/// What the plan refuses (exit 2). Messages name files and keys, never
/// values.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(
        "credential `{credential}` is current for {other} with subscription {stored}; exporting subscription {wanted} for {environment} would silently retarget {other}"
    )]
    Retarget {
        credential: String,
        environment: String,
        other: String,
        stored: String,
        wanted: String,
    },
    #[error("{} is not a credential file this tool wrote: {problem}", path.display())]
    Malformed { path: PathBuf, problem: String },
}

impl Diagnose for PlanError {
    fn exit(&self) -> Exit {
        Exit::Input
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            PlanError::Retarget { other, .. } => format!(
                "give this environment its own credential (--credential, or `credential:` in cloudstudio.yml), or pass --force to retarget {other} too"
            ),
            PlanError::Malformed { .. } => {
                "move the file aside (or fix it), or pass --force to overwrite it".into()
            }
        })
    }

    fn title(&self) -> &'static str {
        "Export refused"
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Unchanged,
    Remove,
}

impl Action {
    /// `created`, `would create`, ...
    pub fn describe(self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (Action::Create, false) => "created",
            (Action::Create, true) => "would create",
            (Action::Update, false) => "updated",
            (Action::Update, true) => "would update",
            (Action::Unchanged, _) => "unchanged",
            (Action::Remove, false) => "removed",
            (Action::Remove, true) => "would remove",
        }
    }
}

/// One file's change. Not `Debug`: `bytes` may hold the secret.
pub struct FileChange {
    pub path: PathBuf,
    pub action: Action,
    /// The new content (create/update). Holds the secret for a credential.
    bytes: Option<Vec<u8>>,
    /// Masked unified-style lines: `+ ...`, `- ...`, `  ...`.
    pub diff: Vec<String>,
    /// E.g. "permissions 0644 -> 0600".
    pub note: Option<String>,
    fix_mode: bool,
}

/// A file's content before and after, as shown (masked) and as written.
struct Contents {
    old_lines: Vec<String>,
    new_lines: Vec<String>,
    bytes: Vec<u8>,
}

impl FileChange {
    /// A write of `contents`; the diff is shown unless nothing changes.
    fn write(path: PathBuf, action: Action, contents: Contents) -> FileChange {
        FileChange {
            path,
            action,
            diff: if action == Action::Unchanged {
                Vec::new()
            } else {
                diff(&contents.old_lines, &contents.new_lines)
            },
            bytes: Some(contents.bytes),
            note: None,
            fix_mode: false,
        }
    }

    /// The content to write (create/update). Holds the secret for a credential.
    pub fn bytes(&self) -> Option<&[u8]> {
        self.bytes.as_deref()
    }

    /// Whether an unchanged file's permissions are to be fixed (0600).
    pub fn fix_mode(&self) -> bool {
        self.fix_mode
    }
}

/// A change to `environments.json`'s bindings.
#[derive(Debug, Clone, Serialize)]
pub struct Binding {
    pub environment: Environment,
    /// `None`: unbound (cleanup).
    pub credential: Option<String>,
    pub previous: Option<String>,
}

impl Binding {
    fn render(&self, dry_run: bool) -> String {
        let verb = if dry_run { "would " } else { "" };
        let env = self.environment;
        match (&self.credential, &self.previous) {
            (Some(c), Some(p)) if p == c => format!("{c} is already current for {env}"),
            (Some(c), Some(p)) => format!("{verb}set current for {env}: {c} (was {p})"),
            (Some(c), None) => format!("{verb}set current for {env}: {c}"),
            (None, p) => format!(
                "{verb}unset {env} (was {})",
                p.as_deref().unwrap_or("nothing")
            ),
        }
    }
}

pub struct Plan {
    pub files: Vec<FileChange>,
    pub bindings: Vec<Binding>,
    pub warnings: Vec<String>,
}

impl Plan {
    /// The plan as text: one line per file (`created <path>`), the masked
    /// diff for dry runs (and `-v`), then the bindings.
    pub fn render(&self, dry_run: bool, verbose: bool) -> String {
        let mut out = String::new();
        if dry_run {
            out.push_str("dry run: nothing was written\n");
        }
        for f in &self.files {
            out.push_str(&format!(
                "{} {}",
                f.action.describe(dry_run),
                crate::untrusted::path(&f.path)
            ));
            if let Some(n) = &f.note {
                out.push_str(&format!(" ({n})"));
            }
            out.push('\n');
            if dry_run || verbose {
                for l in &f.diff {
                    out.push_str(&format!("    {l}\n"));
                }
            }
        }
        for b in &self.bindings {
            out.push_str(&b.render(dry_run));
            out.push('\n');
        }
        out
    }

    /// `[{path, action}]` for `--output json`.
    pub fn files_json(&self) -> Vec<serde_json::Value> {
        self.files
            .iter()
            .map(|f| serde_json::json!({"path": f.path, "action": f.action}))
            .collect()
    }
}

/// What is on disk for one credential (`workdir::read_state`).
pub struct State {
    pub credential: Existing<CredentialFile>,
    pub credential_mode: Option<u32>,
    pub bindings: Existing<Bindings>,
}

/// What export wants.
pub struct Wanted<'a> {
    pub credential: &'a CredentialName,
    pub environment: Environment,
    pub file: &'a CredentialFile,
    pub force: bool,
}

/// Every reason an export of `credential` for `environment` and
/// `subscription` would be refused (unless forced), before anything is
/// written or created; the bindings to build on and the warnings forcing
/// gave.
pub fn refusals(
    secrets: &SecretsDir,
    state: &State,
    credential: &CredentialName,
    environment: Environment,
    subscription: &str,
    force: bool,
) -> Result<(Bindings, Vec<String>), PlanError> {
    let cred_path = secrets.credential_path(credential);
    let env_path = secrets.environments_path();
    let mut warnings = Vec::new();

    let bindings = match &state.bindings {
        Existing::Missing => Bindings::new(),
        Existing::Valid { value, .. } => value.clone(),
        Existing::Malformed { problem } if !force => {
            return Err(PlanError::Malformed {
                path: env_path,
                problem: problem.clone(),
            });
        }
        Existing::Malformed { .. } => {
            warnings.push(format!(
                "{} was not valid; --force rewrites it with this binding only",
                env_path.display()
            ));
            Bindings::new()
        }
    };
    if let Existing::Malformed { problem } = &state.credential {
        if !force {
            return Err(PlanError::Malformed {
                path: cred_path,
                problem: problem.clone(),
            });
        }
        warnings.push(format!(
            "{} was not a valid credential file; --force overwrites it",
            cred_path.display()
        ));
    }

    // One credential file holds one subscription: never retarget another
    // environment silently.
    if let Some(stored) = state.credential.value() {
        let wanted = subscription;
        for (other, name) in &bindings {
            if *other == environment
                || name != credential
                || stored.subscription_id.eq_ignore_ascii_case(wanted)
            {
                continue;
            }
            if !force {
                return Err(PlanError::Retarget {
                    credential: credential.to_string(),
                    environment: environment.to_string(),
                    other: other.to_string(),
                    stored: stored.subscription_id.clone(),
                    wanted: wanted.to_owned(),
                });
            }
            warnings.push(format!(
                "--force: {other} also uses credential `{}`, which now targets subscription {wanted}",
                credential
            ));
        }
    }
    Ok((bindings, warnings))
}

/// Plans an export; refuses (exit 2) a retarget of another environment or
/// overwriting a file we do not recognise, unless forced.
pub fn export(secrets: &SecretsDir, state: &State, want: &Wanted<'_>) -> Result<Plan, PlanError> {
    let cred_path = secrets.credential_path(want.credential);
    let env_path = secrets.environments_path();
    let (bindings, warnings) = refusals(
        secrets,
        state,
        want.credential,
        want.environment,
        &want.file.subscription_id,
        want.force,
    )?;

    let mut files = vec![credential_change(cred_path, state, want.file)];

    let mut new_bindings = bindings.clone();
    let previous = new_bindings.insert(want.environment, want.credential.clone());
    files.push(bindings_change(env_path, &state.bindings, &new_bindings));
    let binding = Binding {
        environment: want.environment,
        credential: Some(want.credential.to_string()),
        previous: previous.map(|p| p.to_string()),
    };
    Ok(Plan {
        files,
        bindings: vec![binding],
        warnings,
    })
}

/// Plans a cleanup: unbind every environment bound to `credential`, then
/// remove its file. Unbinding first means a binding never dangles.
pub fn cleanup(secrets: &SecretsDir, state: &State, credential: &CredentialName) -> Plan {
    let mut files = Vec::new();
    let mut bindings = Vec::new();
    let mut warnings = Vec::new();
    let env_path = secrets.environments_path();
    match &state.bindings {
        Existing::Valid { value, .. } => {
            let mut kept = value.clone();
            kept.retain(|env, name| {
                let bound = name == credential;
                if bound {
                    bindings.push(Binding {
                        environment: *env,
                        credential: None,
                        previous: Some(name.to_string()),
                    });
                }
                !bound
            });
            if !bindings.is_empty() {
                files.push(bindings_change(env_path, &state.bindings, &kept));
            }
        }
        Existing::Malformed { problem } => {
            warnings.push(format!("{} left alone: {problem}", env_path.display()))
        }
        Existing::Missing => {}
    }
    if !matches!(state.credential, Existing::Missing) {
        let old = masked_lines(&state.credential);
        files.push(FileChange {
            path: secrets.credential_path(credential),
            action: Action::Remove,
            bytes: None,
            diff: old.iter().map(|l| format!("- {l}")).collect(),
            note: None,
            fix_mode: false,
        });
    }
    Plan {
        files,
        bindings,
        warnings,
    }
}

fn credential_change(path: PathBuf, state: &State, new: &CredentialFile) -> FileChange {
    let bytes = new.render();
    let old = state.credential.value();
    let same_secret = old.is_some_and(|o| o.client_secret == new.client_secret);
    let shown = if old.is_none() || same_secret {
        "***"
    } else {
        "*** (changed)"
    };
    let new_lines = lines(&new.render_masked(shown));
    let old_lines = masked_lines(&state.credential);
    let (action, fix_mode) = match &state.credential {
        Existing::Missing => (Action::Create, false),
        Existing::Valid { bytes: b, .. } if *b == bytes => (
            Action::Unchanged,
            state.credential_mode.is_some_and(|m| m & 0o077 != 0),
        ),
        _ => (Action::Update, false),
    };
    let note = match (&state.credential, fix_mode) {
        (Existing::Malformed { .. }, _) => Some("previous content not shown".into()),
        (_, true) => Some(format!(
            "permissions {:04o} -> 0600",
            state.credential_mode.unwrap_or_default()
        )),
        _ => None,
    };
    let contents = Contents {
        old_lines,
        new_lines,
        bytes,
    };
    FileChange {
        note,
        fix_mode,
        ..FileChange::write(path, action, contents)
    }
}

fn bindings_change(path: PathBuf, old: &Existing<Bindings>, new: &Bindings) -> FileChange {
    let bytes = render_bindings(new);
    let old_lines = match old {
        Existing::Valid { value, .. } => lines(&String::from_utf8_lossy(&render_bindings(value))),
        _ => Vec::new(),
    };
    let new_lines = lines(&String::from_utf8_lossy(&bytes));
    let action = match old {
        Existing::Missing => Action::Create,
        Existing::Valid { bytes: b, .. } if *b == bytes => Action::Unchanged,
        _ => Action::Update,
    };
    let note =
        matches!(old, Existing::Malformed { .. }).then(|| "previous content not shown".into());
    let contents = Contents {
        old_lines,
        new_lines,
        bytes,
    };
    FileChange {
        note,
        ..FileChange::write(path, action, contents)
    }
}

/// A credential file as shown to people; an unrecognised file is not shown
/// at all (it may hold secrets under keys we do not know).
fn masked_lines(existing: &Existing<CredentialFile>) -> Vec<String> {
    match existing {
        Existing::Valid { value, .. } => lines(&value.render_masked("***")),
        _ => Vec::new(),
    }
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_owned).collect()
}

/// A line diff by longest common subsequence (the files are a few lines).
fn diff(old: &[String], new: &[String]) -> Vec<String> {
    let (n, m) = (old.len(), new.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            out.push(format!("  {}", old[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(format!("- {}", old[i]));
            i += 1;
        } else {
            out.push(format!("+ {}", new[j]));
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            diff(&v(&["a", "b", "c"]), &v(&["a", "x", "c"])),
            v(&["  a", "- b", "+ x", "  c"])
        );
    }
}
