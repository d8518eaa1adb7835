//! `cloudstudio.yml`: discovery, `RawConfig` (exactly the documented keys) ->
//! validated [`Config`].
//!
//! Validation happens inside deserialization (GUIDs, environments, branch
//! patterns are newtypes with their own `Deserialize`), so every problem is
//! reported by serde_yaml with the file's line and column.

use crate::exit::{Diagnose, Exit};
use crate::ids::{Environment, is_guid};
use crate::lookup::{match_lines, search_dirs};
pub use crate::pattern::BranchPattern;
use crate::safe_read::{self, Links};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// File names looked up, in this order.
pub const FILE_NAMES: [&str; 3] = ["cloudstudio.yml", "cloudstudio.yaml", ".cloudstudio.yml"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {} does not exist", crate::untrusted::path(path))]
    Missing { path: PathBuf },
    #[error("could not read {}: {err}", crate::untrusted::path(path))]
    Read { path: PathBuf, err: std::io::Error },
    #[error("{}: {message}", crate::untrusted::path(path))]
    Invalid { path: PathBuf, message: String },
}

impl Diagnose for ConfigError {
    fn exit(&self) -> Exit {
        Exit::Input
    }
    fn hint(&self) -> Option<String> {
        Some(match self {
            ConfigError::Missing { .. } => "check the --config path".into(),
            ConfigError::Read { err, .. } if safe_read::is_refusal(err) => {
                "--config must name a regular YAML file of a sensible size".into()
            }
            ConfigError::Read { .. } => "check the file's permissions".into(),
            ConfigError::Invalid { .. } => "allowed keys: workdir, credential, environments.<env>.{subscription_id, credential}, branches[].{match, environment, subscription_id, credential}; environments: development|dev, stage|staging, production|prod".into(),
        })
    }
    fn title(&self) -> &'static str {
        "cloudstudio.yml"
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    workdir: Option<PathBuf>,
    credential: Option<CredentialName>,
    #[serde(default)]
    environments: Environments,
    #[serde(default)]
    branches: Vec<Rule>,
}

/// The `environments:` map, refusing one environment under two spellings
/// (`prod:` and `production:`), which a plain map would silently merge.
#[derive(Debug, Default)]
struct Environments(BTreeMap<Environment, EnvironmentConfig>);

impl<'de> Deserialize<'de> for Environments {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Environments;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of environments (development, stage, production)")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Environments, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(env) = map.next_key::<Environment>()? {
                    let cfg = map.next_value::<EnvironmentConfig>()?;
                    if out.insert(env, cfg).is_some() {
                        return Err(serde::de::Error::custom(format!(
                            "environment `{env}` is given twice (dev/development, stage/staging and prod/production name the same environment)"
                        )));
                    }
                }
                Ok(Environments(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// Per-environment defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    pub subscription_id: Option<Guid>,
    pub credential: Option<CredentialName>,
}

/// A branch rule; the first one whose pattern matches wins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(rename = "match")]
    pub pattern: BranchPattern,
    pub environment: Option<Environment>,
    pub subscription_id: Option<Guid>,
    pub credential: Option<CredentialName>,
}

/// The validated configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from; `None` when no file was found.
    pub path: Option<PathBuf>,
    /// `workdir:` resolved against the config file's directory.
    pub workdir: Option<PathBuf>,
    pub credential: Option<CredentialName>,
    pub environments: BTreeMap<Environment, EnvironmentConfig>,
    pub branches: Vec<Rule>,
    /// The line of each rule's `match:` key, in `branches` order (`explain`).
    pub rule_lines: Vec<usize>,
}

impl Config {
    /// The position (0-based) of the first rule matching `branch`.
    pub fn rule_index_for(&self, branch: &str) -> Option<usize> {
        self.branches
            .iter()
            .position(|r| r.pattern.is_match(branch))
    }

    /// The 1-based line of rule `index`'s `match:` key, when known.
    pub fn rule_line(&self, index: usize) -> Option<usize> {
        self.rule_lines.get(index).copied()
    }

