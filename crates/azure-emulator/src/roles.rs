//! Azure's built-in role definitions the emulator knows (real ids, names,
//! actions), and how RBAC decides an action: some role grants it and that
//! same role's `notActions` do not take it away.

use crate::scenario::Role;

pub struct RoleDef {
    /// The built-in role's GUID, the same in every subscription.
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub actions: &'static [&'static str],
    pub not_actions: &'static [&'static str],
}

/// Contributor's real `notActions`.
const CONTRIBUTOR_NOT_ACTIONS: &[&str] = &[
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
    "Microsoft.Compute/galleries/share/action",
    "Microsoft.Purview/consents/write",
    "Microsoft.Purview/consents/delete",
    "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
    "Microsoft.Subscription/cancel/action",
    "Microsoft.Subscription/enable/action",
];

pub const OWNER: RoleDef = RoleDef {
    id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    name: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    actions: &["*"],
    not_actions: &[],
};
pub const CONTRIBUTOR: RoleDef = RoleDef {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    name: "Contributor",
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    actions: &["*"],
    not_actions: CONTRIBUTOR_NOT_ACTIONS,
};
pub const READER: RoleDef = RoleDef {
    id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    name: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    actions: &["*/read"],
    not_actions: &[],
};
pub const USER_ACCESS_ADMINISTRATOR: RoleDef = RoleDef {
    id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    name: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    actions: &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
    not_actions: &[],
};

pub const BUILT_IN: [&RoleDef; 4] = [&OWNER, &CONTRIBUTOR, &READER, &USER_ACCESS_ADMINISTRATOR];

pub fn of(role: Role) -> &'static RoleDef {
    match role {
        Role::Owner => &OWNER,
        Role::Contributor => &CONTRIBUTOR,
        Role::Reader => &READER,
        Role::UserAccessAdministrator => &USER_ACCESS_ADMINISTRATOR,
    }
}

/// A built-in role by GUID (any case).
pub fn by_id(id: &str) -> Option<&'static RoleDef> {
    BUILT_IN.into_iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

/// A built-in role by name (any case), as `$filter=roleName eq '...'` asks.
pub fn by_name(name: &str) -> Option<&'static RoleDef> {
    BUILT_IN
        .into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
}

/// Whether any of `roles` grants `action`.
pub fn allows(roles: &[&RoleDef], action: &str) -> bool {
    roles.iter().any(|r| {
        r.actions.iter().any(|a| matches(a, action))
            && !r.not_actions.iter().any(|n| matches(n, action))
    })
}

/// Case-insensitive match where `*` is any run of characters.
fn matches(pattern: &str, action: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let a: Vec<char> = action.to_ascii_lowercase().chars().collect();
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

    const GROUP_WRITE: &str = "Microsoft.Resources/subscriptions/resourceGroups/write";
    const ASSIGN: &str = "Microsoft.Authorization/roleAssignments/write";

    #[test]
    fn built_in_roles_decide_like_azure() {
        assert!(allows(&[&CONTRIBUTOR], GROUP_WRITE));
        assert!(!allows(&[&CONTRIBUTOR], ASSIGN));
        assert!(allows(&[&OWNER], ASSIGN));
        assert!(!allows(&[&READER], GROUP_WRITE));
        assert!(allows(&[&READER], "Microsoft.Resources/subscriptions/read"));
        assert!(allows(&[&USER_ACCESS_ADMINISTRATOR], ASSIGN));
        assert!(!allows(&[&USER_ACCESS_ADMINISTRATOR], GROUP_WRITE));
        // Each role's notActions apply to that role only.
        assert!(allows(&[&CONTRIBUTOR, &USER_ACCESS_ADMINISTRATOR], ASSIGN));
        assert!(!allows(&[], "Microsoft.Resources/subscriptions/read"));
    }

    #[test]
    fn lookups() {
        assert_eq!(by_name("contributor").map(|r| r.id), Some(CONTRIBUTOR.id));
        assert_eq!(
            by_id("18D7D88D-D35E-4FB5-A5C3-7773C20A72D9").map(|r| r.name),
            Some("User Access Administrator")
        );
        assert!(by_name("Nope").is_none());
        assert!(matches("*/read", "a/b/read"));
        assert!(!matches("*/read", "a/b/write"));
        assert!(matches(
            "Microsoft.Authorization/*",
            "microsoft.authorization/x/y"
        ));
    }
}
