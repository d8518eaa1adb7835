//! `--federated SPEC`: the federated identity credential each CI system
//! needs, with the exact issuer, subject and audience its tokens carry.
//!
//! - `github:OWNER/REPO[:branch:NAME|:environment:NAME|:pull_request|:tag:NAME]`
//!   (default `branch:main`): issuer `https://token.actions.githubusercontent.com`,
//!   subject `repo:OWNER/REPO:ref:refs/heads/NAME`, `...:environment:NAME`,
//!   `...:pull_request`, `...:ref:refs/tags/NAME`.
//! - `gitlab:GROUP/PROJECT:ref:NAME` (also `:ref_type:tag:ref:NAME`):
//!   issuer `https://gitlab.com`, subject `project_path:GROUP/PROJECT:ref_type:branch:ref:NAME`.
//! - `azure-devops:ORG/PROJECT/CONNECTION`: subject `sc://ORG/PROJECT/CONNECTION`;
//!   the issuer is `https://vstoken.dev.azure.com/<organization id>`, a GUID
//!   no name leads to, so it is required as `--federated-issuer` (the
//!   service connection's "Issuer" in Project settings > Service connections).
//! - `kubernetes:ISSUER:NAMESPACE:SERVICEACCOUNT`: the cluster's OIDC
//!   issuer URL, subject `system:serviceaccount:NAMESPACE:SERVICEACCOUNT`.
//!
//! The audience is `api://AzureADTokenExchange` for every one (the public
//! cloud's; sovereign clouds use their own, passed in).

use super::graph::Federated;

/// Parses `spec`; `audience` is the cloud's token-exchange audience,
/// `ado_issuer` the Azure DevOps organization's issuer when known.
pub fn parse(spec: &str, audience: &str, ado_issuer: Option<&str>) -> Result<Federated, String> {
    let (kind, rest) = spec.split_once(':').ok_or_else(|| {
        format!("'{spec}' does not start with github:, gitlab:, azure-devops: or kubernetes:")
    })?;
    let fed = |issuer: String, subject: String| Federated {
        name: name_for(&subject),
        issuer,
        subject,
        audience: audience.to_owned(),
    };
    match kind {
        "github" => {
            let (repo, tail) = rest.split_once(':').unwrap_or((rest, "branch:main"));
            path_of(repo, 2, "github:OWNER/REPO")?;
            let subject = match tail.split_once(':') {
                Some(("branch", b)) if !b.is_empty() => format!("repo:{repo}:ref:refs/heads/{b}"),
                Some(("tag", t)) if !t.is_empty() => format!("repo:{repo}:ref:refs/tags/{t}"),
                Some(("environment", e)) if !e.is_empty() => format!("repo:{repo}:environment:{e}"),
                None if tail == "pull_request" => format!("repo:{repo}:pull_request"),
                _ => {
                    return Err(format!(
                        "'{tail}': after github:OWNER/REPO comes :branch:NAME, :tag:NAME, :environment:NAME or :pull_request"
                    ));
                }
            };
            Ok(fed(
                "https://token.actions.githubusercontent.com".into(),
                subject,
            ))
        }
        "gitlab" => {
            let (project, tail) = rest.split_once(':').ok_or_else(|| {
                "gitlab:GROUP/PROJECT:ref:NAME (e.g. gitlab:acme/infra:ref:main)".to_owned()
            })?;
            path_of(project, 2, "gitlab:GROUP/PROJECT")?;
            let subject = match tail.split_once(':') {
                Some(("ref", r)) if !r.is_empty() => {
                    format!("project_path:{project}:ref_type:branch:ref:{r}")
                }
                Some(("tag", r)) if !r.is_empty() => {
                    format!("project_path:{project}:ref_type:tag:ref:{r}")
                }
                _ => {
                    return Err(format!(
                        "'{tail}': after gitlab:GROUP/PROJECT comes :ref:BRANCH or :tag:NAME"
                    ));
                }
            };
            Ok(fed("https://gitlab.com".into(), subject))
        }
        "azure-devops" => {
            path_of(rest, 3, "azure-devops:ORG/PROJECT/CONNECTION")?;
            let issuer = ado_issuer
                .filter(|i| i.starts_with("https://"))
                .ok_or_else(|| "azure-devops needs --federated-issuer https://vstoken.dev.azure.com/<organization id>: the service connection's Issuer (Project settings > Service connections)".to_owned())?;
            Ok(fed(issuer.to_owned(), format!("sc://{rest}")))
        }
        "kubernetes" => {
            // The issuer is a URL with its own colons: NAMESPACE and
            // SERVICEACCOUNT are the last two fields.
            let mut it = rest.rsplitn(3, ':');
            let (sa, ns, issuer) = (it.next(), it.next(), it.next());
            match (issuer, ns, sa) {
                (Some(i), Some(n), Some(s)) if i.starts_with("https://") && !n.is_empty() && !s.is_empty() => {
                    Ok(fed(i.to_owned(), format!("system:serviceaccount:{n}:{s}")))
                }
                _ => Err("kubernetes:ISSUER:NAMESPACE:SERVICEACCOUNT, the issuer an https URL (the cluster's OIDC issuer)".into()),
            }
        }
        other => Err(format!(
            "'{other}' is not github, gitlab, azure-devops or kubernetes"
        )),
    }
}

