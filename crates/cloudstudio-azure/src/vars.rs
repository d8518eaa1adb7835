//! A snapshot of the process environment, read once at start-up.
//!
//! Resolution reads variables only through this type so that tests can feed
//! it a map, and so that "empty counts as absent" (GitHub turns a missing
//! secret into an empty string) is decided in one place.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Default)]
pub struct Vars {
    map: BTreeMap<String, String>,
    /// Variables whose value is not valid UTF-8: present, never usable
    /// (a source that reads one is invalid, not absent).
    not_utf8: BTreeSet<String>,
}

impl Vars {
    pub fn from_process() -> Vars {
        let mut vars = Vars::default();
        for (k, v) in std::env::vars_os() {
            // No variable this tool reads has a non-UTF-8 name.
            let Ok(k) = k.into_string() else { continue };
            match v.into_string() {
                Ok(v) => {
                    vars.map.insert(k, v);
                }
                Err(_) => {
                    vars.not_utf8.insert(k);
                }
            }
        }
        vars
    }

    /// The first of `names` whose value is not valid UTF-8.
    pub fn not_utf8<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
        names.into_iter().find(|n| self.not_utf8.contains(*n))
    }

    #[cfg(any(test, feature = "emulator"))]
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vars {
        Vars {
            map: pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            not_utf8: BTreeSet::new(),
        }
    }

    /// The same variables plus one (the demo's simulated CI job).
    #[cfg(feature = "emulator")]
    pub fn with(mut self, name: &str, value: &str) -> Vars {
        self.map.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The value, or `None` when unset, empty or only whitespace.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A CI system runs this: `CI` (GitHub, GitLab, most), Azure DevOps'
    /// `TF_BUILD`. Nobody is there to answer a question.
    pub fn in_ci(&self) -> bool {
        ["CI", "TF_BUILD", "GITHUB_ACTIONS", "GITLAB_CI"]
            .iter()
            .any(|n| {
                self.get(n)
                    .is_some_and(|v| !v.eq_ignore_ascii_case("false"))
            })
    }
}

// Deliberately no Debug derive: the map holds secrets.
impl std::fmt::Debug for Vars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Vars({} variables)", self.map.len())
    }
}
