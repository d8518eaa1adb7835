//! The pipeline's target: environment, subscription and credential name,
//! each with where it came from.
//!
//! Precedence (DESIGN.md, "Target"):
//! - environment: `--environment` > matching branch rule > `development`;
//! - subscription: `--subscription-id` > matching rule > the environment's
//!   default in the config > the credential source's own;
//! - credential: `--credential` > rule > environment > top-level >
//!   `ci-<environment>`;
//! - workdir: `--workdir` / `CLOUDSTUDIO_WORKDIR` > the config's `workdir:`
//!   > the nearest directory at or above the current one holding `azure/`.

use crate::branch::Detection;
use crate::config::{Config, CredentialName, Rule};
use crate::exit::{Diagnose, Exit};
use crate::ids::{Environment, is_guid};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error(
        "no subscription for environment {environment}: none from --subscription-id, a branch rule, the config's environments, or the credentials"
    )]
    NoSubscription { environment: Environment },
    #[error("--subscription-id is not a GUID (expected 8-4-4-4-12 hex digits)")]
    BadSubscriptionFlag,
    #[error("the workdir {} (from {from}) does not exist", path.display())]
    WorkdirMissing { path: PathBuf, from: &'static str },
    #[error("verify --all checks every target the config can select; {flag} picks one")]
    AllWithOne { flag: &'static str },
    #[error("no CloudStudio workdir found: no `azure/` folder in {} or above", cwd.display())]
    NoWorkdir { cwd: PathBuf },
}

impl Diagnose for TargetError {
    fn exit(&self) -> Exit {
        Exit::Input
    }
    fn hint(&self) -> Option<String> {
        Some(match self {
            TargetError::NoSubscription { environment } => format!(
                "pass --subscription-id, or add `environments: {{ {environment}: {{ subscription_id: ... }} }}` to cloudstudio.yml"
            ),
            TargetError::AllWithOne { flag } => {
                format!("drop {flag} (or its CLOUDSTUDIO_* variable), or drop --all")
            }
            TargetError::BadSubscriptionFlag => {
                "copy the Subscription ID from the portal's Subscriptions page".into()
            }
            TargetError::WorkdirMissing { .. } => "create it, or point --workdir at the CloudStudio workdir (the folder with aws/, azure/, google/)".into(),
            TargetError::NoWorkdir { .. } => {
                "pass --workdir, set CLOUDSTUDIO_WORKDIR, or add `workdir:` to cloudstudio.yml".into()
            }
        })
    }
    fn title(&self) -> &'static str {
        match self {
            TargetError::NoSubscription { .. }
            | TargetError::BadSubscriptionFlag
            | TargetError::AllWithOne { .. } => "Target",
            TargetError::WorkdirMissing { .. } | TargetError::NoWorkdir { .. } => {
                self.exit().title()
            }
        }
    }
}

