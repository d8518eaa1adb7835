//! The command line: clap only (derive, grouped arguments with help
//! headings), and the validated domain values built from it, once. The
//! value enums (`--cloud`, `--require`, `--shell`, `--output`) live with
//! the modules that own them.
//!
//! Credential flags have no environment fallbacks on purpose: the
//! environment is read by the sources themselves, so that a flag and a
//! variable are never mixed into one credential. The target and cloud flags
//! do (`CLOUDSTUDIO_*`): the GitHub Action passes its inputs that way, so no
//! input value is ever on a command line. `--workdir`'s `CLOUDSTUDIO_WORKDIR`
//! is read by `Ctx::named_workdir`, where an empty value counts as absent.

use crate::completion::{COMPLETION_EXAMPLES, CompletionShell};
use crate::config::CredentialName;
use crate::help::{EXAMPLES, EXPORT_EXAMPLES, SERVE_EXAMPLES, VERIFY_EXAMPLES};
use crate::ids::Environment;
use crate::pipeline::Shell;
use crate::resolve::SourceKind;
use crate::ui::{ColorChoice, OutputFormat};
use crate::vars::Vars;
use crate::verify::{Cloud, Endpoints, Require, VerifyError};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "cloudstudio-azure",
    version,
    about = "Get Azure service-principal credentials into CloudStudio for this pipeline's environment: resolved, verified, exported safely.",
    after_help = EXAMPLES,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// cloudstudio.yml to use [default: cloudstudio.yml, cloudstudio.yaml or
    /// .cloudstudio.yml in the current directory, then in the workdir]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "CLOUDSTUDIO_CONFIG",
        hide_env_values = true
    )]
    pub config: Option<PathBuf>,
    /// Whether `--config` was given on the command line (not through
    /// CLOUDSTUDIO_CONFIG): only then is it refused where it does not apply.
    #[arg(skip)]
    pub config_on_command_line: bool,
    /// The CloudStudio workdir (the folder holding `azure/`) [env: CLOUDSTUDIO_WORKDIR]
    #[arg(long, global = true, value_name = "DIR")]
    pub workdir: Option<PathBuf>,
    /// Output format; `json` is stable for scripts (stdout is one JSON document, errors included)
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Colour: `auto` on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only warnings and errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more detail (requests, timings)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// `--lock-timeout`, for the commands that write the workdir.
#[derive(Debug, Clone, Args)]
pub struct LockArgs {
    /// Seconds to wait for another run's lock on the workdir (0-3600), then fail
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(0..=3600),
        env = "CLOUDSTUDIO_LOCK_TIMEOUT",
        hide_env_values = true
    )]
    pub lock_timeout: u64,
}

impl LockArgs {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.lock_timeout)
    }
}

impl Default for LockArgs {
    fn default() -> LockArgs {
        LockArgs { lock_timeout: 60 }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show which credentials, environment and subscription would be used, and why (no checks: only the az session or a managed identity is asked for its token)
    Explain(ResolveArgs),
    /// Resolve, then check access against Azure: token, subscription, role (exit 3 if not sufficient)
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify {
        #[command(flatten)]
        resolve: ResolveArgs,
        #[command(flatten)]
        verify: VerifyArgs,
        /// Check every target the config selects (environment defaults, branch rules), one line each
        #[arg(
            long,
            help_heading = "Verification",
            env = "CLOUDSTUDIO_VERIFY_ALL",
            hide_env_values = true
        )]
        all: bool,
    },
    /// Resolve, verify, then write the CloudStudio workdir and the pipeline variables
    #[command(after_help = EXPORT_EXAMPLES)]
    Export {
        #[command(flatten)]
        resolve: ResolveArgs,
        #[command(flatten)]
        verify: VerifyArgs,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// List the workdir's Azure credentials (masked) and which environment each is current for
    Status,
    /// Print export statements for the resolved credentials. PRINTS THE SECRET: for `eval`/`source`, never for logs
    Env {
        #[command(flatten)]
        resolve: ResolveArgs,
        /// The shell (or file format) to print for [default: bash; json with --output json]
        #[arg(long, value_enum)]
        shell: Option<Shell>,
    },
    /// Remove what `export` wrote for a credential (its file and its environment binding)
    Cleanup(CleanupArgs),
    /// Create (or complete) the app, its secret or federated credentials and the role
    /// assignment over your `az login` session, then verify and export it
    #[command(after_help = crate::provision::next::INIT_EXAMPLES)]
    Init(Box<InitArgs>),
    /// Run the whole `export` flow offline against the built-in Azure emulator, in a temp workdir
    #[cfg(feature = "emulator")]
    Demo,
    /// The built-in Azure emulator (Entra ID, Resource Manager, GitHub OIDC) for offline pipelines
    #[cfg(feature = "emulator")]
    Emulator {
        #[command(subcommand)]
        command: EmulatorCommand,
    },
    /// Print shell completions (subcommands, their flags, and the values of
    /// --environment, --cloud, --shell, ...)
    #[command(after_help = COMPLETION_EXAMPLES)]
    Completions {
        /// The shell to complete for
        shell: CompletionShell,
    },
}

