//! What every command gets ([`Ctx`]) and the steps several share: config
//! discovery, the workdir, resolution (credentials + target, masking
//! first), and verification with its warnings printed.

use crate::branch;
use crate::cli::{GlobalArgs, ResolveArgs, VerifyArgs};
use crate::config::Config;
use crate::error::Error;
use crate::exit::{Failure, Outcome};
use crate::observe::Observe;
use crate::resolve::{self, Credentials, Resolved};
use crate::safe_read;
use crate::target::{self, Placement, Target};
use crate::ui::Ui;
use crate::vars::Vars;
use crate::verify::{self, Endpoints, Report};
use std::path::PathBuf;
use std::sync::Arc;

/// The variables read outside the credential sources (which check their
/// own): one that is not valid UTF-8 is an error naming it, never a
/// silent fall-through to the next branch variable or default.
const OTHER_VARS: [&str; 17] = [
    "GITHUB_ACTIONS",
    "GITHUB_ENV",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_HEAD_REF",
    "GITHUB_REF",
    "GITHUB_REF_NAME",
    "CI_COMMIT_REF_NAME",
    "SYSTEM_PULLREQUEST_SOURCEBRANCH",
    "BUILD_SOURCEBRANCH",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_REPOSITORY",
    "SSL_CERT_FILE",
    "CLOUDSTUDIO_WORKDIR",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
];

pub struct Ctx<'a> {
    pub global: &'a GlobalArgs,
    pub vars: &'a Vars,
    pub ui: &'a Ui,
    pub cwd: PathBuf,
}

/// Credentials and target, resolved and validated.
#[derive(Debug)]
pub struct Resolution {
    pub config: Config,
    pub credentials: Credentials,
    pub target: Target,
}

/// Resolution before the subscription is settled (`explain` shows it even
/// when there is none).
pub struct Parts {
    pub config: Config,
    pub resolved: Resolved,
    pub placement: Placement,
}

