//! The two APIs tokens are issued for, and every name a client may use for
//! them: the emulator's own URLs (`127.0.0.1` and `localhost`), the public
//! cloud's names the Azure CLI and SDKs default to, and the first-party app
//! ids. A token's `aud` is the name it was asked for; each API accepts all of
//! its names.

use crate::state::State;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    ResourceManager,
    Graph,
}

/// Resource Manager's first-party app id.
const ARM_APP_ID: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";
/// Microsoft Graph's first-party app id.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Scopes that ask for sign-in artefacts, not for an API.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "offline_access", "email"];

/// The API a resource name (v1 `resource`, or a scope without its
/// permission) stands for.
pub fn api_of(state: &State, resource: &str) -> Option<Api> {
    let r = resource.trim_end_matches('/').to_ascii_lowercase();
    let own = |base: &str| base.to_ascii_lowercase();
    let arm = [
        own(&state.base_url),
        own(&state.alt_base_url),
        "https://management.core.windows.net".into(),
        ARM_APP_ID.into(),
    ];
    let graph = [
        format!("{}/graph", own(&state.base_url)),
        format!("{}/graph", own(&state.alt_base_url)),
        "https://graph.microsoft.com".into(),
        GRAPH_APP_ID.into(),
    ];
    if arm.contains(&r) {
        Some(Api::ResourceManager)
    } else if graph.contains(&r) {
        Some(Api::Graph)
    } else {
        None
    }
}

/// A v2 `scope` parameter: the one resource it names (without
/// `/.default` or a permission name) and whether the client asked for a
/// refresh token. `Err` holds the offending value: no resource, or two.
pub fn parse_scope(scope: &str) -> Result<(String, bool), String> {
    let mut resource = None;
    let mut offline = false;
    for s in scope.split_whitespace() {
        if OIDC_SCOPES.iter().any(|o| o.eq_ignore_ascii_case(s)) {
            offline |= s.eq_ignore_ascii_case("offline_access");
            continue;
        }
        // `https://x/.default`, `https://x//.default` (a resource that ends
        // in `/`), `https://x/user_impersonation`: the resource is what comes
        // before the last segment.
        let r = match (s.find("://"), s.rfind('/')) {
            (Some(i), Some(j)) if j > i + 2 => &s[..j],
            (Some(_), _) => s,
            (None, Some(j)) => &s[..j],
            (None, None) => s,
        };
        if resource.replace(r.to_owned()).is_some() {
            return Err(scope.to_owned());
        }
    }
    resource
        .map(|r| (r, offline))
        .ok_or_else(|| scope.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_name_one_resource() {
        let ok = |s: &str| parse_scope(s).expect("one resource");
        assert_eq!(ok("https://x:1/.default").0, "https://x:1");
        assert_eq!(ok("https://x:1//.default").0, "https://x:1/");
        assert_eq!(
            ok("https://management.core.windows.net//.default offline_access openid"),
            ("https://management.core.windows.net/".into(), true)
        );
        assert_eq!(ok("https://x/user_impersonation").0, "https://x");
        assert_eq!(ok("https://x:1").0, "https://x:1");
        assert_eq!(
            ok("797f4846-ba00-4fd7-ba43-dac1f8f63013/.default").0,
            ARM_APP_ID
        );
        assert!(parse_scope("openid profile").is_err());
        assert!(parse_scope("https://a/.default https://b/.default").is_err());
    }
}