/// `--environment`: parsed as [`Environment`], its six spellings listed for
/// `--help` and shell completions.
fn environment_parser() -> impl clap::builder::TypedValueParser<Value = Environment> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new([
        "development",
        "dev",
        "stage",
        "staging",
        "production",
        "prod",
    ])
    .try_map(|s| s.parse::<Environment>())
}

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Serve the emulator on 127.0.0.1; prints its endpoints and the CA path
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Scenario file (tenants, apps, subscriptions, roles, faults) [default: the demo scenario]
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// Where the CA, its key and the token-signing key live; reused by the next start, so
    /// clients trust the CA once [default: a temp directory, removed at exit]
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Append one JSON line per request to FILE: method, path, status, duration, principal,
    /// error code (never a secret or token)
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Print the variables and `az` commands that point the Azure CLI, the Azure SDKs and
    /// Terraform at the emulator on --port with the CA in --state-dir, then exit (no server)
    #[arg(long, requires = "state_dir")]
    pub print_env: bool,
}

/// `init`: what to create (`provision::options`), the cloud, and how to export.
#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub init: crate::provision::options::InitOptions,
    #[command(flatten)]
    pub cloud: CloudArgs,
    /// --dry-run lists what would be created or reused and writes nothing anywhere;
    /// --no-verify skips the replication wait and the checks
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Where credentials and the target come from.
#[derive(Debug, Clone, Default, Args)]
pub struct ResolveArgs {
    /// Client (application) id; the secret comes from AZURE_CLIENT_SECRET or --client-secret-stdin
    #[arg(long, value_name = "GUID", help_heading = "Credentials")]
    pub client_id: Option<String>,
    /// Tenant (directory) id or domain
    #[arg(long, value_name = "GUID|DOMAIN", help_heading = "Credentials")]
    pub tenant_id: Option<String>,
    /// Subscription id; overrides branch rules and the source's own
    #[arg(
        long,
        value_name = "GUID",
        help_heading = "Credentials",
        env = "CLOUDSTUDIO_SUBSCRIPTION_ID",
        hide_env_values = true
    )]
    pub subscription_id: Option<String>,
    /// Read the client secret from standard input (never pass a secret as an argument)
    #[arg(long, help_heading = "Credentials")]
    pub client_secret_stdin: bool,
    /// Read an AZURE_CREDENTIALS-style JSON file instead of the variable
    #[arg(long, value_name = "FILE", help_heading = "Credentials")]
    pub creds_file: Option<PathBuf>,
    /// Use only this credential source; the others are ignored (`explain` lists them as skipped)
    #[arg(
        long,
        value_enum,
        value_name = "NAME",
        help_heading = "Credentials",
        env = "CLOUDSTUDIO_SOURCE",
        hide_env_values = true
    )]
    pub source: Option<SourceKind>,
    /// Seconds to wait for the token a source hands over: `az account get-access-token`, or the managed identity's request (1-600)
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=600),
        help_heading = "Credentials"
    )]
    pub az_timeout: u64,
    /// Federation: the variable holding the CI system's ID token (e.g. GitLab's `id_tokens:` name) [default: ARM_OIDC_TOKEN, then AZURE_FEDERATED_TOKEN_FILE / ARM_OIDC_TOKEN_FILE_PATH]
    #[arg(long, value_name = "NAME", help_heading = "Credentials")]
    pub federated_token_env: Option<String>,
    /// Azure DevOps federation: the service connection id [default: ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID]
    #[arg(long, value_name = "ID", help_heading = "Credentials")]
    pub service_connection_id: Option<String>,
    /// Use this machine's managed identity (Azure VM, App Service): the system-assigned one, or
    /// the user-assigned one with this client id [also: ARM_USE_MSI=true, AZURE_USE_MSI=true]
    #[arg(long, value_name = "CLIENT_ID", num_args = 0..=1, help_heading = "Credentials")]
    pub managed_identity: Option<Option<String>>,

    /// Branch to match against the rules [default: from CI variables or .git/HEAD]
    #[arg(
        long,
        help_heading = "Target",
        env = "CLOUDSTUDIO_BRANCH",
        hide_env_values = true
    )]
    pub branch: Option<String>,
    /// CloudStudio environment: development|dev, stage|staging, production|prod
    #[arg(
        long,
        value_name = "ENV",
        help_heading = "Target",
        env = "CLOUDSTUDIO_ENVIRONMENT",
        hide_env_values = true
    )]
    #[arg(value_parser = environment_parser())]
    pub environment: Option<Environment>,
    /// Credential name in the workdir [default: from the config, else ci-<environment>]
    #[arg(
        long,
        value_name = "NAME",
        help_heading = "Target",
        env = "CLOUDSTUDIO_CREDENTIAL",
        hide_env_values = true
    )]
    pub credential: Option<CredentialName>,

    #[command(flatten)]
    pub cloud: CloudArgs,
}

