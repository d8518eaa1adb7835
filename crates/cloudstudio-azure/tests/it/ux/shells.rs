//! Point 14: completions complete subcommand flags and value lists
//! (environments, clouds, shells) in bash, zsh, fish and PowerShell;
//! `zsh` and `pwsh` are accepted where they mean the same.

use super::*;

fn completions(shell: &str) -> String {
    let w = World::new();
    let r = w.run(&["completions", shell]);
    assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
    r.stdout
}

#[test]
fn completions_carry_subcommand_flags_and_value_lists_in_every_shell() {
    // Fish spells a long flag `-l dry-run`.
    let flags = ["dry-run", "allow-unignored", "require", "source"];
    let values = ["usgovernment", "staging", "dotenv", "az-cli"];
    for shell in ["bash", "zsh", "fish", "powershell", "pwsh"] {
        let text = completions(shell);
        for word in flags {
            assert!(text.contains(word), "{shell} completions lack {word}");
        }
        // clap_complete's PowerShell script completes flags, not values.
        if !shell.contains("p") {
            for word in values {
                assert!(text.contains(word), "{shell} completions lack {word}");
            }
        }
    }
    assert_eq!(completions("pwsh"), completions("powershell"));
}

/// Bash, for real: `export --dr<TAB>` completes to `--dry-run`, and
/// `--environment <TAB>` offers the environments, not file names.
#[test]
fn bash_completes_export_flags_and_environments() {
    if !crate::support::work::has("bash") {
        return;
    }
    let w = World::new();
    let script = w.write("complete.bash", &completions("bash"));
    let probe = |line: &str| -> String {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n_cloudstudio__azure cloudstudio-azure '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            words
                .iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "-c", &program])
            .current_dir(w.path())
            .output()
            .expect("bash runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let flags = probe("cloudstudio-azure export --dr");
    assert_eq!(flags.trim(), "--dry-run", "{flags}");
    let envs = probe("cloudstudio-azure export --environment ");
    for e in ["development", "stage", "production"] {
        assert!(envs.lines().any(|l| l == e), "{e} in {envs}");
    }
    assert!(
        !envs.contains("complete.bash"),
        "file names offered: {envs}"
    );
}

#[test]
fn env_accepts_zsh_and_pwsh() {
    let mut w = World::new();
    w.allow_secret_output = true;
    azure_env(&mut w);
    let zsh = w.run(&["env", "--shell", "zsh"]);
    assert_eq!(zsh.code, 0, "{}", zsh.stderr);
    assert_eq!(zsh.stdout, w.run(&["env", "--shell", "bash"]).stdout);
    let pwsh = w.run(&["env", "--shell", "pwsh"]);
    assert_eq!(pwsh.code, 0, "{}", pwsh.stderr);
    assert_eq!(pwsh.stdout, w.run(&["env", "--shell", "powershell"]).stdout);
}
