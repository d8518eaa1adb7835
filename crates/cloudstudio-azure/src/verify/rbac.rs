//! Azure RBAC evaluation of `Microsoft.Authorization/permissions`: what the
//! principal may do at subscription scope, which role level that is, and
//! which level passes (`--require`).

use serde::Deserialize;

/// `--require`: the weakest role that passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Require {
    Contributor,
    Reader,
    None,
}

impl Require {
    /// The level that passes; `None` when the role is not checked.
    pub fn level(self) -> Option<Level> {
        match self {
            Require::Contributor => Some(Level::Contributor),
            Require::Reader => Some(Level::Reader),
            Require::None => None,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Permission {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
}

/// Actions that stand for "can deploy": what Terraform does first.
pub const WRITE_ACTIONS: [&str; 2] = [
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Resources/deployments/write",
];
pub const READ_ACTIONS: [&str; 1] = ["Microsoft.Resources/subscriptions/resourceGroups/read"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    Reader,
    Contributor,
    /// Contributor plus role assignments (Owner, User Access Administrator).
    Owner,
}

impl Level {
    /// The role's name, as the portal's IAM page lists it.
    pub fn role(self) -> &'static str {
        match self {
            Level::None => "no role",
            Level::Reader => "Reader",
            Level::Contributor => "Contributor",
            Level::Owner => "Owner",
        }
    }

    /// What this level means for a pipeline.
    pub fn describe(self) -> &'static str {
        match self {
            Level::Owner => "Owner-level: can deploy and assign roles",
            Level::Contributor => "Contributor-level: can create resource groups and deployments",
            Level::Reader => "Reader only: can read, cannot deploy",
            Level::None => "no role on the subscription",
        }
    }
}

/// What Owner can do and Contributor cannot.
pub const ASSIGN_ACTION: &str = "Microsoft.Authorization/roleAssignments/write";

/// An action is allowed when some entry grants it and that same entry does
/// not exclude it (`notActions` subtract from their own entry only).
pub fn allows(perms: &[Permission], action: &str) -> bool {
    perms.iter().any(|p| {
        p.actions.iter().any(|a| matches(a, action))
            && !p.not_actions.iter().any(|n| matches(n, action))
    })
}

pub fn level(perms: &[Permission]) -> Level {
    if WRITE_ACTIONS.iter().all(|a| allows(perms, a)) {
        if allows(perms, ASSIGN_ACTION) {
            Level::Owner
        } else {
            Level::Contributor
        }
    } else if READ_ACTIONS.iter().all(|a| allows(perms, a)) {
        Level::Reader
    } else {
        Level::None
    }
}

/// Case-insensitive match where `*` is any run of characters.
fn matches(pattern: &str, action: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let a: Vec<char> = action.to_ascii_lowercase().chars().collect();
    // Iterative wildcard match with backtracking to the last `*`.
    let (mut pi, mut ai) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ai));
            pi += 1;
        } else if pi < p.len() && p[pi] == a[ai] {
            pi += 1;
            ai += 1;
        } else if let Some((sp, sa)) = star {
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm(actions: &[&str], not: &[&str]) -> Permission {
        Permission {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            not_actions: not.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn roles() {
        let contributor = perm(
            &["*"],
            &[
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/*/Delete",
            ],
        );
        assert_eq!(
            level(std::slice::from_ref(&contributor)),
            Level::Contributor
        );
        assert!(!allows(
            &[contributor],
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert_eq!(level(&[perm(&["*/read"], &[])]), Level::Reader);
        assert_eq!(level(&[perm(&["*"], &[])]), Level::Owner);
        assert_eq!(level(&[]), Level::None);
        // notActions subtract from their own entry only: the second entry
        // gives back what the first excludes (and the first can assign roles).
        let two = [
            perm(&["*"], &["Microsoft.Resources/*"]),
            perm(&["Microsoft.Resources/*"], &[]),
        ];
        assert_eq!(level(&two), Level::Owner);
        let contributor_like = [
            perm(
                &["*"],
                &["Microsoft.Resources/*", "Microsoft.Authorization/*/Write"],
            ),
            perm(&["Microsoft.Resources/*"], &[]),
        ];
        assert_eq!(level(&contributor_like), Level::Contributor);
        assert_eq!(level(&[perm(&["*"], &["*/write"])]), Level::Reader);
    }

    #[test]
    fn wildcards() {
        assert!(matches(
            "Microsoft.Resources/*",
            "microsoft.resources/deployments/write"
        ));
        assert!(matches("*/read", "a/b/read"));
        assert!(!matches("*/read", "a/b/write"));
        assert!(matches(
            "Microsoft.*/deployments/*",
            "Microsoft.Resources/deployments/write"
        ));
        assert!(!matches(
            "Microsoft.Compute/*",
            "Microsoft.Resources/deployments/write"
        ));
    }
}