#[derive(Debug, Clone, Default, Args)]
pub struct CloudArgs {
    /// Azure cloud (also AzureCloud, AzureUSGovernment, AzureChinaCloud, AzureStack)
    /// [default: from ARM_ENVIRONMENT, AZURE_CLOUD or AZURE_AUTHORITY_HOST, else public]
    #[arg(
        long,
        value_enum,
        help_heading = "Cloud",
        env = "CLOUDSTUDIO_CLOUD",
        hide_env_values = true
    )]
    pub cloud: Option<Cloud>,
    /// Entra ID authority for --cloud custom (e.g. https://login.example.local)
    /// [env: CLOUDSTUDIO_AUTHORITY_HOST, else AZURE_AUTHORITY_HOST]
    #[arg(
        long,
        value_name = "URL",
        help_heading = "Cloud",
        env = "CLOUDSTUDIO_AUTHORITY_HOST",
        hide_env = true
    )]
    pub authority_host: Option<String>,
    /// Resource Manager endpoint for --cloud custom (Azure Stack, the emulator)
    #[arg(
        long,
        value_name = "URL",
        help_heading = "Cloud",
        env = "CLOUDSTUDIO_ARM_ENDPOINT",
        hide_env_values = true
    )]
    pub arm_endpoint: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The weakest role that passes; `none` checks the token and the subscription only
    #[arg(
        long,
        value_enum,
        default_value_t = Require::Contributor,
        help_heading = "Verification",
        env = "CLOUDSTUDIO_REQUIRE",
        hide_env_values = true
    )]
    pub require: Require,
    /// Seconds allowed for the whole verification (1-3600)
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        help_heading = "Verification"
    )]
    pub timeout: u64,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ExportArgs {
    /// Show what would change; write nothing anywhere
    #[arg(
        long,
        help_heading = "Export",
        env = "CLOUDSTUDIO_DRY_RUN",
        hide_env_values = true
    )]
    pub dry_run: bool,
    /// Skip the Azure checks
    #[arg(
        long,
        help_heading = "Export",
        env = "CLOUDSTUDIO_NO_VERIFY",
        hide_env_values = true
    )]
    pub no_verify: bool,
    /// Rebind a credential that is current for another environment with another subscription
    #[arg(long, help_heading = "Export")]
    pub force: bool,
    /// Write secrets even where git would not ignore them
    #[arg(long, help_heading = "Export")]
    pub allow_unignored: bool,
    /// GitLab: write the non-secret variables to FILE as a dotenv report
    /// (`artifacts: reports: dotenv: FILE`) for later jobs; secrets are left out
    #[arg(long, value_name = "FILE", help_heading = "Export")]
    pub dotenv_report: Option<PathBuf>,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Debug, Clone, Args)]
