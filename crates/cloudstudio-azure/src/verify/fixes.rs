//! What Entra ID and Resource Manager errors mean, and what to do about
//! them: each known code maps to a cause and a fix in the user's terms
//! (the portal's screens, the CI secret's names).

/// Cause and fix for an AADSTS code from the token endpoint.
pub fn aadsts(code: u32) -> Option<(&'static str, &'static str)> {
    Some(match code {
        7000215 => (
            "Entra ID rejected the client secret: the secret *value* was expected; this looks like the secret ID, or the secret is wrong",
            "in the app registration, Certificates & secrets: copy the secret's Value (shown once, when created), not its Secret ID; or create a new client secret and update the CI secret",
        ),
        7000222 => (
            "the client secret has expired",
            "in the app registration, Certificates & secrets > New client secret; then update the CI secret with the new value",
        ),
        700016 => (
            "the application (client id) was not found in the tenant the credentials name",
            "check the client id against the app registration's Overview, and that the tenant id is the directory the app is registered in",
        ),
        90002 => (
            "the tenant was not found in this cloud",
            "check the tenant id: the Directory (tenant) ID on the app registration's Overview page",
        ),
        900023 => (
            "the tenant id is malformed (neither a GUID nor a valid domain)",
            "use the Directory (tenant) ID GUID from the app registration's Overview page",
        ),
        700213 | 7002138 | 70021 => (
            "no federated credential on the app matches this workflow's OIDC token (subject, issuer or audience)",
            "in the app registration: Certificates & secrets > Federated credentials > Add credential > GitHub Actions deploying Azure resources, with this repository and the entity (branch, environment, tag or pull request) the job runs for",
        ),
        700211 => (
            "no federated credential on the app matches the OIDC token's issuer",
            "add a federated credential with issuer https://token.actions.githubusercontent.com",
        ),
        700212 => (
            "no federated credential on the app matches the OIDC token's audience",
            "the federated credential's audience must be api://AzureADTokenExchange (or the sovereign cloud's audience)",
        ),
        700024 => (
            "the OIDC client assertion is expired or not yet valid",
            "GitHub's ID token lives a few minutes: run this step right after the token is issued, and check the runner's clock",
        ),
        500011 => (
            "the resource (Resource Manager scope) was not found in the tenant: wrong cloud or endpoint",
            "pick the right --cloud (public, usgovernment, china) or --arm-endpoint",
        ),
        7000218 => (
            "the request carried no client secret or assertion",
            "set the client secret, or use GitHub OIDC with a federated credential",
        ),
        50013 | 50027 => (
            "the OIDC assertion's signature or format is invalid",
            "use the ID token GitHub issues to this job (ACTIONS_ID_TOKEN_REQUEST_URL), unmodified",
        ),
        _ => return None,
    })
}

/// Cause and fix for a Resource Manager error code.
pub fn arm(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "SubscriptionNotFound" => (
            "the subscription was not found",
            "check the subscription id (Subscriptions page in the portal), and that this principal has a role on it",
        ),
        "AuthorizationFailed" => ("the principal has no role on the subscription", IAM_FIX),
        "InvalidAuthenticationTokenTenant" => (
            "the subscription belongs to another tenant than the credentials",
            "use the tenant id the subscription belongs to (Subscriptions > <subscription> > Overview > Parent management group / directory), or a subscription in the credentials' tenant",
        ),
        "InvalidAuthenticationToken" | "AuthenticationFailed" | "ExpiredAuthenticationToken" => (
            "Resource Manager rejected the access token",
            "check --cloud / --arm-endpoint: the token must be for this cloud's Resource Manager; for an `az` session, run `az login` again",
        ),
        _ => return None,
    })
}

/// The fix for a missing role, with the real ids: the `az role assignment
/// create` command to paste, then the portal path (the guide's Roles and
/// Permissions step) with the subscription's name. `principal` is the
/// client id; the `az` session has none, so the signed-in user's id is
/// looked up in the command.
pub fn iam_fix(
    role: &str,
    principal: Principal<'_>,
    subscription_id: &str,
    subscription_name: Option<&str>,
) -> String {
    let (assignee, who) = match principal {
        Principal::SignedIn => (
            "\"$(az ad signed-in-user show --query id --output tsv)\"".to_owned(),
            "Members: select your account".to_owned(),
        ),
        Principal::App(p) => (
            p.to_owned(),
            format!("Members: select the app registration {p}"),
        ),
        Principal::ManagedIdentity(p) => (
            p.to_owned(),
            format!(
                "Members: Assign access to Managed identity, select the identity with client id {p}"
            ),
        ),
    };
    let sub = subscription_name.map_or_else(
        || subscription_id.to_owned(),
        |n| format!("{n} ({subscription_id})"),
    );
    format!(
        "az role assignment create --assignee {assignee} --role {role} --scope /subscriptions/{subscription_id}\n\
         or in the Azure portal: Subscriptions > {sub} > Access control (IAM) > Add > Add role assignment > {role} > {who} > Review + assign (the Roles and Permissions step of the CloudStudio Azure credentials guide)"
    )
}