impl Ctx<'_> {
    /// Where masks and `-v` lines go.
    pub fn observer(&self) -> Arc<dyn Observe> {
        Arc::new(self.ui.clone())
    }

    /// `--workdir`, else `CLOUDSTUDIO_WORKDIR`, relative to the current
    /// directory.
    pub fn named_workdir(&self) -> Option<PathBuf> {
        self.global
            .workdir
            .clone()
            .or_else(|| self.vars.get("CLOUDSTUDIO_WORKDIR").map(PathBuf::from))
            .map(|p| self.cwd.join(p))
    }

    pub fn config(&self) -> Result<Config, Error> {
        let explicit = self.global.config.as_ref().map(|p| self.cwd.join(p));
        Ok(Config::discover(
            explicit.as_deref(),
            &self.cwd,
            self.named_workdir().as_deref(),
        )?)
    }

    /// The workdir's lock, waited for up to `--lock-timeout`, saying so.
    pub fn lock(
        &self,
        secrets_dir: &std::path::Path,
        timeout: std::time::Duration,
    ) -> Result<crate::workdir::Lock, Error> {
        let say = |path: &std::path::Path| {
            self.ui.info(&format!(
                "waiting for the lock held on {} (up to {} s, --lock-timeout)",
                crate::untrusted::path(path),
                timeout.as_secs()
            ));
        };
        Ok(crate::workdir::Lock::acquire(secrets_dir, timeout, &say)?)
    }

    /// The CloudStudio workdir (precedence in `target::workdir`).
    pub fn workdir(&self, config: &Config) -> Result<PathBuf, Error> {
        Ok(target::workdir(self.named_workdir(), config, &self.cwd)?)
    }

    /// Config, credentials and placement; prints nothing.
    pub async fn resolve_parts(&self, args: &ResolveArgs) -> Result<Parts, Error> {
        let (config, placement) = self.place(args)?;
        let resolved = self.credentials(args, &placement).await?;
        Ok(Parts {
            config,
            resolved,
            placement,
        })
    }

    /// The config and the placement: everything that needs no credentials.
    pub fn place(&self, args: &ResolveArgs) -> Result<(Config, Placement), Error> {
        if let Some(bad) = self.vars.not_utf8(OTHER_VARS) {
            return Err(resolve::ResolveError::not_utf8(bad).into());
        }
        let config = self.config()?;
        let detection = branch::detect(args.branch.as_deref(), self.vars, &self.cwd);
        let placement = Placement::compute(
            &config,
            detection,
            args.environment,
            args.subscription_id.as_deref(),
            args.credential.as_ref(),
        )?;
        Ok((config, placement))
    }

    /// The credentials, for `placement`'s subscription (the az session's
    /// token is asked for it).
    pub async fn credentials(
        &self,
        args: &ResolveArgs,
        placement: &Placement,
    ) -> Result<Resolved, Error> {
        let secret_stdin = if args.client_secret_stdin {
            // Capped: `--client-secret-stdin < /dev/zero` must not fill memory.
            let bytes = safe_read::capped(std::io::stdin().lock(), safe_read::SMALL_MAX)
                .and_then(|b| {
                    String::from_utf8(b).map_err(|_| {
                        std::io::Error::new(std::io::ErrorKind::InvalidData, "is not UTF-8 text")
                    })
                })
                .map_err(|err| resolve::ResolveError::Io {
                    what: "the client secret from standard input".into(),
                    err,
                })?;
            Some(bytes)
        } else {
            None
        };
        let endpoints = args.cloud.endpoints(self.vars).ok();
        let set_cloud = endpoints.as_ref().map(Endpoints::az_set_command);
        let input = resolve::Input {
            vars: self.vars,
            client_id: args.client_id.as_deref(),
            tenant_id: args.tenant_id.as_deref(),
            subscription_id: args.subscription_id.as_deref(),
            secret_stdin,
            creds_file: args.creds_file.as_deref(),
            az_timeout: args.az_timeout(),
            az_subscription: placement.requested_subscription(),
            az_program: "az",
            federation: resolve::FederationFlags {
                token_env: args.federated_token_env.as_deref(),
                service_connection_id: args.service_connection_id.as_deref(),
            },
            only: args.source,
            managed_identity: args.managed_identity.as_ref().map(|v| v.as_deref()),
            az_cloud: endpoints
                .as_ref()
                .zip(set_cloud.as_deref())
                .map(|(e, set_cloud)| resolve::AzCloud {
                    resource: &e.arm,
                    set_cloud,
                }),
        };
        let mut resolved = match resolve::resolve(input, self.ui).await? {
            resolve::Resolution::Done(resolved) => resolved,
            // The managed identity's one token request, made by verify's
            // client (resolution itself makes no HTTP request).
            resolve::Resolution::ManagedIdentity(pending) => {
                let mut rest = pending.rest;
                let ssl_cert_file = self.vars.get("SSL_CERT_FILE");
                let credentials = verify::mi_token::fetch(
                    pending.fetch,
                    ssl_cert_file,
                    self.observer(),
                    &mut rest.warnings,
                )
                .await?;
                rest.finish(credentials)
            }
        };
        // Printed by `announce`, after the masks.
        if let Some(why) = &placement.untrusted_branch {
            resolved.warnings.push(why.clone());
        }
        Ok(resolved)
    }

    /// Masks the secrets (GitHub Actions), prints resolution warnings.
    pub fn announce(&self, resolved: &Resolved) {
        self.ui.mask(resolved.credentials.auth.secrets());
        for w in &resolved.warnings {
            self.ui.warn(w);
        }
    }

    /// Full resolution for the commands that act on it.
    pub async fn resolve(&self, args: &ResolveArgs) -> Result<Resolution, Error> {
        let parts = self.resolve_parts(args).await?;
        self.announce(&parts.resolved);
        let target = parts
            .placement
            .finish(parts.resolved.credentials.subscription_id.as_deref())?;
        Ok(Resolution {
            config: parts.config,
            credentials: parts.resolved.credentials,
            target,
        })
    }

    /// Verifies the resolution against `endpoints`; prints the report's
    /// warnings.
    pub async fn verify(
        &self,
        res: &Resolution,
        endpoints: &Endpoints,
        args: &VerifyArgs,
    ) -> Result<Report, Error> {
        let opts = verify::Options {
            endpoints,
            require: args.require,
            timeout: args.timeout(),
            ssl_cert_file: self.vars.get("SSL_CERT_FILE"),
        };
        let report = verify::verify(
            &res.credentials,
            &res.target.subscription_id,
            &opts,
            self.observer(),
        )
        .await?;
        for w in &report.warnings {
            self.ui.warn(w);
        }
        if res.credentials.source == resolve::SourceKind::AzCli && !self.vars.in_ci() {
            self.ui.warn(
                "these checks used your own `az login` identity, not the pipeline's: its rights (and ARM_USE_CLI=true) say nothing about the service principal the pipeline will use; check that one with its credentials (e.g. `--source azure-env`)",
            );
        }
        Ok(report)
    }
}

/// The outcome of a verification that did not pass: its first failed
/// check, for `main` to report like any failure. The fix is not repeated:
/// the report printed it under the check (text) or carries it (JSON).
pub fn access_failure(report: &Report, suffix: &str) -> Outcome {
    let (message, hint) = match report.first_failure() {
        Some(c) => (
            format!("{}: {}{suffix}", c.check.name(), c.detail),
            c.fix
                .as_ref()
                .map(|_| "see the fix under the failed check".to_owned()),
        ),
        None => (format!("access is not sufficient{suffix}"), None),
    };
    Outcome::AccessNotSufficient(Failure {
        title: "Azure access not sufficient",
        message,
        hint,
    })
}
