//! The git guard: secrets must never be committable by accident. When the
//! workdir is inside a git repository, every file export writes must be
//! ignored by git (`git check-ignore -q --no-index`, so a file that is
//! already tracked counts by its rules, not by the index).

use super::error::WorkdirError;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::Command;

const GIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The repository root: the nearest directory at or above `start` holding
/// `.git` (a directory, or a file for worktrees and submodules).
pub fn find_repo(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Refuses unless git ignores every path in `paths` (all under
/// `secrets_dir`). Outside a repository there is nothing to check.
pub async fn check(secrets_dir: &Path, paths: &[PathBuf]) -> Result<(), WorkdirError> {
    // Canonical paths, so that a symlinked temp dir still lies "inside" the
    // repository for git. The secrets dir may not exist yet: canonicalize
    // the nearest existing ancestor.
    let existing = secrets_dir
        .ancestors()
        .find(|d| d.exists())
        .unwrap_or(secrets_dir);
    let base = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    let rest = secrets_dir.strip_prefix(existing).unwrap_or(Path::new(""));
    let dir = base.join(rest);
    let Some(repo) = find_repo(&dir) else {
        return Ok(());
    };

    let mut unignored = Vec::new();
    let mut note = None;
    for p in paths {
        let abs = dir.join(p.file_name().unwrap_or_default());
        match is_ignored(&repo, &abs).await {
            Ok(true) => {}
            Ok(false) => unignored.push(p.clone()),
            Err(why) => {
                note = Some(why);
                unignored.push(p.clone());
            }
        }
    }
    if unignored.is_empty() {
        return Ok(());
    }
    let rel = dir.strip_prefix(&repo).unwrap_or(&dir);
    let rule = format!("{}/", rel.display()).replace('\\', "/");
    Err(WorkdirError::Unignored {
        paths: unignored,
        rule,
        gitignore: repo.join(".gitignore"),
        note,
    })
}

/// `Ok(true)` ignored, `Ok(false)` not; `Err` why git could not say (then
/// the file counts as not ignored: refusing is the safe side).
async fn is_ignored(repo: &Path, path: &Path) -> Result<bool, String> {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(repo)
        .args(["check-ignore", "-q", "--no-index", "--"])
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(
                "git is not installed, so whether git ignores the files could not be checked"
                    .into(),
            );
        }
        Err(e) => return Err(format!("could not run git: {e}")),
    };
    let out = match tokio::time::timeout(GIT_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return Err(format!("could not run git: {e}")),
        Err(_) => return Err("`git check-ignore` did not answer within 10 s".into()),
    };
    match out.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => {
            // git's own message, one line, no control characters.
            let joined = String::from_utf8_lossy(&out.stderr)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let stderr = crate::untrusted::text_capped(&joined, 300);
            Err(format!("`git check-ignore` failed: {stderr}"))
        }
    }
}
