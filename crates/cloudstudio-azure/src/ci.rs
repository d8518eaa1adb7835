//! Which CI system runs this job, decided here and nowhere else: it picks
//! how secrets are masked, how warnings and failures are annotated, where
//! `export` hands variables to later steps, and which branch variables are
//! trusted. `explain` shows it.

use crate::vars::Vars;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ci {
    /// `GITHUB_ACTIONS=true`: `::add-mask::`, `GITHUB_ENV`, annotations.
    GithubActions,
    /// `TF_BUILD=True`: `##vso[...]` logging commands.
    AzureDevops,
    /// `GITLAB_CI=true`: masking is the project's CI/CD variable settings;
    /// later jobs get a dotenv report.
    #[serde(rename = "gitlab-ci")]
    Gitlab,
}

impl Ci {
    /// The CI system from its own marker variable. The runners set exactly
    /// one; should several be set (a job started from another CI), GitHub
    /// wins, then Azure DevOps, as their logs are the ones that read
    /// workflow commands.
    pub fn detect(vars: &Vars) -> Option<Ci> {
        let is = |name: &str| {
            vars.get(name)
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        };
        if vars.get("GITHUB_ACTIONS") == Some("true") {
            Some(Ci::GithubActions)
        } else if is("TF_BUILD") {
            Some(Ci::AzureDevops)
        } else if is("GITLAB_CI") {
            Some(Ci::Gitlab)
        } else {
            None
        }
    }

    /// For people: `explain`, messages.
    pub fn name(self) -> &'static str {
        match self {
            Ci::GithubActions => "GitHub Actions",
            Ci::AzureDevops => "Azure DevOps",
            Ci::Gitlab => "GitLab CI",
        }
    }

    /// The variable that told.
    pub fn marker(self) -> &'static str {
        match self {
            Ci::GithubActions => "GITHUB_ACTIONS",
            Ci::AzureDevops => "TF_BUILD",
            Ci::Gitlab => "GITLAB_CI",
        }
    }
}

/// Azure Pipelines logging-command escaping, as the agent decodes it: `%`
/// first (the agent reads `%AZP25` back as `%`), then CR and LF, so a
/// value stays on the command's one line.
pub fn vso_escape_data(s: &str) -> String {
    s.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A logging-command property (`variable=NAME;issecret=true`): also `;`
/// (the property separator) and `]` (the end of the properties).
pub fn vso_escape_property(s: &str) -> String {
    vso_escape_data(s).replace(';', "%3B").replace(']', "%5D")
}

/// `##vso[task.setvariable variable=NAME]VALUE` (`;issecret=true` for a
/// secret): one line, from which the agent reads back NAME and VALUE.
pub fn vso_set_variable(name: &str, value: &str, secret: bool) -> String {
    format!(
        "##vso[task.setvariable variable={}{}]{}",
        vso_escape_property(name),
        if secret { ";issecret=true" } else { "" },
        vso_escape_data(value)
    )
}

/// `##vso[task.setsecret]VALUE`: the agent's mask-only command.
pub fn vso_set_secret(value: &str) -> String {
    format!("##vso[task.setsecret]{}", vso_escape_data(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(pairs: &[(&str, &str)]) -> Option<Ci> {
        Ci::detect(&Vars::from_pairs(pairs.iter().copied()))
    }

    #[test]
    fn markers() {
        assert_eq!(
            detect(&[("GITHUB_ACTIONS", "true")]),
            Some(Ci::GithubActions)
        );
        assert_eq!(detect(&[("TF_BUILD", "True")]), Some(Ci::AzureDevops));
        assert_eq!(detect(&[("GITLAB_CI", "true")]), Some(Ci::Gitlab));
        assert_eq!(detect(&[("GITLAB_CI", "false"), ("CI", "true")]), None);
        assert_eq!(detect(&[("TF_BUILD", "1")]), None);
        assert_eq!(
            detect(&[("GITLAB_CI", "true"), ("GITHUB_ACTIONS", "true")]),
            Some(Ci::GithubActions)
        );
    }

    #[test]
    fn vso_escapes() {
        assert_eq!(vso_escape_data("a%0Ab\r\nc]"), "a%AZP250Ab%0D%0Ac]");
        assert_eq!(vso_escape_property("x;y]z%"), "x%3By%5Dz%AZP25");
    }
}