pub struct CleanupArgs {
    /// Credential to remove [default: the one `export` would write on this branch]
    #[arg(
        long,
        value_name = "NAME",
        env = "CLOUDSTUDIO_CREDENTIAL",
        hide_env_values = true
    )]
    pub credential: Option<CredentialName>,
    /// Environment whose credential to remove [default: from the branch rules]
    #[arg(
        long,
        value_name = "ENV",
        env = "CLOUDSTUDIO_ENVIRONMENT",
        hide_env_values = true
    )]
    #[arg(value_parser = environment_parser())]
    pub environment: Option<Environment>,
    /// Branch to match against the rules
    #[arg(long, env = "CLOUDSTUDIO_BRANCH", hide_env_values = true)]
    pub branch: Option<String>,
    /// Show what would be removed; remove nothing
    #[arg(long, env = "CLOUDSTUDIO_DRY_RUN", hide_env_values = true)]
    pub dry_run: bool,
    #[command(flatten)]
    pub lock: LockArgs,
    /// Do not ask before deleting (on a terminal it asks; in CI it never does)
    #[arg(short, long)]
    pub yes: bool,
}

impl Cli {
    /// Parses the command line; a usage error is clap's, for the caller to print.
    pub fn from_process() -> Result<Cli, clap::Error> {
        use clap::{CommandFactory, FromArgMatches, parser::ValueSource};
        let matches = ignoring_empty_env(Cli::command()).try_get_matches()?;
        let mut cli = Cli::from_arg_matches(&matches)?;
        let from_cli =
            |m: &clap::ArgMatches| m.value_source("config") == Some(ValueSource::CommandLine);
        cli.global.config_on_command_line =
            from_cli(&matches) || matches.subcommand().is_some_and(|(_, m)| from_cli(m));
        Ok(cli)
    }
}

/// An empty `CLOUDSTUDIO_*` variable counts as unset, as CI systems set
/// unused inputs to "" (clap would read it as a missing value: exit 2).
fn ignoring_empty_env(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(ignore_empty_env)
        .mut_subcommands(ignoring_empty_env)
}

fn ignore_empty_env(arg: clap::Arg) -> clap::Arg {
    match arg.get_env() {
        Some(name) if std::env::var_os(name).is_some_and(|v| v.is_empty()) => arg.env(None),
        _ => arg,
    }
}

impl CloudArgs {
    /// The cloud's endpoints, validated (`--cloud custom` needs both URLs,
    /// https; the named clouds take neither). Without `--cloud`, the cloud
    /// the environment names for Terraform (`ARM_ENVIRONMENT`) or the Azure
    /// tools (`AZURE_CLOUD`, `AZURE_AUTHORITY_HOST`); `AZURE_AUTHORITY_HOST`
    /// also serves as `--authority-host` for a custom cloud.
    pub fn endpoints(&self, vars: &Vars) -> Result<Endpoints, VerifyError> {
        let env_authority = vars
            .get("AZURE_AUTHORITY_HOST")
            .filter(|v| !v.trim().is_empty());
        let cloud = match self.cloud {
            Some(c) => c,
            None => Cloud::from_vars(vars, env_authority)?,
        };
        let authority = self
            .authority_host
            .as_deref()
            .or(env_authority.filter(|_| cloud == Cloud::Custom));
        Endpoints::for_cloud(cloud, authority, self.arm_endpoint.as_deref())
    }
}

impl ResolveArgs {
    /// `--az-timeout`, at least a second.
    pub fn az_timeout(&self) -> Duration {
        Duration::from_secs(self.az_timeout.max(1))
    }
}

impl VerifyArgs {
    /// `--timeout`, at least a second.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout.max(1))
    }
}