    pub fn environment(&self, env: Environment) -> Option<&EnvironmentConfig> {
        self.environments.get(&env)
    }

    /// Finds and loads the config: `--config` if given (must exist), else the
    /// first of [`FILE_NAMES`] in `cwd` and each directory above it, up to
    /// and including the repository root (holding `.git`) or the workdir
    /// root (holding `azure/`), whichever comes first; then in `workdir`
    /// (from `--workdir` / `CLOUDSTUDIO_WORKDIR`). Terraform runs in a
    /// subdirectory of the workdir: the rules must apply there too. No file
    /// at all is an empty config.
    pub fn discover(
        explicit: Option<&Path>,
        cwd: &Path,
        workdir: Option<&Path>,
    ) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            // A directory or FIFO is reported as what it is, by `load`.
            if std::fs::metadata(path).is_err() {
                return Err(ConfigError::Missing {
                    path: path.to_path_buf(),
                });
            }
            return Config::load(path);
        }
        for dir in search_dirs(cwd).iter().map(PathBuf::as_path).chain(workdir) {
            for name in FILE_NAMES {
                let path = dir.join(name);
                if path.is_file() {
                    return Config::load(&path);
                }
            }
        }
        Ok(Config::default())
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = safe_read::text(path, safe_read::CONFIG_MAX, Links::Follow).map_err(|err| {
            ConfigError::Read {
                path: path.to_path_buf(),
                err,
            }
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        // An empty file (or only comments) is an empty config.
        if text.lines().all(|l| {
            let l = l.trim();
            l.is_empty() || l.starts_with('#')
        }) {
            return Ok(Config {
                path: Some(path.to_path_buf()),
                ..Config::default()
            });
        }
        let raw: RawConfig = serde_yaml::from_str(text).map_err(|e| invalid(describe(&e, text)))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let rule_lines = match_lines(text);
        Ok(Config {
            path: Some(path.to_path_buf()),
            workdir: raw.workdir.map(|w| base.join(w)),
            credential: raw.credential,
            environments: raw.environments.0,
            // Only trusted when there is one `match:` per rule.
            rule_lines: if rule_lines.len() == raw.branches.len() {
                rule_lines
            } else {
                Vec::new()
            },
            branches: raw.branches,
        })
    }
}

/// serde_yaml's message, with the line first ("line 4: ...").
///
/// serde_yaml places errors raised by a value's own `Deserialize` (a bad
/// GUID, a bad pattern) at the start of the enclosing mapping; those messages
/// quote the value in backticks, so the line is moved to where the value is.
fn describe(e: &serde_yaml::Error, text: &str) -> String {
    let msg = e.to_string();
    let Some(loc) = e.location() else {
        return short_quotes(&msg);
    };
    // serde_yaml appends " at line L column C"; keep one position only.
    let msg = msg
        .split(" at line ")
        .next()
        .unwrap_or(&msg)
        .trim_end_matches(['.', ' ']);
    let mut line = loc.line();
    let quoted = msg.split('`').nth(1).filter(|q| !q.is_empty());
    if let Some(q) = quoted
        && let Some(n) = text
            .lines()
            .enumerate()
            .skip(line.saturating_sub(1))
            .find(|(_, l)| l.contains(q))
            .map(|(n, _)| n + 1)
    {
        line = n;
    }
    format!("line {line}: {}", short_quotes(msg))
}

/// The message with each backtick-quoted value cut to a short, escaped
/// excerpt: a bad value can be megabytes long and hold control characters.
fn short_quotes(msg: &str) -> String {
    let out: Vec<String> = msg
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                crate::untrusted::text_capped(part, 40)
            } else {
                crate::untrusted::text_capped(part, 400)
            }
        })
        .collect();
    out.join("`")
}

/// A subscription id, validated when the config is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guid(pub String);

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let t = s.trim();
        if is_guid(t) {
            Ok(Guid(t.to_ascii_lowercase()))
        } else {
            Err(serde::de::Error::custom(format!(
                "`{s}` is not a GUID (expected 8-4-4-4-12 hex digits, as the portal shows a subscription id)"
            )))
        }
    }
}