/// Who a role assignment is for, as the portal's IAM blade picks it.
#[derive(Clone, Copy)]
pub enum Principal<'a> {
    /// The `az login` user: no client id.
    SignedIn,
    /// A service principal, by its app's client id.
    App(&'a str),
    /// A managed identity, by its client id.
    ManagedIdentity(&'a str),
}

impl<'a> Principal<'a> {
    pub fn of(creds: &'a crate::resolve::Credentials) -> Principal<'a> {
        match (&creds.auth, creds.client_id.as_deref()) {
            (_, None) => Principal::SignedIn,
            (crate::resolve::Auth::ManagedIdentity { .. }, Some(c)) => {
                Principal::ManagedIdentity(c)
            }
            (_, Some(c)) => Principal::App(c),
        }
    }
}

/// Marks the Resource Manager codes whose fix is [`iam_fix`].
pub const IAM_FIX: &str = "(a role assignment)";

/// The fix for an OIDC token no federated credential matches: the
/// `az ad app federated-credential create` command with the token's own
/// issuer and subject, quoted for a POSIX shell.
pub fn federated_fix(client_id: &str, issuer: &str, subject: &str, audience: &str) -> String {
    let name: String = subject
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(100)
        .collect();
    let params = serde_json::json!({
        "name": name,
        "issuer": issuer,
        "subject": subject,
        "audiences": [audience],
    })
    .to_string()
    .replace('\'', "'\\''");
    let scenario = portal_scenario(issuer);
    format!(
        "az ad app federated-credential create --id {client_id} --parameters '{params}'\n\
         or in the app registration: Certificates & secrets > Federated credentials > Add credential > {scenario}, with issuer {issuer}, subject {subject}, audience {audience}"
    )
}

/// The portal's "Federated credential scenario" for an issuer: GitHub's
/// (github.com and GHES with a unique issuer), AKS's, else "Other issuer".
fn portal_scenario(issuer: &str) -> &'static str {
    let host = issuer
        .strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("");
    if host == "token.actions.githubusercontent.com" {
        "GitHub Actions deploying Azure resources (Other issuer for a custom subject)"
    } else if host.ends_with(".oic.prod-aks.azure.com") || host.ends_with(".prod-aks.azure.com") {
        "Kubernetes accessing Azure resources"
    } else {
        "Other issuer"
    }
}

/// The AADSTS number at the start of an error description, if any.
pub fn aadsts_code(description: &str) -> Option<u32> {
    let rest = &description[description.find("AADSTS")? + 6..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The first line of a service message, without Entra's trace/correlation
/// lines, at most 300 characters.
pub fn first_line(description: &str) -> String {
    // A lone CR ends a line too (on a terminal it would overwrite it).
    let line = description.split(['\n', '\r']).next().unwrap_or("").trim();
    crate::untrusted::text(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(
            aadsts_code("AADSTS7000215: Invalid client secret"),
            Some(7000215)
        );
        assert_eq!(aadsts_code("no code"), None);
        assert!(aadsts(7000215).is_some_and(|(c, _)| c.contains("secret ID")));
        for code in [7000222, 700016, 90002, 900023, 700213, 7002138, 700024] {
            assert!(aadsts(code).is_some(), "{code}");
        }
        for code in [
            "SubscriptionNotFound",
            "AuthorizationFailed",
            "InvalidAuthenticationTokenTenant",
        ] {
            assert!(arm(code).is_some(), "{code}");
        }
        assert_eq!(first_line("AADSTS1: x\r\nTrace ID: y"), "AADSTS1: x");
    }

    #[test]
    fn the_portal_scenario_follows_the_issuer() {
        let fix = |iss| federated_fix("c", iss, "s", "a");
        assert!(
            fix("https://token.actions.githubusercontent.com")
                .contains("> GitHub Actions deploying")
        );
        assert!(
            fix("https://token.actions.githubusercontent.com/contoso").contains("> GitHub Actions")
        );
        assert!(
            fix("https://westeurope.oic.prod-aks.azure.com/t/u/")
                .contains("> Kubernetes accessing")
        );
        assert!(fix("https://gitlab.example.com").contains("> Other issuer,"));
        assert!(
            fix("https://token.actions.githubusercontent.com.evil.example")
                .contains("> Other issuer,")
        );
    }
}
