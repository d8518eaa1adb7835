//! Endpoints per Azure cloud: the Entra ID authority, Resource Manager and
//! the audience GitHub's OIDC token must carry for Entra's token exchange.

use super::AzureError;
use crate::cli::{Cloud, CloudArgs};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://login.microsoftonline.com`, no trailing slash.
    pub authority_host: String,
    /// `https://management.azure.com`, no trailing slash.
    pub arm: String,
    /// The `audience` asked of GitHub's OIDC token endpoint.
    pub oidc_audience: &'static str,
}

impl Endpoints {
    pub fn for_cloud(args: &CloudArgs) -> Result<Endpoints, AzureError> {
        let (authority, arm, audience) = match args.cloud {
            Cloud::Public => (
                "https://login.microsoftonline.com",
                "https://management.azure.com",
                "api://AzureADTokenExchange",
            ),
            Cloud::Usgovernment => (
                "https://login.microsoftonline.us",
                "https://management.usgovcloudapi.net",
                "api://AzureADTokenExchangeUSGov",
            ),
            Cloud::China => (
                "https://login.chinacloudapi.cn",
                "https://management.chinacloudapi.cn",
                "api://AzureADTokenExchangeChina",
            ),
            Cloud::Custom => {
                let (Some(authority), Some(arm)) = (&args.authority_host, &args.arm_endpoint)
                else {
                    return Err(AzureError::CloudConfig(
                        "--cloud custom needs --authority-host and --arm-endpoint".into(),
                    ));
                };
                return Ok(Endpoints {
                    authority_host: https("--authority-host", authority)?,
                    arm: https("--arm-endpoint", arm)?,
                    oidc_audience: "api://AzureADTokenExchange",
                });
            }
        };
        if args.authority_host.is_some() || args.arm_endpoint.is_some() {
            return Err(AzureError::CloudConfig(
                "--authority-host and --arm-endpoint go with --cloud custom".into(),
            ));
        }
        Ok(Endpoints {
            authority_host: authority.into(),
            arm: arm.into(),
            oidc_audience: audience,
        })
    }

    /// The scope for a Resource Manager token: `{arm}/.default`.
    pub fn arm_scope(&self) -> String {
        format!("{}/.default", self.arm)
    }

    /// Whether an endpoint from AZURE_CREDENTIALS names this cloud's
    /// Resource Manager (trailing slashes and case aside).
    pub fn same_arm(&self, other: &str) -> bool {
        other.trim_end_matches('/').eq_ignore_ascii_case(&self.arm)
    }
}

fn https(flag: &str, url: &str) -> Result<String, AzureError> {
    let u = url.trim().trim_end_matches('/');
    if !u.starts_with("https://") || u.len() <= "https://".len() {
        return Err(AzureError::CloudConfig(format!(
            "{flag} must be an https:// URL"
        )));
    }
    Ok(u.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cloud: Cloud, a: Option<&str>, r: Option<&str>) -> CloudArgs {
        CloudArgs {
            cloud,
            authority_host: a.map(Into::into),
            arm_endpoint: r.map(Into::into),
        }
    }

    #[test]
    fn clouds() {
        let e = Endpoints::for_cloud(&args(Cloud::Public, None, None)).expect("public");
        assert_eq!(e.arm_scope(), "https://management.azure.com/.default");
        let e = Endpoints::for_cloud(&args(Cloud::China, None, None)).expect("china");
        assert_eq!(e.oidc_audience, "api://AzureADTokenExchangeChina");
        let e = Endpoints::for_cloud(&args(
            Cloud::Custom,
            Some("https://a:1/"),
            Some("https://b:2/"),
        ))
        .expect("custom");
        assert_eq!(e.arm_scope(), "https://b:2/.default");
        assert!(e.same_arm("https://B:2/"));
        assert!(
            Endpoints::for_cloud(&args(Cloud::Custom, Some("http://a"), Some("https://b")))
                .is_err()
        );
        assert!(Endpoints::for_cloud(&args(Cloud::Custom, None, Some("https://b"))).is_err());
        assert!(Endpoints::for_cloud(&args(Cloud::Public, Some("https://a"), None)).is_err());
    }
}
