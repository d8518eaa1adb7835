//! The `managed-identity` source, used only when asked (`ARM_USE_MSI`,
//! `AZURE_USE_MSI`, `CLOUDSTUDIO_MANAGED_IDENTITY`, `--managed-identity
//! [CLIENT_ID]`, `--source managed-identity`): whether it is asked
//! ([`asked`]), and which endpoint serves it ([`endpoint`]): App Service's
//! `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, else IMDS (`IMDS_ENDPOINT`
//! moves it). Nothing here touches the network: `verify::mi_token` makes the request.

use super::credentials::SourceKind;
use super::error::ResolveError;
use crate::ids::is_guid;
use crate::secret::Secret;
use crate::vars::Vars;

/// The variables that ask for a managed identity, in the order read.
pub const ASK_VARS: [&str; 3] = [
    "CLOUDSTUDIO_MANAGED_IDENTITY",
    "ARM_USE_MSI",
    "AZURE_USE_MSI",
];

/// The real IMDS: link-local, plain http (it never leaves the host).
const IMDS: &str = "http://169.254.169.254";
const IMDS_PATH: &str = "/metadata/identity/oauth2/token";

/// A managed identity was asked for.
#[derive(Debug, Clone)]
pub struct Asked {
    /// What asked, for messages: `ARM_USE_MSI=true`, `--managed-identity`.
    pub by: String,
    /// The user-assigned identity's client id, when the asking named it
    /// (`--managed-identity GUID`): the most explicit choice, it wins over
    /// a client id an id-only source lends.
    pub client_id: Option<String>,
}

/// What the managed identity's token request needs from resolution: the
/// client id (value, origin) of a user-assigned identity, and the tenant
/// and subscription the user gave, each with where it came from.
#[derive(Debug, Clone, Default)]
pub struct MiRequest {
    pub client_id: Option<(String, String)>,
    pub tenant_id: Option<(String, String)>,
    pub subscription_id: Option<(String, String)>,
}

/// Whether a managed identity is asked for. `flag` is `--managed-identity`
/// (`Some(None)` without a value). Under `--source NAME` only `NAME =
/// managed-identity` asks (and asks by itself). A value other than
/// true/false/1/0 (or a GUID where one is allowed) is bad input, whether
/// or not another source wins.
pub fn asked(
    vars: &Vars,
    flag: Option<Option<&str>>,
    only: Option<SourceKind>,
) -> Result<Option<Asked>, ResolveError> {
    if let Some(bad) = vars.not_utf8(ASK_VARS) {
        return Err(ResolveError::not_utf8(bad));
    }
    let mut found: Option<Asked> = None;
    if let Some(value) = flag {
        let client_id = match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => None,
            Some(v) if is_guid(v) => Some(v.to_ascii_lowercase()),
            Some(v) => return Err(not_a_guid("--managed-identity", v)),
        };
        found = Some(Asked {
            by: "--managed-identity".into(),
            client_id,
        });
    }
    for var in ASK_VARS {
        let Some(value) = vars.get(var).map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        let client_id = match value.to_ascii_lowercase().as_str() {
            "true" | "1" => None,
            // The tool's own switch, set to false, overrides an
            // ARM_USE_MSI / AZURE_USE_MSI the machine's environment carries.
            "false" | "0" if var == ASK_VARS[0] => break,
            "false" | "0" => continue,
            v if var == ASK_VARS[0] && is_guid(v) => Some(v.to_owned()),
            _ => return Err(bad_switch(var, value.chars().count())),
        };
        if found.is_none() {
            let by = if client_id.is_some() {
                var.to_owned()
            } else {
                format!("{var}=true")
            };
            found = Some(Asked { by, client_id });
        }
    }
    if let (Some(_), Some(other)) = (flag, only.filter(|&o| o != SourceKind::ManagedIdentity)) {
        return Err(ResolveError::Invalid {
            origin: "--managed-identity".into(),
            problem: format!(
                "asks for the managed identity, but --source {other} (CLOUDSTUDIO_SOURCE) picks another source"
            ),
            hint: Some(
                "drop one of them: --source managed-identity alone asks for the identity too"
                    .into(),
            ),
        });
    }
    Ok(match only {
        Some(SourceKind::ManagedIdentity) => found.or(Some(Asked {
            by: "--source managed-identity".into(),
            client_id: None,
        })),
        Some(_) => None,
        None => found,
    })
}

