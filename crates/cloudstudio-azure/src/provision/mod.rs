//! What `init` creates in Azure over the developer's `az login` session:
//! the application and its service principal, a client secret or federated
//! identity credentials (Microsoft Graph, [`graph`]), and the role
//! assignment at the subscription scope (Resource Manager, [`roles`]).
//! Every call goes through the one shared client ([`crate::verify::Http`]);
//! every write is preceded by a read, so a re-run reuses what exists.
//! Nothing here prints.

pub mod federation;
pub mod graph;
pub mod next;
pub mod options;
pub mod roles;
pub mod setup;

use crate::exit::{Diagnose, Exit};
use crate::verify::{Reply, VerifyError};

/// A client secret's lifetime (`--secret-expiry`): `90d`, `12w`, `6m`
/// (30-day months), `1y`/`2y`; Entra ID's maximum is 2 years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    pub days: u32,
}

const MAX_EXPIRY_DAYS: u32 = 730;

impl std::str::FromStr for Expiry {
    type Err = String;
    fn from_str(s: &str) -> Result<Expiry, String> {
        let s = s.trim();
        let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let n: u32 = n
            .parse()
            .map_err(|_| format!("'{s}' is not a duration such as 90d, 12w, 6m or 1y"))?;
        let per = match unit {
            "d" | "" => 1,
            "w" => 7,
            "m" => 30,
            "y" => 365,
            _ => return Err(format!("'{s}': the unit is d, w, m or y (e.g. 90d)")),
        };
        let days = n.saturating_mul(per);
        if days == 0 {
            return Err("a secret must last at least a day".into());
        }
        if days > MAX_EXPIRY_DAYS {
            return Err(format!(
                "{days} days is more than Entra ID allows for a client secret (2 years, 730 days)"
            ));
        }
        Ok(Expiry { days })
    }
}

/// What a Graph or Resource Manager write needs that the developer lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Graph 403 on `POST /applications` (or on the principal, secret,
    /// federated credential of an app the developer does not own).
    Graph,
    /// `AuthorizationFailed` on the role assignment.
    RoleAssignment,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error(transparent)]
    Network(#[from] VerifyError),
    /// The developer may not do this; `admin` is what someone who may can
    /// run instead (with the real ids).
    #[error("{message}")]
    Denied {
        denied: Denied,
        message: String,
        admin: String,
    },
    /// An answer this tool cannot use (unexpected status or shape).
    #[error("{what}: {service} answered {status}: {detail}")]
    Unexpected {
        what: &'static str,
        service: &'static str,
        status: u16,
        detail: String,
    },
    /// Two or more applications carry the display name: which one is meant
    /// cannot be guessed.
    #[error("{count} applications are named '{name}' in this tenant: {ids}")]
    Ambiguous {
        name: String,
        count: usize,
        ids: String,
    },
    #[error("{0}")]
    Input(String),
    /// The new principal did not become usable within `--wait-timeout`.
    #[error("the new credential was still not usable after {seconds} s: {last}")]
    Replication { seconds: u64, last: String },
}

impl Diagnose for ProvisionError {
    fn exit(&self) -> Exit {
        match self {
            ProvisionError::Network(e) => e.exit(),
            ProvisionError::Denied { .. } => Exit::Access,
            ProvisionError::Unexpected { .. } | ProvisionError::Replication { .. } => Exit::Runtime,
            ProvisionError::Ambiguous { .. } | ProvisionError::Input(_) => Exit::Input,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ProvisionError::Network(e) => e.hint(),
            ProvisionError::Denied { denied, admin, .. } => Some(match denied {
                Denied::Graph => format!(
                    "you need the Entra ID role Application Developer (or Cloud Application Administrator) to register apps; or ask an administrator to run:\n{admin}\nthen re-run init: it reuses the app by its name"
                ),
                Denied::RoleAssignment => format!(
                    "you need Owner or User Access Administrator on the subscription to assign roles; or ask someone who has it to run:\n{admin}\nthen re-run init: it finds the assignment and goes on"
                ),
            }),
            ProvisionError::Ambiguous { name, .. } => Some(format!(
                "pass another --name, or delete the extra '{name}' apps (`az ad app list --display-name '{name}'`)"
            )),
            ProvisionError::Replication { .. } => Some(
                "Azure can take a few minutes to replicate a new service principal: re-run init (it reuses everything it created), or raise --wait-timeout".into(),
            ),
            ProvisionError::Unexpected { .. } | ProvisionError::Input(_) => None,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            ProvisionError::Denied { .. } => "Azure permission missing",
            _ => self.exit().title(),
        }
    }
}