/// The CloudStudio workdir: `named` (`--workdir` / `CLOUDSTUDIO_WORKDIR`,
/// already relative to `cwd`) > the config's `workdir:` > the nearest
/// directory at or above `cwd` that holds `azure/`. A named one must exist.
pub fn workdir(
    named: Option<PathBuf>,
    config: &Config,
    cwd: &Path,
) -> Result<PathBuf, TargetError> {
    let named = named
        .map(|p| (p, "--workdir / CLOUDSTUDIO_WORKDIR"))
        .or_else(|| {
            config
                .workdir
                .clone()
                .map(|p| (p, "the config's `workdir:`"))
        });
    if let Some((path, from)) = named {
        if !path.is_dir() {
            return Err(TargetError::WorkdirMissing { path, from });
        }
        return Ok(path);
    }
    cwd.ancestors()
        .find(|d| d.join("azure").is_dir())
        .map(Path::to_path_buf)
        .ok_or_else(|| TargetError::NoWorkdir {
            cwd: cwd.to_path_buf(),
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvironmentFrom {
    Flag,
    Rule,
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionFrom {
    Flag,
    Rule,
    Environment,
    Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialFrom {
    Flag,
    Rule,
    Environment,
    Config,
    Default,
}

/// Environment and credential name: everything that needs no credentials
/// (`cleanup` uses this alone).
#[derive(Debug, Clone)]
pub struct Placement {
    pub branch: Option<String>,
    pub branch_from: Option<String>,
    /// Why no branch was found, when none was.
    pub branch_notes: Vec<String>,
    /// Why the branch was not used to pick rules (a fork's pull request).
    pub untrusted_branch: Option<String>,
    /// The matched rule's pattern.
    pub rule: Option<String>,
    /// The matched rule's number (1-based, in file order) and line.
    pub rule_number: Option<usize>,
    pub rule_line: Option<usize>,
    /// The rules that do not match the branch: number, line, pattern.
    pub unmatched: Vec<(usize, Option<usize>, String)>,
    /// What a flag overrode of the matched rule (`explain` says so).
    pub overrides: Vec<String>,
    pub environment: Environment,
    pub environment_from: EnvironmentFrom,
    pub credential: CredentialName,
    pub credential_from: CredentialFrom,
    /// The subscription the flag, rule or environment asks for, if any.
    requested_subscription: Option<(String, SubscriptionFrom)>,
}

/// What `--environment` dropped of a matched rule for another environment:
/// its subscription and credential belong to the rule's environment.
fn dropped_by_override(
    rule: Option<&Rule>,
    dropped: bool,
    environment: Environment,
) -> Vec<String> {
    let Some(r) = rule.filter(|_| dropped) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let rule_env = r.environment.map_or_else(String::new, |e| e.to_string());
    if let Some(s) = &r.subscription_id {
        out.push(format!(
            "--environment {environment} overrides the rule's {rule_env}: its subscription_id {} is not used",
            s.0
        ));
    }
    if let Some(c) = &r.credential {
        out.push(format!(
            "--environment {environment} overrides the rule's {rule_env}: its credential {c} is not used"
        ));
    }
    out
}

/// The full target, once the credentials' own subscription is known.
#[derive(Debug, Clone)]
pub struct Target {
    pub placement: Placement,
    pub subscription_id: String,
    pub subscription_from: SubscriptionFrom,
}

impl Placement {
    pub fn compute(
        config: &Config,
        detection: Detection,
        flag_environment: Option<Environment>,
        flag_subscription: Option<&str>,
        flag_credential: Option<&CredentialName>,
    ) -> Result<Placement, TargetError> {
        let (branch, branch_from) = match detection.branch {
            Some(b) => (Some(b.name), Some(b.from)),
            None => (None, None),
        };
        // A fork's branch name selects nothing (see `branch`).
        let trusted_branch = branch.as_deref().filter(|_| detection.untrusted.is_none());
        let rule_index = trusted_branch.and_then(|b| config.rule_index_for(b));
        let unmatched = match trusted_branch {
            Some(b) => config
                .branches
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.pattern.is_match(b))
                .map(|(i, r)| (i + 1, config.rule_line(i), r.pattern.source.clone()))
                .collect(),
            None => Vec::new(),
        };
        let mut placement = Placement::with_rule(
            config,
            rule_index,
            flag_environment,
            flag_subscription,
            flag_credential,
        )?;
        placement.unmatched = unmatched;
        placement.branch = branch;
        placement.branch_from = branch_from;
        placement.branch_notes = detection.notes;
        placement.untrusted_branch = detection.untrusted;
        Ok(placement)
    }

    /// Every placement the config can select, for `verify --all`: each
    /// environment's default (as `--environment NAME` picks it on a branch
    /// no rule matches), then each branch rule in file order (as on a branch
    /// that rule is the first to match). With neither, the default
    /// placement (development).
    pub fn all(config: &Config) -> Result<Vec<Placement>, TargetError> {
        let mut out = Vec::new();
        for env in config.environments.keys() {
            out.push(Placement::with_rule(config, None, Some(*env), None, None)?);
        }
        for i in 0..config.branches.len() {
            out.push(Placement::with_rule(config, Some(i), None, None, None)?);
        }
        if out.is_empty() {
            out.push(Placement::with_rule(config, None, None, None, None)?);
        }
        Ok(out)
    }

    /// The placement when rule `rule_index` is the matching one (or none
    /// matched); no branch.
    fn with_rule(
        config: &Config,
        rule_index: Option<usize>,
        flag_environment: Option<Environment>,
        flag_subscription: Option<&str>,
        flag_credential: Option<&CredentialName>,
    ) -> Result<Placement, TargetError> {
        let rule = rule_index.and_then(|i| config.branches.get(i));
        let (environment, environment_from) =
            match (flag_environment, rule.and_then(|r| r.environment)) {
                (Some(e), _) => (e, EnvironmentFrom::Flag),
                (None, Some(e)) => (e, EnvironmentFrom::Rule),
                (None, None) => (Environment::Development, EnvironmentFrom::Default),
            };
        let env_cfg = config.environment(environment);
        // A rule's subscription and credential belong to its environment:
        // `--environment dev` on a production branch must not pick up
        // production's subscription or credential.
        let rule_settings = rule.filter(|r| r.environment.is_none_or(|e| e == environment));
        let overrides = dropped_by_override(rule, rule_settings.is_none(), environment);

        let requested_subscription =
            match flag_subscription.map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) if !is_guid(s) => return Err(TargetError::BadSubscriptionFlag),
                Some(s) => Some((s.to_ascii_lowercase(), SubscriptionFrom::Flag)),
                None => rule_settings
                    .and_then(|r| r.subscription_id.clone())
                    .map(|g| (g.0, SubscriptionFrom::Rule))
                    .or_else(|| {
                        env_cfg
                            .and_then(|e| e.subscription_id.clone())
                            .map(|g| (g.0, SubscriptionFrom::Environment))
                    }),
            };

        let (credential, credential_from) = if let Some(c) = flag_credential {
            (c.clone(), CredentialFrom::Flag)
        } else if let Some(c) = rule_settings.and_then(|r| r.credential.clone()) {
            (c, CredentialFrom::Rule)
        } else if let Some(c) = env_cfg.and_then(|e| e.credential.clone()) {
            (c, CredentialFrom::Environment)
        } else if let Some(c) = config.credential.clone() {
            (c, CredentialFrom::Config)
        } else {
            (
                CredentialName(format!("ci-{}", environment.as_str())),
                CredentialFrom::Default,
            )
        };

        Ok(Placement {
            rule: rule.map(|r| r.pattern.source.clone()),
            rule_number: rule_index.map(|i| i + 1),
            rule_line: rule_index.and_then(|i| config.rule_line(i)),
            unmatched: Vec::new(),
            overrides,
            branch: None,
            branch_from: None,
            branch_notes: Vec::new(),
            untrusted_branch: None,
            environment,
            environment_from,
            credential,
            credential_from,
            requested_subscription,
        })
    }

    /// Takes no credentials: what `explain` shows when resolution failed.
    pub fn requested(&self) -> Option<(&str, SubscriptionFrom)> {
        self.requested_subscription
            .as_ref()
            .map(|(s, f)| (s.as_str(), *f))
    }

    /// The subscription the flag, rule or environment asks for (the `az`
    /// fallback passes it to `az` so the token comes from the right tenant).
    pub fn requested_subscription(&self) -> Option<&str> {
        self.requested_subscription
            .as_ref()
            .map(|(s, _)| s.as_str())
    }

    /// Completes the target with the credential source's own subscription as
    /// the last resort.
    pub fn finish(self, source_subscription: Option<&str>) -> Result<Target, TargetError> {
        let (subscription_id, subscription_from) =
            match (&self.requested_subscription, source_subscription) {
                (Some((s, from)), _) => (s.clone(), *from),
                (None, Some(s)) => (s.to_owned(), SubscriptionFrom::Source),
                (None, None) => {
                    return Err(TargetError::NoSubscription {
                        environment: self.environment,
                    });
                }
            };
        Ok(Target {
            placement: self,
            subscription_id,
            subscription_from,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::branch::Branch;
    use std::path::Path;

    const CFG: &str = "
credential: top
environments:
  production: { subscription_id: 11111111-1111-1111-1111-111111111111, credential: ci-prod }
  stage: { subscription_id: 33333333-3333-3333-3333-333333333333 }
branches:
  - match: main
    environment: production
  - match: \"release/**\"
    environment: stage
    subscription_id: 22222222-2222-2222-2222-222222222222
    credential: rel
  - match: \"**\"
    environment: development
";

    fn placement(branch: Option<&str>) -> Placement {
        let config = Config::parse(CFG, Path::new("cloudstudio.yml")).expect("valid");
        let detection = Detection {
            branch: branch.map(|b| Branch {
                name: b.into(),
                from: "flag".into(),
            }),
            notes: vec![],
            untrusted: None,
        };
        Placement::compute(&config, detection, None, None, None).expect("valid")
    }

    #[test]
    fn rules_pick_environment_subscription_credential() {
        let p = placement(Some("main"));
        assert_eq!(p.environment, Environment::Production);
        assert_eq!(p.credential.as_str(), "ci-prod");
        let t = p
            .finish(Some("99999999-9999-9999-9999-999999999999"))
            .expect("sub");
        assert_eq!(t.subscription_from, SubscriptionFrom::Environment);

        let p = placement(Some("release/1/x"));
        assert_eq!(p.rule.as_deref(), Some("release/**"));
        assert_eq!(p.credential.as_str(), "rel");
        let t = p.finish(None).expect("sub");
        assert_eq!(t.subscription_id, "22222222-2222-2222-2222-222222222222");
        assert_eq!(t.subscription_from, SubscriptionFrom::Rule);

        let p = placement(Some("feature/a"));
        assert_eq!(p.environment, Environment::Development);
        assert_eq!(p.environment_from, EnvironmentFrom::Rule);
        assert_eq!(p.credential.as_str(), "top");
        assert!(p.finish(None).is_err());

        let p = placement(None);
        assert_eq!(p.environment_from, EnvironmentFrom::Default);
        assert_eq!(p.rule, None);
    }
}
