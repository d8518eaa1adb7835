//! The examples at the end of `--help` (kept out of `cli.rs`, which
//! declares the flags).

pub const EXAMPLES: &str = "\
Examples:
  # What would be used on this branch, and why (nothing is verified)
  cloudstudio-azure explain

  # Check the credentials against Azure: token, subscription, Contributor role
  cloudstudio-azure verify

  # Write the CloudStudio workdir and the pipeline variables; preview first
  cloudstudio-azure export --dry-run
  cloudstudio-azure export

  # The whole flow offline, against the built-in Azure emulator
  cloudstudio-azure demo

Exit codes: 0 ok, 1 runtime failure (network, Azure outage, I/O),
2 invalid input (usage, config, credentials, guard refusals),
3 access not sufficient (token rejected, subscription, role).";

pub const VERIFY_EXAMPLES: &str = "\
Examples:
  # Every environment and branch rule in cloudstudio.yml, one line each (exit 3 if any fails)
  cloudstudio-azure verify --all
  cloudstudio-azure verify --all --output json";

pub const EXPORT_EXAMPLES: &str = "\
Examples:
  # Preview, then write; in GitHub Actions (GITHUB_ENV) and Azure DevOps
  # (task.setvariable logging commands) later steps get the variables too
  cloudstudio-azure export --dry-run
  cloudstudio-azure export

  # GitLab: later jobs read the non-secret variables from a dotenv report
  # (artifacts: reports: dotenv: azure.env); the secret is never in it
  cloudstudio-azure export --dotenv-report azure.env

  # A self-hosted runner on an Azure VM: its managed identity, no secret
  # (system-assigned; or name a user-assigned one by its client id)
  ARM_USE_MSI=true cloudstudio-azure export
  cloudstudio-azure export --managed-identity 0a1b2c3d-1111-4a4a-8b8b-000000000001";

pub const SERVE_EXAMPLES: &str = "\
Examples:
  # Trust the CA once: keep it (and the token-signing key) in a directory
  cloudstudio-azure emulator serve --port 8443 --state-dir .emulator --log .emulator/requests.jsonl

  # In another shell: point az, the Azure SDKs and Terraform at it
  eval \"$(cloudstudio-azure emulator serve --port 8443 --state-dir .emulator --print-env)\"";