fn not_a_guid(origin: &str, v: &str) -> ResolveError {
    ResolveError::Invalid {
        origin: origin.into(),
        problem: format!(
            "is not a GUID (value not shown, {} characters): it takes the user-assigned identity's Client ID, or nothing for the system-assigned identity",
            v.chars().count()
        ),
        hint: Some("copy the Client ID from the identity's Overview page in the Azure portal (`az identity show --name <identity> --resource-group <group> --query clientId`)".into()),
    }
}

fn bad_switch(var: &str, len: usize) -> ResolveError {
    let also = if var == ASK_VARS[0] {
        ", or the user-assigned identity's client id"
    } else {
        ""
    };
    ResolveError::Invalid {
        origin: var.into(),
        problem: format!(
            "is not true or false (value not shown, {len} characters): it asks for the machine's managed identity"
        ),
        hint: Some(format!(
            "set {var} to true (or 1) to use the managed identity{also}, false (or 0) or unset not to"
        )),
    }
}

/// Which endpoint serves the token, and how to call it.
pub enum Endpoint {
    /// `GET {url}?api-version=2018-02-01&resource=...` with `Metadata: true`.
    Imds {
        url: reqwest::Url,
        /// Moved by `IMDS_ENDPOINT` (then exported to Terraform).
        moved: bool,
    },
    /// `GET {url}?api-version=2019-08-01&resource=...` with
    /// `X-IDENTITY-HEADER` (a secret: masked, never printed or exported).
    AppService { url: reqwest::Url, header: Secret },
}

/// The variables that say where the identity endpoint is.
pub const ENDPOINT_VARS: [&str; 3] = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IMDS_ENDPOINT"];

/// The endpoint this machine offers: App Service's when `IDENTITY_ENDPOINT`
/// and `IDENTITY_HEADER` are set, else IMDS (at `IMDS_ENDPOINT` when set).
/// `IDENTITY_ENDPOINT` alone is Azure Arc's challenge flow, not supported.
pub fn endpoint(vars: &Vars) -> Result<Endpoint, ResolveError> {
    if let Some(bad) = vars.not_utf8(ENDPOINT_VARS) {
        return Err(ResolveError::not_utf8(bad));
    }
    let get = |n: &str| vars.get(n).map(str::trim).filter(|v| !v.is_empty());
    match (get("IDENTITY_ENDPOINT"), get("IDENTITY_HEADER")) {
        (Some(url), Some(header)) => Ok(Endpoint::AppService {
            url: checked_url("IDENTITY_ENDPOINT", url)?,
            header: Secret::new(header.to_owned()),
        }),
        (Some(_), None) => Err(ResolveError::Invalid {
            origin: "IDENTITY_ENDPOINT".into(),
            problem: "is set without IDENTITY_HEADER: not App Service's identity endpoint (Azure Arc's challenge flow is not supported)".into(),
            hint: Some("on App Service or Functions both are set for the process; elsewhere unset IDENTITY_ENDPOINT to use IMDS (IMDS_ENDPOINT moves it)".into()),
        }),
        (None, _) => {
            let moved = get("IMDS_ENDPOINT");
            let base = moved.unwrap_or(IMDS);
            let mut url = checked_url("IMDS_ENDPOINT", base)?;
            // The base address, or already the token URL (as Terraform's
            // ARM_MSI_ENDPOINT names it).
            if !url.path().trim_end_matches('/').ends_with(IMDS_PATH) {
                let path = format!("{}{IMDS_PATH}", url.path().trim_end_matches('/'));
                url.set_path(&path);
            }
            Ok(Endpoint::Imds {
                url,
                moved: moved.is_some(),
            })
        }
    }
}

/// `raw` as a URL: https, or plain http to the link-local IMDS address or
/// a loopback host (the real endpoints are plain http on the machine
/// itself); never with credentials in it.
fn checked_url(var: &str, raw: &str) -> Result<reqwest::Url, ResolveError> {
    let invalid = |problem: String, hint: &str| ResolveError::Invalid {
        origin: var.into(),
        problem,
        hint: Some(hint.into()),
    };
    let url = reqwest::Url::parse(raw).map_err(|e| {
        invalid(
            format!(
                "is not a URL ({e}): {}",
                crate::untrusted::text_capped(raw, 200)
            ),
            "set it to the identity endpoint's address, e.g. http://169.254.169.254 for IMDS",
        )
    })?;
    let host = url.host_str().unwrap_or_default().to_owned();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "carries a user name or password in the URL".into(),
            "remove the credentials from the URL",
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if plain_http_allowed(&host) => Ok(url),
        "http" => Err(invalid(
            format!(
                "uses plain http to {}: only the link-local IMDS address (169.254.169.254) and loopback hosts (localhost, 127.0.0.1, [::1]) may",
                crate::untrusted::text_capped(&host, 200)
            ),
            "use an https URL for any other host: the reply carries an access token",
        )),
        other => Err(invalid(
            format!(
                "has the scheme `{}`, not http(s)",
                crate::untrusted::text_capped(other, 40)
            ),
            "set it to an http(s) URL",
        )),
    }
}