/// `n` non-empty `/`-separated names of letters, digits, `-_.`.
fn path_of<'a>(s: &'a str, n: usize, shape: &str) -> Result<Vec<&'a str>, String> {
    let parts: Vec<&str> = s.split('/').collect();
    let ok = parts.len() == n
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_. ".contains(c))
        });
    if ok {
        Ok(parts)
    } else {
        Err(format!("'{s}' is not {shape}"))
    }
}

/// A credential name Graph accepts (letters, digits, `-`, `_`; at most
/// 120), derived from the subject so a re-run finds it.
fn name_for(subject: &str) -> String {
    let mut n: String = subject
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    n.truncate(120);
    n
}

#[cfg(test)]
mod tests {
    use super::parse;
    const AUD: &str = "api://AzureADTokenExchange";

    fn sub(spec: &str) -> String {
        parse(spec, AUD, None).expect(spec).subject
    }

    #[test]
    fn subjects_are_what_the_ci_systems_send() {
        assert_eq!(
            sub("github:acme/infra"),
            "repo:acme/infra:ref:refs/heads/main"
        );
        assert_eq!(
            sub("github:acme/infra:branch:dev"),
            "repo:acme/infra:ref:refs/heads/dev"
        );
        assert_eq!(
            sub("github:acme/infra:environment:prod"),
            "repo:acme/infra:environment:prod"
        );
        assert_eq!(
            sub("github:acme/infra:pull_request"),
            "repo:acme/infra:pull_request"
        );
        assert_eq!(
            sub("gitlab:acme/infra:ref:main"),
            "project_path:acme/infra:ref_type:branch:ref:main"
        );
        let ado = parse(
            "azure-devops:acme/infra/prod-conn",
            AUD,
            Some("https://vstoken.dev.azure.com/0a1b"),
        )
        .expect("ado");
        assert_eq!(ado.subject, "sc://acme/infra/prod-conn");
        assert!(parse("azure-devops:acme/infra/prod-conn", AUD, None).is_err());
        let k = parse(
            "kubernetes:https://oidc.example.com/abc:ci:deployer",
            AUD,
            None,
        )
        .expect("k8s");
        assert_eq!(k.issuer, "https://oidc.example.com/abc");
        assert_eq!(k.subject, "system:serviceaccount:ci:deployer");
        assert_eq!(
            parse("gitlab:a/b:ref:main", AUD, None).expect("gl").issuer,
            "https://gitlab.com"
        );
    }

    #[test]
    fn bad_specs_are_refused() {
        for bad in [
            "github:acme",
            "github:a/b:branch:",
            "gitlab:a/b",
            "azure-devops:a/b",
            "kubernetes:http://x:ns:sa",
            "svn:a/b",
            "github:a/b;rm:branch:x",
        ] {
            assert!(parse(bad, AUD, None).is_err(), "{bad}");
        }
    }
}