/// A credential name: becomes a file name under `azure/secrets/`, so only
/// `[A-Za-z0-9._-]`, not starting with a dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialName(pub String);

impl CredentialName {
    pub fn parse(s: &str) -> Result<CredentialName, String> {
        let ok = !s.is_empty()
            && s.len() <= 100
            && !s.starts_with('.')
            && s != "environments"
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(CredentialName(s.to_owned()))
        } else {
            Err(format!(
                "`{s}` is not a valid credential name (letters, digits, `-`, `_`, `.`; not starting with `.`; not `environments`)"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for CredentialName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CredentialName::parse(s)
    }
}

impl std::fmt::Display for CredentialName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CredentialName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CredentialName::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, b: &str) -> bool {
        BranchPattern::new(p).expect("valid pattern").is_match(b)
    }

    #[test]
    fn github_branch_filter_semantics() {
        assert!(m("main", "main"));
        assert!(!m("main", "main2"));
        assert!(m("release/*", "release/1.0"));
        assert!(!m("release/*", "release/1.0/hotfix"));
        assert!(m("release/**", "release/1.0/hotfix"));
        assert!(m("**", "feature/a/b"));
        assert!(m("*", "main"));
        assert!(!m("*", "feature/x"));
        assert!(m("feature-?", "feature-a"));
        assert!(!m("feature-?", "feature-/"));
        assert!(m("v[0-9]*", "v1.2"));
        assert!(m("releases/**-alpha", "releases/a/b-alpha"));
        assert!(m("releases/**-alpha", "releases/b-alpha"));
        assert!(m("feat**", "feature/x/y"));
        assert!(m("**-hotfix", "a/b-hotfix"));
        assert!(m("{x}", "{x}"));
        // Escapes and classes pass through untouched.
        assert!(m("a\\**", "a*"));
        assert!(m("a\\**", "a*bc"));
        assert!(!m("a\\**", "ab"));
        assert!(m("\\{x\\}", "{x}"));
        assert!(m("[{]x", "{x"));
        assert!(!m("[{]x", "\\x"));
        assert!(m("[]a]b", "]b"));
    }

    #[test]
    fn unknown_key_points_at_its_line() {
        let err = Config::parse(
            "environments:\n  production:\n    subscription: x\n",
            Path::new("cloudstudio.yml"),
        )
        .expect_err("unknown key");
        let msg = err.to_string();
        assert!(msg.contains("line 3"), "{msg}");
        assert!(msg.contains("subscription"), "{msg}");
    }

    #[test]
    fn bad_guid_points_at_its_line() {
        let err = Config::parse(
            "branches:\n  - match: main\n    subscription_id: nope\n",
            Path::new("cloudstudio.yml"),
        )
        .expect_err("bad guid");
        let msg = err.to_string();
        assert!(msg.contains("line 3"), "{msg}");
        assert!(msg.contains("not a GUID"), "{msg}");
    }

    #[test]
    fn environments_accept_both_spellings() {
        let c = Config::parse(
            "environments:\n  prod: { credential: p }\n  staging: { credential: s }\n",
            Path::new("/x/cloudstudio.yml"),
        )
        .expect("valid");
        assert!(c.environment(Environment::Production).is_some());
        assert!(c.environment(Environment::Stage).is_some());
        let err = Config::parse("environments:\n  qa: {}\n", Path::new("c.yml")).expect_err("qa");
        assert!(err.to_string().contains("line 2"), "{err}");
    }

    #[test]
    fn one_environment_under_two_names_is_refused() {
        let err = Config::parse(
            "environments:\n  production: { credential: a }\n  prod: { credential: b }\n",
            Path::new("c.yml"),
        )
        .expect_err("duplicate");
        assert!(err.to_string().contains("given twice"), "{err}");
    }

    #[test]
    fn workdir_is_relative_to_the_file() {
        let c =
            Config::parse("workdir: ../wd\n", Path::new("/a/b/cloudstudio.yml")).expect("valid");
        assert_eq!(c.workdir, Some(PathBuf::from("/a/b/../wd")));
    }
}
