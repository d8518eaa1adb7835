//! Which branch this pipeline runs for, and where that came from.
//!
//! Order: `--branch` > `GITHUB_HEAD_REF` (pull requests: the source branch) >
//! `GITHUB_REF_NAME` / `GITHUB_REF` > `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME` /
//! `CI_COMMIT_REF_NAME` (GitLab) > `SYSTEM_PULLREQUEST_SOURCEBRANCH` /
//! `BUILD_SOURCEBRANCH` (Azure Pipelines), then the local `.git/HEAD`; the
//! detected CI system's own variables come first ([`Ci::detect`]). `refs/heads/` and `refs/tags/` are stripped; a
//! `refs/pull/...` ref is not a branch and is passed over.
//!
//! Untrusted names: a fork's pull request names its own head branch, so a
//! fork branch called `main` must not select production. In
//! `pull_request` and `pull_request_target` events the head branch counts
//! only when the event (`GITHUB_EVENT_PATH`) shows the head repository is
//! `GITHUB_REPOSITORY`; otherwise, or when the event cannot tell,
//! [`Detection::untrusted`] says why and branch rules do not apply.

use crate::ci::Ci;
use crate::safe_read::{self, Links};
use crate::vars::Vars;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    pub name: String,
    /// `flag`, the variable's name, or `git`.
    pub from: String,
}

/// What detection saw, for `explain` when no branch was found.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    pub branch: Option<Branch>,
    /// Why candidates were passed over (pull refs, detached HEAD).
    pub notes: Vec<String>,
    /// Set when the branch name comes from a pull request that may be a
    /// fork's: why it does not select the environment.
    pub untrusted: Option<String>,
}

pub fn detect(flag: Option<&str>, vars: &Vars, cwd: &Path) -> Detection {
    let mut d = detect_name(flag, vars, cwd);
    let head_ref = vars.get("GITHUB_HEAD_REF").map(str::trim);
    if let Some(b) = &d.branch {
        let is_head = b.from == "GITHUB_HEAD_REF" || head_ref == Some(b.name.as_str());
        if is_head {
            d.untrusted = untrusted_pull_request(vars);
        }
    }
    if d.untrusted.is_none() {
        d.untrusted = d
            .branch
            .as_ref()
            .and_then(|b| untrusted_fork(vars, &b.from));
    }
    d
}

/// GitLab and Azure DevOps: a merge/pull request from a fork names the
/// fork's branch; like GitHub's, it does not select the environment.
fn untrusted_fork(vars: &Vars, from: &str) -> Option<String> {
    let get = |n: &str| vars.get(n).map(str::trim);
    match from {
        "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME" | "CI_COMMIT_REF_NAME" => {
            let source = get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID")?;
            (Some(source) != get("CI_MERGE_REQUEST_PROJECT_ID")).then(|| {
                "the merge request comes from another project (CI_MERGE_REQUEST_SOURCE_PROJECT_ID is not CI_MERGE_REQUEST_PROJECT_ID); its branch name does not select the environment (branch rules skipped; --environment or the default applies)".to_owned()
            })
        }
        "SYSTEM_PULLREQUEST_SOURCEBRANCH" => get("SYSTEM_PULLREQUEST_ISFORK")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
            .then(|| {
                "the pull request comes from a fork (SYSTEM_PULLREQUEST_ISFORK=True); its branch name does not select the environment (branch rules skipped; --environment or the default applies)".to_owned()
            }),
        _ => None,
    }
}

/// Why a pull request's head branch is not trusted here, or `None` when the
/// event is not a pull request or the head is this repository.
fn untrusted_pull_request(vars: &Vars) -> Option<String> {
    let event = vars.get("GITHUB_EVENT_NAME")?.trim();
    if event != "pull_request" && event != "pull_request_target" {
        return None;
    }
    let repo = vars.get("GITHUB_REPOSITORY").map(str::trim);
    let head = vars.get("GITHUB_EVENT_PATH").and_then(|p| {
        let bytes = safe_read::file(Path::new(p), safe_read::EVENT_MAX, Links::Follow).ok()?;
        let doc: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        doc["pull_request"]["head"]["repo"]["full_name"]
            .as_str()
            .map(str::to_owned)
    });
    let why = match (head, repo) {
        (Some(h), Some(r)) if h.eq_ignore_ascii_case(r) => return None,
        (Some(h), Some(r)) => format!(
            "the pull request comes from another repository ({}, not {})",
            crate::untrusted::text(&h),
            crate::untrusted::text(r)
        ),
        _ => "the event (GITHUB_EVENT_PATH, GITHUB_REPOSITORY) does not show that the pull request's head is this repository".to_owned(),
    };
    Some(format!(
        "{event}: {why}; its branch name does not select the environment (branch rules skipped; --environment or the default applies)"
    ))
}

fn detect_name(flag: Option<&str>, vars: &Vars, cwd: &Path) -> Detection {
    let mut notes = Vec::new();
    let found = |name: String, from: &str| Detection {
        branch: Some(Branch {
            name,
            from: from.to_owned(),
        }),
        notes: Vec::new(),
        untrusted: None,
    };
    if let Some(b) = flag.map(str::trim).filter(|b| !b.is_empty()) {
        return found(strip_ref(b).unwrap_or(b).to_owned(), "flag");
    }
    // The CI system running the job is asked first: another system's
    // variables (a job started from another CI) must not pick the branch.
    let mut readers: Vec<Reader> = vec![from_github, from_gitlab, from_azure_devops];
    if let Some(i) = Ci::detect(vars).map(|ci| match ci {
        Ci::GithubActions => 0,
        Ci::Gitlab => 1,
        Ci::AzureDevops => 2,
    }) {
        let first = readers.remove(i);
        readers.insert(0, first);
    }
    for read in readers {
        if let Some((name, from)) = read(vars, &mut notes) {
            return found(name, from);
        }
    }
    match git_head(cwd) {
        Some(GitHead::Branch(b)) => found(b, "git"),
        Some(GitHead::Detached) => {
            notes.push("the local git HEAD is detached (no branch checked out)".to_owned());
            Detection {
                branch: None,
                notes,
                untrusted: None,
            }
        }
        None => Detection {
            branch: None,
            notes,
            untrusted: None,
        },
    }
}

