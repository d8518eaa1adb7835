//! Shell completions: the shells (with `pwsh` for PowerShell) and the
//! script for one, generated from the command line's definition by
//! clap_complete, with its bash output repaired.

pub const COMPLETION_EXAMPLES: &str = "\
Examples:
  source <(cloudstudio-azure completions bash)
  cloudstudio-azure completions zsh > \"${fpath[1]}/_cloudstudio-azure\"
  cloudstudio-azure completions fish > ~/.config/fish/completions/cloudstudio-azure.fish
  cloudstudio-azure completions pwsh >> $PROFILE";

/// The shells completions are generated for (`pwsh` is PowerShell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
    Elvish,
}

impl CompletionShell {
    pub fn generator(self) -> clap_complete::Shell {
        match self {
            CompletionShell::Bash => clap_complete::Shell::Bash,
            CompletionShell::Zsh => clap_complete::Shell::Zsh,
            CompletionShell::Fish => clap_complete::Shell::Fish,
            CompletionShell::Powershell => clap_complete::Shell::PowerShell,
            CompletionShell::Elvish => clap_complete::Shell::Elvish,
        }
    }
}

/// The completion script for `shell` of the command line `cmd`.
pub fn script(shell: CompletionShell, cmd: &mut clap::Command) -> String {
    let mut out = Vec::new();
    clap_complete::generate(shell.generator(), cmd, "cloudstudio-azure", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    if shell == CompletionShell::Bash {
        // clap_complete names a subcommand's state `cloudstudio__azure__subcmd__export`
        // but its `case` label `cloudstudio__subcmd__azure__subcmd__export` (the
        // hyphen in the binary's name): no subcommand flag ever completed.
        return script.replace("cloudstudio__subcmd__azure__", "cloudstudio__azure__");
    }
    script
}