/// Microsoft Graph of the cloud, without a trailing slash: `--graph-endpoint`,
/// required for a custom cloud, else the named cloud's.
pub fn graph_endpoint(
    endpoints: &crate::verify::Endpoints,
    flag: Option<&str>,
) -> Result<String, ProvisionError> {
    use crate::verify::Cloud;
    let url = match (flag, endpoints.cloud) {
        (Some(u), _) => u.trim().trim_end_matches('/').to_owned(),
        (None, Cloud::Public) => "https://graph.microsoft.com".into(),
        (None, Cloud::Usgovernment) => "https://graph.microsoft.us".into(),
        (None, Cloud::China) => "https://microsoftgraph.chinacloudapi.cn".into(),
        (None, Cloud::Custom) => {
            return Err(ProvisionError::Input(
                "--cloud custom needs --graph-endpoint https://<Microsoft Graph host> (the emulator's is <its base URL>/graph)".into(),
            ));
        }
    };
    if !url.starts_with("https://") || url.chars().any(char::is_whitespace) {
        return Err(ProvisionError::Input(
            "--graph-endpoint must be an https URL, e.g. https://graph.microsoft.com".into(),
        ));
    }
    Ok(url)
}

/// An error reply's `error.code` and `error.message` (Graph and Resource
/// Manager share the shape), as text safe to print.
pub fn error_of(reply: &Reply) -> (String, String) {
    let doc = reply.json().unwrap_or_default();
    let field =
        |k: &str| crate::untrusted::text_capped(doc["error"][k].as_str().unwrap_or_default(), 300);
    (field("code"), field("message"))
}

/// The reply's JSON when its status is 2xx, else [`ProvisionError::Unexpected`].
pub fn expect_json(
    reply: &Reply,
    what: &'static str,
    service: &'static str,
) -> Result<serde_json::Value, ProvisionError> {
    let unexpected = |detail: String| ProvisionError::Unexpected {
        what,
        service,
        status: reply.status,
        detail,
    };
    if !(200..300).contains(&reply.status) {
        let (code, message) = error_of(reply);
        return Err(unexpected(format!("{code} {message}").trim().to_owned()));
    }
    reply.json().ok_or_else(|| unexpected("not JSON".into()))
}

/// A random (version 4) GUID: role assignments are named by the caller.
pub fn random_guid() -> Result<String, ProvisionError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| ProvisionError::Input(format!("no randomness for a GUID: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}

/// Quotes `s` for a POSIX shell command shown to the user.
pub fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_parses_and_caps() {
        assert_eq!("90d".parse::<Expiry>(), Ok(Expiry { days: 90 }));
        assert_eq!("2y".parse::<Expiry>(), Ok(Expiry { days: 730 }));
        assert_eq!("6m".parse::<Expiry>(), Ok(Expiry { days: 180 }));
        assert!("3y".parse::<Expiry>().is_err());
        assert!("0d".parse::<Expiry>().is_err());
        assert!("90x".parse::<Expiry>().is_err());
        assert!("99999999999d".parse::<Expiry>().is_err());
    }

    #[test]
    fn guids_are_v4() {
        let g = random_guid().expect("guid");
        assert!(crate::ids::is_guid(&g));
        assert_eq!(&g[14..15], "4");
    }
}