/// One CI system's branch variables: the name and the variable it came
/// from, or notes on why a candidate was passed over.
type Reader = fn(&Vars, &mut Vec<String>) -> Option<(String, &'static str)>;

fn from_github(vars: &Vars, notes: &mut Vec<String>) -> Option<(String, &'static str)> {
    if let Some(b) = vars.get("GITHUB_HEAD_REF") {
        return Some((b.trim().to_owned(), "GITHUB_HEAD_REF"));
    }
    // GITHUB_REF_NAME is `123/merge` on pull_request events: trust it only
    // when GITHUB_REF does not say it is a pull ref.
    let github_ref = vars.get("GITHUB_REF").map(str::trim);
    if github_ref.is_some_and(|r| r.starts_with("refs/pull/")) {
        notes.push("GITHUB_REF is a pull request ref, not a branch".to_owned());
        return None;
    }
    if let Some(b) = vars.get("GITHUB_REF_NAME") {
        return Some((b.trim().to_owned(), "GITHUB_REF_NAME"));
    }
    github_ref
        .and_then(strip_ref)
        .map(|b| (b.to_owned(), "GITHUB_REF"))
}

/// Merge request pipelines: the source branch (in merged-results
/// pipelines `CI_COMMIT_REF_NAME` is a `refs/merge-requests/...` ref).
fn from_gitlab(vars: &Vars, notes: &mut Vec<String>) -> Option<(String, &'static str)> {
    for name in ["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME"] {
        if let Some(v) = vars.get(name).map(str::trim) {
            if v.starts_with("refs/merge-requests/") {
                notes.push(format!("{name} is a merge request ref, not a branch"));
                continue;
            }
            return Some((v.to_owned(), name));
        }
    }
    None
}

fn from_azure_devops(vars: &Vars, notes: &mut Vec<String>) -> Option<(String, &'static str)> {
    for name in ["SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"] {
        if let Some(v) = vars.get(name).map(str::trim) {
            if v.starts_with("refs/pull/") {
                notes.push(format!("{name} is a pull request ref, not a branch"));
                continue;
            }
            return Some((strip_ref(v).unwrap_or(v).to_owned(), name));
        }
    }
    None
}

/// `refs/heads/x` -> `x`, `refs/tags/v1` -> `v1`; other `refs/` -> None;
/// a plain name is returned as is.
fn strip_ref(r: &str) -> Option<&str> {
    if let Some(b) = r
        .strip_prefix("refs/heads/")
        .or_else(|| r.strip_prefix("refs/tags/"))
    {
        return Some(b);
    }
    if r.starts_with("refs/") {
        None
    } else {
        Some(r)
    }
}

enum GitHead {
    Branch(String),
    Detached,
}

/// Reads `.git/HEAD` directly (no `git` process): the nearest `.git` at or
/// above `cwd`, following a `gitdir:` file (worktrees, submodules).
fn git_head(cwd: &Path) -> Option<GitHead> {
    let dot_git = cwd
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|p| p.exists())?;
    let git_dir = if dot_git.is_file() {
        let text = safe_read::text(&dot_git, safe_read::SMALL_MAX, Links::Follow).ok()?;
        let target = text.trim().strip_prefix("gitdir:")?.trim();
        let target = PathBuf::from(target);
        if target.is_absolute() {
            target
        } else {
            dot_git.parent()?.join(target)
        }
    } else {
        dot_git
    };
    let head = safe_read::text(&git_dir.join("HEAD"), safe_read::SMALL_MAX, Links::Follow).ok()?;
    let head = head.trim();
    match head.strip_prefix("ref:") {
        Some(r) => strip_ref(r.trim())
            .filter(|b| !b.is_empty())
            .map(|b| GitHead::Branch(b.to_owned())),
        None => Some(GitHead::Detached),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_with(pairs: &[(&str, &str)]) -> Option<Branch> {
        let vars = Vars::from_pairs(pairs.iter().copied());
        detect(None, &vars, Path::new("/nonexistent-dir-for-test")).branch
    }

    #[test]
    fn order_and_stripping() {
        let b = detect_with(&[
            ("GITHUB_HEAD_REF", "feature/x"),
            ("GITHUB_REF_NAME", "1/merge"),
        ]);
        assert_eq!(
            b.map(|b| (b.name, b.from)),
            Some(("feature/x".into(), "GITHUB_HEAD_REF".into()))
        );
        let b = detect_with(&[("GITHUB_REF", "refs/tags/v1.2")]);
        assert_eq!(b.map(|b| b.name), Some("v1.2".into()));
        let b = detect_with(&[
            ("GITHUB_REF", "refs/pull/3/merge"),
            ("GITHUB_REF_NAME", "3/merge"),
        ]);
        assert_eq!(b, None);
        let b = detect_with(&[("BUILD_SOURCEBRANCH", "refs/heads/release/1")]);
        assert_eq!(b.map(|b| b.name), Some("release/1".into()));
        let b = detect_with(&[("GITHUB_HEAD_REF", ""), ("CI_COMMIT_REF_NAME", "dev")]);
        assert_eq!(b.map(|b| b.from), Some("CI_COMMIT_REF_NAME".into()));
    }
}
