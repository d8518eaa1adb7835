//! Identifier checks: GUIDs, tenants, environments.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `8-4-4-4-12` hex digits, the form Azure prints ids in.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A tenant is a GUID or a verified domain such as `contoso.onmicrosoft.com`.
pub fn is_tenant(s: &str) -> bool {
    if is_guid(s) {
        return true;
    }
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// A CloudStudio environment. The app says `development`, `stage`,
/// `production`; workdir folders say `dev`, `stage`, `prod`; people say
/// `staging`. All are accepted, the long names are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[serde(alias = "dev")]
    Development,
    #[serde(alias = "staging")]
    Stage,
    #[serde(alias = "prod")]
    Production,
}

impl Environment {
    pub const ALL: [Environment; 3] = [
        Environment::Development,
        Environment::Stage,
        Environment::Production,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Stage => "stage",
            Environment::Production => "production",
        }
    }

    pub fn parse(s: &str) -> Option<Environment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Some(Environment::Development),
            "stage" | "staging" => Some(Environment::Stage),
            "production" | "prod" => Some(Environment::Production),
            _ => None,
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Environment {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Environment::parse(s).ok_or_else(|| {
            format!("unknown environment `{s}` (expected development|dev, stage|staging, production|prod)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids() {
        assert!(is_guid("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(is_guid("72F988BF-86F1-41AF-91AB-2D7CD011DB47"));
        assert!(!is_guid("72f988bf86f141af91ab2d7cd011db47"));
        assert!(!is_guid("{72f988bf-86f1-41af-91ab-2d7cd011db47}"));
        assert!(!is_guid("72f988bf-86f1-41af-91ab-2d7cd011db4g"));
    }

    #[test]
    fn tenants() {
        assert!(is_tenant("contoso.onmicrosoft.com"));
        assert!(is_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(!is_tenant("contoso"));
        assert!(!is_tenant("con toso.com"));
        assert!(!is_tenant("a..b"));
    }

    #[test]
    fn environments() {
        assert_eq!(Environment::parse("prod"), Some(Environment::Production));
        assert_eq!(Environment::parse("Staging"), Some(Environment::Stage));
        assert_eq!(Environment::parse("qa"), None);
    }
}
