//! Issue 12: the CI system, detected once (`GITHUB_ACTIONS`, `GITLAB_CI`,
//! `TF_BUILD`), picks the branch variables, the masks and the export;
//! `explain` shows it.

mod azure_devops;
mod detect;
mod gitlab;