/// IMDS's address or a loopback host: traffic that stays on the machine.
fn plain_http_allowed(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() || ip.octets() == [169, 254, 169, 254],
        Ok(std::net::IpAddr::V6(ip)) => ip.is_loopback(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn asking_takes_true_false_and_one_zero() {
        for (v, asked_for) in [
            ("true", true),
            ("TRUE", true),
            ("1", true),
            ("false", false),
            ("0", false),
            ("", false),
        ] {
            let a = asked(&vars(&[("ARM_USE_MSI", v)]), None, None).expect("valid");
            assert_eq!(a.is_some(), asked_for, "{v}");
        }
        let e = asked(&vars(&[("AZURE_USE_MSI", "yes")]), None, None).expect_err("invalid");
        assert!(
            e.to_string()
                .starts_with("AZURE_USE_MSI: is not true or false"),
            "{e}"
        );
        // Only CLOUDSTUDIO_MANAGED_IDENTITY takes a client id.
        let id = "0A1B2C3D-1111-4A4A-8B8B-000000000001";
        assert!(asked(&vars(&[("ARM_USE_MSI", id)]), None, None).is_err());
        let a = asked(&vars(&[("CLOUDSTUDIO_MANAGED_IDENTITY", id)]), None, None)
            .expect("valid")
            .expect("asked");
        assert_eq!(
            a.client_id.as_deref(),
            Some(id.to_ascii_lowercase().as_str())
        );
    }

    #[test]
    fn the_flag_wins_and_source_decides() {
        let v = vars(&[("ARM_USE_MSI", "true")]);
        let a = asked(&v, Some(None), None).expect("ok").expect("asked");
        assert_eq!(a.by, "--managed-identity");
        assert!(asked(&v, Some(Some("nope")), None).is_err());
        assert!(
            asked(&v, None, Some(SourceKind::AzCli))
                .expect("ok")
                .is_none()
        );
        let by_source = asked(&vars(&[]), None, Some(SourceKind::ManagedIdentity));
        assert_eq!(
            by_source.expect("ok").expect("asked").by,
            "--source managed-identity"
        );
        assert!(asked(&vars(&[]), None, None).expect("ok").is_none());
    }

    #[test]
    fn endpoints_and_their_schemes() {
        let Endpoint::Imds { url, moved } = endpoint(&vars(&[])).expect("imds") else {
            panic!("not imds")
        };
        assert_eq!(
            url.as_str(),
            "http://169.254.169.254/metadata/identity/oauth2/token"
        );
        assert!(!moved);
        for base in [
            "http://127.0.0.1:4000",
            "http://localhost:4000/",
            "http://[::1]:4000",
            "https://imds.example.com",
        ] {
            let e = endpoint(&vars(&[("IMDS_ENDPOINT", base)]));
            assert!(
                matches!(e, Ok(Endpoint::Imds { moved: true, .. })),
                "{base}"
            );
        }
        let full = "http://127.0.0.1:4000/metadata/identity/oauth2/token";
        let Ok(Endpoint::Imds { url, .. }) = endpoint(&vars(&[("IMDS_ENDPOINT", full)])) else {
            panic!("imds")
        };
        assert_eq!(url.as_str(), full);
        for (var, bad) in [
            ("IMDS_ENDPOINT", "http://imds.example.com"),
            ("IMDS_ENDPOINT", "http://10.0.0.1"),
            ("IMDS_ENDPOINT", "ftp://127.0.0.1"),
            ("IMDS_ENDPOINT", "http://u:p@127.0.0.1"),
        ] {
            let e = endpoint(&vars(&[(var, bad)])).err().expect("refused");
            assert!(e.to_string().starts_with(var), "{bad}: {e}");
        }
        let app = vars(&[
            ("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ]);
        assert!(matches!(endpoint(&app), Ok(Endpoint::AppService { .. })));
        let plain = vars(&[
            ("IDENTITY_ENDPOINT", "http://app.example.com/msi/token"),
            ("IDENTITY_HEADER", "h"),
        ]);
        assert!(
            endpoint(&plain)
                .err()
                .expect("refused")
                .to_string()
                .starts_with("IDENTITY_ENDPOINT")
        );
        let arc = vars(&[(
            "IDENTITY_ENDPOINT",
            "http://localhost:40342/metadata/identity/oauth2/token",
        )]);
        assert!(endpoint(&arc).is_err());
    }
}
