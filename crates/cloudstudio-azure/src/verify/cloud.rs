//! Azure clouds (`--cloud`) and their endpoints: the Entra ID authority,
//! Resource Manager and the audience GitHub's OIDC token must carry for
//! Entra's token exchange. Validated once, into [`Endpoints`].

use super::error::VerifyError;
use crate::vars::Vars;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Cloud {
    #[default]
    #[value(alias = "AzureCloud")]
    Public,
    #[value(alias = "AzureUSGovernment")]
    Usgovernment,
    #[value(alias = "AzureChinaCloud")]
    China,
    #[value(alias = "AzureStack")]
    Custom,
}

impl Cloud {
    /// A cloud as Terraform (`ARM_ENVIRONMENT`: public, usgovernment,
    /// china) or the Azure CLI / azure/login (`AzureCloud`, ...) name it,
    /// any case.
    pub fn from_name(name: &str) -> Option<Cloud> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "public" | "azurecloud" => Cloud::Public,
            "usgovernment" | "azureusgovernment" | "usgov" => Cloud::Usgovernment,
            "china" | "azurechinacloud" => Cloud::China,
            "custom" | "azurestack" => Cloud::Custom,
            _ => return None,
        })
    }

    /// The cloud named by `ARM_ENVIRONMENT`, else `AZURE_CLOUD`, else the
    /// authority in `AZURE_AUTHORITY_HOST` (a host no named cloud has: custom),
    /// else public.
    pub fn from_vars(vars: &Vars, authority: Option<&str>) -> Result<Cloud, VerifyError> {
        for name in ["ARM_ENVIRONMENT", "AZURE_CLOUD"] {
            if let Some(v) = vars.get(name).filter(|v| !v.trim().is_empty()) {
                return Cloud::from_name(v).ok_or_else(|| {
                    VerifyError::CloudConfig(format!(
                        "{name} names a cloud this tool does not know (public, usgovernment, china, or AzureCloud, AzureUSGovernment, AzureChinaCloud)"
                    ))
                });
            }
        }
        Ok(authority.map_or(Cloud::Public, |a| {
            Cloud::from_authority(a).unwrap_or(Cloud::Custom)
        }))
    }

    /// The named cloud whose Entra ID authority is `host`, if any.
    pub fn from_authority(host: &str) -> Option<Cloud> {
        let h = host.trim().trim_end_matches('/').to_ascii_lowercase();
        [Cloud::Public, Cloud::Usgovernment, Cloud::China]
            .into_iter()
            .find(|&c| Endpoints::for_cloud(c, None, None).is_ok_and(|e| e.authority_host == h))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// Which cloud these are (the pipeline variables name it).
    pub cloud: Cloud,
    /// `https://login.microsoftonline.com`, no trailing slash.
    pub authority_host: String,
    /// `https://management.azure.com`, no trailing slash.
    pub arm: String,
    /// The `audience` asked of GitHub's OIDC token endpoint.
    pub oidc_audience: &'static str,
}

impl Endpoints {
    /// The endpoints of `cloud`; `custom` takes `authority_host` and
    /// `arm_endpoint` (https URLs), the others take neither.
    pub fn for_cloud(
        cloud: Cloud,
        authority_host: Option<&str>,
        arm_endpoint: Option<&str>,
    ) -> Result<Endpoints, VerifyError> {
        let (authority, arm, audience) = match cloud {
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
                let (Some(authority), Some(arm)) = (authority_host, arm_endpoint) else {
                    return Err(VerifyError::CloudConfig(
                        "--cloud custom needs --authority-host and --arm-endpoint".into(),
                    ));
                };
                return Ok(Endpoints {
                    cloud,
                    authority_host: https("--authority-host", authority)?,
                    arm: https("--arm-endpoint", arm)?,
                    oidc_audience: "api://AzureADTokenExchange",
                });
            }
        };
        if authority_host.is_some() || arm_endpoint.is_some() {
            return Err(VerifyError::CloudConfig(
                "--authority-host and --arm-endpoint go with --cloud custom".into(),
            ));
        }
        Ok(Endpoints {
            cloud,
            authority_host: authority.into(),
            arm: arm.into(),
            oidc_audience: audience,
        })
    }

    /// The `az` command that selects this cloud.
    pub fn az_set_command(&self) -> String {
        match self.cloud {
            Cloud::Public => "az cloud set --name AzureCloud".into(),
            Cloud::Usgovernment => "az cloud set --name AzureUSGovernment".into(),
            Cloud::China => "az cloud set --name AzureChinaCloud".into(),
            Cloud::Custom => format!(
                "az cloud register --name custom --endpoint-resource-manager {}/ --endpoint-active-directory {} && az cloud set --name custom",
                self.arm, self.authority_host
            ),
        }
    }

    /// The host (and port) of Resource Manager, which serves the cloud's
    /// `/metadata/endpoints` on Azure Stack and the emulator: Terraform's
    /// `ARM_METADATA_HOSTNAME`.
    pub fn arm_host(&self) -> &str {
        let rest = self
            .arm
            .split_once("://")
            .map_or(self.arm.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
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

fn https(flag: &str, url: &str) -> Result<String, VerifyError> {
    let u = url.trim().trim_end_matches('/');
    if !u.starts_with("https://") || u.len() <= "https://".len() {
        return Err(VerifyError::CloudConfig(format!(
            "{flag} must be an https:// URL"
        )));
    }
    Ok(u.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds() {
        let e = Endpoints::for_cloud(Cloud::Public, None, None).expect("public");
        assert_eq!(e.arm_scope(), "https://management.azure.com/.default");
        let e = Endpoints::for_cloud(Cloud::China, None, None).expect("china");
        assert_eq!(e.oidc_audience, "api://AzureADTokenExchangeChina");
        let e = Endpoints::for_cloud(Cloud::Custom, Some("https://a:1/"), Some("https://b:2/"))
            .expect("custom");
        assert_eq!(e.arm_scope(), "https://b:2/.default");
        assert!(e.same_arm("https://B:2/"));
        assert!(Endpoints::for_cloud(Cloud::Custom, Some("http://a"), Some("https://b")).is_err());
        assert!(Endpoints::for_cloud(Cloud::Custom, None, Some("https://b")).is_err());
        assert!(Endpoints::for_cloud(Cloud::Public, Some("https://a"), None).is_err());
    }
}
