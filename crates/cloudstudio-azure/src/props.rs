//! Properties of the code that reads text from outside (credential JSON,
//! cloudstudio.yml, `az` output, branch names, Entra ID and Resource Manager
//! replies) or writes text something else parses (GITHUB_ENV, shell
//! snippets): each function panics when its property does not hold. The
//! same functions are driven by proptest in `cargo test` (the `tests` module
//! below) and by cargo fuzz (`fuzz/`, built with `--cfg fuzzing`).
//!
//! Round trips parse the written text back the way its reader does (the
//! Actions runner's file commands, POSIX and PowerShell single quotes,
//! Docker's `--env-file`), with parsers written here from those formats'
//! rules, independent of the writers.

use crate::config::Config;
use crate::pattern::BranchPattern;
use crate::pipeline::variables::VarValue;
use crate::pipeline::{self, ArmVar, Shell};
use std::path::Path;

/// The names the writers are given (they are always ours, never input).
pub const NAMES: [&str; 4] = [
    "ARM_CLIENT_ID",
    "ARM_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "ARM_SUBSCRIPTION_ID",
];

fn vars(values: &[String]) -> Vec<ArmVar<'static>> {
    values
        .iter()
        .zip(NAMES)
        .map(|(v, name)| ArmVar {
            name,
            value: VarValue::Plain(v.clone()),
        })
        .collect()
}

/// GITHUB_ENV / GITHUB_OUTPUT: what the runner reads back is exactly what
/// was written, whatever the values hold (newlines, `<<`, `=`, delimiters).
pub fn github_env_round_trip(values: &[String]) {
    let vars = vars(values);
    let Ok(text) = pipeline::env_block(&vars) else {
        return; // no usable delimiter: refused, nothing written
    };
    let read = runner_file_command(&text);
    let want: Vec<(String, String)> = vars
        .iter()
        .map(|v| (v.name.to_owned(), v.value.expose().to_owned()))
        .collect();
    assert_eq!(read, want, "GITHUB_ENV text: {text:?}");
}

/// The Actions runner's reading of an env/output file: `NAME=value` lines,
/// and `NAME<<DELIM` blocks ending at the first line equal to DELIM (the
/// runner splits on `\n`; a block without its end is an error).
fn runner_file_command(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        match line.find("<<") {
            Some(h) if eq.is_none_or(|e| h < e) => {
                let (name, delim) = (&line[..h], &line[h + 2..]);
                let mut value: Vec<&str> = Vec::new();
                let ended = lines.by_ref().any(|l| {
                    if l == delim {
                        true
                    } else {
                        value.push(l);
                        false
                    }
                });
                assert!(ended, "heredoc for {name} not closed");
                out.push((name.to_owned(), value.join("\n")));
            }
            _ => {
                let e = eq.unwrap_or_else(|| panic!("a line the runner rejects: {line:?}"));
                out.push((line[..e].to_owned(), line[e + 1..].to_owned()));
            }
        }
    }
    out
}

/// Azure DevOps: each `##vso[task.setvariable]` and `##vso[task.setsecret]`
/// line is one line, and the agent reads back the name, the secret flag and
/// exactly the value (its parser, written here from the agent's rules).
pub fn ado_round_trip(values: &[String]) {
    for (value, name) in values.iter().zip(NAMES) {
        for secret in [false, true] {
            let line = crate::ci::vso_set_variable(name, value, secret);
            assert!(!line.contains(['\n', '\r']), "two lines: {line:?}");
            let (command, props, data) = agent_command(&line);
            assert_eq!(command, "task.setvariable", "{line:?}");
            assert_eq!(
                props.first().map(|(k, v)| (k.as_str(), v.as_str())),
                Some(("variable", name))
            );
            let flagged = props.iter().any(|(k, v)| k == "issecret" && v == "true");
            assert_eq!(flagged, secret, "{line:?}");
            assert_eq!(&data, value, "{line:?}");
        }
        let line = crate::ci::vso_set_secret(value);
        assert!(!line.contains(['\n', '\r']), "two lines: {line:?}");
        let (command, props, data) = agent_command(&line);
        assert_eq!((command.as_str(), props.len()), ("task.setsecret", 0));
        assert_eq!(&data, value, "{line:?}");
    }
}

/// The agent's reading of a logging command: from the first `##vso[` to the
/// next `]` the command and its `;`-separated `key=value` properties (empty
/// entries dropped), then the data; `%3B`, `%0D`, `%0A`, `%5D` and then
/// `%AZP25` unescaped in values and data.
fn agent_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let unescape = |s: &str| {
        s.replace("%3B", ";")
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%5D", "]")
            .replace("%AZP25", "%")
    };
    let start = line.find("##vso[").expect("a logging command") + 6;
    let end = start + line[start..].find(']').expect("its `]`");
    let info = &line[start..end];
    let (command, props) = info.split_once(' ').unwrap_or((info, ""));
    let props = props
        .trim()
        .split(';')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .filter(|(k, v)| !k.is_empty() && !v.is_empty())
        .map(|(k, v)| (k.to_owned(), unescape(v)))
        .collect();
    (command.to_owned(), props, unescape(&line[end + 1..]))
}

/// `env --shell bash|powershell|dotenv|json`: the shell (or reader) gets
/// back exactly the value, or the writer refused the value.
pub fn shell_round_trip(value: &str) {
    let values = [value.to_owned()];
    let vars = vars(&values);
    for shell in [Shell::Bash, Shell::Powershell, Shell::Dotenv, Shell::Json] {
        let Ok(text) = pipeline::render_shell(shell, &vars) else {
            continue;
        };
        let got = match shell {
            Shell::Bash => single_quoted(&text, "export ARM_CLIENT_ID=", posix_quote),
            Shell::Powershell => single_quoted(&text, "$env:ARM_CLIENT_ID = ", ps_quote),
            Shell::Dotenv => {
                let line = text.strip_suffix('\n').expect("one line");
                assert!(!line.contains('\n'), "dotenv line break: {text:?}");
                line.strip_prefix("ARM_CLIENT_ID=")
                    .expect("NAME=")
                    .to_owned()
            }
            _ => {
                let doc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
                doc["ARM_CLIENT_ID"].as_str().expect("a string").to_owned()
            }
        };
        assert_eq!(got, value, "{shell:?}: {text:?}");
    }
}

/// The value of `PREFIX'...'\n`, read with `unquote`.
fn single_quoted(text: &str, prefix: &str, unquote: fn(&str) -> String) -> String {
    let body = text
        .strip_prefix(prefix)
        .and_then(|t| t.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("shape: {text:?}"));
    unquote(body)
}

/// POSIX shell: `'...'` is literal up to the next `'`; between quoted parts
/// `\'` is a quote. Anything else outside quotes would be shell syntax.
fn posix_quote(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('\'') {
            let end = r.find('\'').expect("closed quote");
            out.push_str(&r[..end]);
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix("\\'") {
            out.push('\'');
            rest = r;
        } else {
            panic!("unquoted shell text: {rest:?} in {word:?}");
        }
    }
    out
}

/// PowerShell: one `'...'` string, where a doubled single quote (any of
/// the four PowerShell accepts) is one quote; a lone one ends the string.
fn ps_quote(word: &str) -> String {
    let is_q = |c: char| matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}');
    let mut chars = word.chars().peekable();
    assert!(chars.next().is_some_and(is_q), "opening quote: {word:?}");
    let mut out = String::new();
    while let Some(c) = chars.next() {
        if is_q(c) {
            match chars.peek() {
                Some(&d) if is_q(d) => {
                    out.push(c);
                    chars.next();
                }
                None => return out,
                Some(_) => panic!("string ended early in {word:?}"),
            }
        } else {
            out.push(c);
        }
    }
    panic!("unclosed string: {word:?}")
}

/// The branch matcher agrees with the filter rules written out by hand
/// (DESIGN.md): `*` any run of characters but `/`, `**` any run including
/// `/`, `?` one character but `/`, anything else itself. `pattern` holds
/// only those; a `**` next to a `/` is left out (GitHub's "zero or more
/// directories" reading of `a/**/b` is globset's, checked by unit tests).
pub fn branch_matches_reference(pattern: &str, branch: &str) {
    let Ok(p) = BranchPattern::new(pattern) else {
        panic!("a pattern of literals, `*`, `**` and `?` is valid: {pattern:?}");
    };
    let pc: Vec<char> = pattern.chars().collect();
    let bc: Vec<char> = branch.chars().collect();
    assert_eq!(
        p.is_match(branch),
        reference_match(&pc, &bc),
        "pattern {pattern:?} on branch {branch:?}"
    );
}

/// The filter rules written out as a recursion over (pattern, name)
/// suffixes, memoised so `*`-heavy patterns stay polynomial (the plain
/// recursion is exponential: one fuzz input ran for 20 minutes).
fn reference_match(p: &[char], s: &[char]) -> bool {
    let mut memo = vec![vec![None; s.len() + 1]; p.len() + 1];
    reference_at(p, s, 0, 0, &mut memo)
}

fn reference_at(
    p: &[char],
    s: &[char],
    i: usize,
    j: usize,
    memo: &mut [Vec<Option<bool>>],
) -> bool {
    if let Some(known) = memo[i][j] {
        return known;
    }
    let rest = &s[j..];
    let result = match &p[i..] {
        [] => rest.is_empty(),
        ['*', '*', ..] => (j..=s.len()).any(|k| reference_at(p, s, i + 2, k, memo)),
        ['*', ..] => (j..=s.len())
            .take_while(|&k| k == j || s[k - 1] != '/')
            .any(|k| reference_at(p, s, i + 1, k, memo)),
        ['?', ..] => {
            rest.first().is_some_and(|&c| c != '/') && reference_at(p, s, i + 1, j + 1, memo)
        }
        [c, ..] => rest.first() == Some(c) && reference_at(p, s, i + 1, j + 1, memo),
    };
    memo[i][j] = Some(result);
    result
}

/// Any pattern is either refused with a message or matches without panic.
pub fn branch_any(pattern: &str, branch: &str) {
    if let Ok(p) = BranchPattern::new(pattern) {
        p.is_match(branch);
    }
}

/// cloudstudio.yml: any text is a config or an error; an error that names
/// a line names one inside the file.
pub fn config_parse(text: &str) {
    if let Err(e) = Config::parse(text, Path::new("cloudstudio.yml")) {
        let msg = e.to_string();
        // YAML 1.1 breaks lines at LF, CRLF, a lone CR, NEL, LS and PS.
        let lines = text
            .replace("\r\n", "\n")
            .matches(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
            .count()
            + 2;
        if let Some(n) = msg
            .split("line ")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|d| d.parse::<usize>().ok())
        {
            assert!(n <= lines, "line {n} of {lines}: {msg}");
        }
    }
}

/// AZURE_CREDENTIALS: any text is credentials or an error, and the error
/// never repeats the text's values (it may hold a secret).
pub fn creds_json(text: &str) {
    crate::resolve::props::creds_json(text);
}

/// `az account get-access-token` output: credentials or an error.
pub fn az_output(bytes: &[u8]) {
    crate::resolve::props::az_output(bytes);
}

/// Entra ID and Resource Manager replies: any body gives a cause, a code
/// or nothing, never a panic.
pub fn replies(bytes: &[u8]) {
    crate::verify::props::replies(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Text that stresses line-based formats: newlines, CRs, quotes, `<<`,
    /// `=`, delimiter look-alikes, non-ASCII, control characters.
    fn hostile() -> impl Strategy<Value = String> {
        let atoms = prop_oneof![
            Just("\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("'".to_owned()),
            Just("\u{2019}".to_owned()),
            Just("\"".to_owned()),
            Just("<<".to_owned()),
            Just("=".to_owned()),
            Just("ghadelimiter_".to_owned()),
            Just("EOF".to_owned()),
            Just("\\".to_owned()),
            Just("$(x)".to_owned()),
            Just("%".to_owned()),
            Just("%AZP25".to_owned()),
            Just("%0A".to_owned()),
            Just(";".to_owned()),
            Just("]".to_owned()),
            Just("##vso[".to_owned()),
            "[a-z0-9~._-]{0,6}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(atoms, 0..12).prop_map(|v| v.concat())
    }

    fn glob() -> impl Strategy<Value = String> {
        let atoms = prop_oneof![
            Just("a"),
            Just("b"),
            Just("/"),
            Just("*"),
            Just("**"),
            Just("?")
        ];
        prop::collection::vec(atoms, 0..8)
            .prop_map(|v| v.concat())
            // `***` has no meaning of its own; `**` beside `/` see above.
            .prop_filter("no *** or **/", |p| {
                !p.contains("***") && !p.contains("**/") && !p.contains("/**")
            })
    }

    proptest! {
        #[test]
        fn github_env_reads_back_what_was_written(values in prop::collection::vec(hostile(), 1..4)) {
            github_env_round_trip(&values);
        }

        #[test]
        fn azure_devops_reads_back_what_was_written(values in prop::collection::vec(hostile(), 1..4)) {
            ado_round_trip(&values);
        }

        #[test]
        fn shells_read_back_what_was_written(value in hostile()) {
            shell_round_trip(&value);
        }

        #[test]
        fn branch_matcher_follows_the_filter_rules(pattern in glob(), branch in "[ab/]{0,8}") {
            branch_matches_reference(&pattern, &branch);
        }

        #[test]
        fn branch_matcher_takes_any_pattern(pattern in ".{0,16}", branch in ".{0,16}") {
            branch_any(&pattern, &branch);
        }

        #[test]
        fn config_parser_never_panics(text in config_text()) {
            config_parse(&text);
        }

        #[test]
        fn creds_json_never_panics_or_echoes(text in creds_text()) {
            creds_json(&text);
        }

        #[test]
        fn az_output_never_panics(text in creds_text()) {
            az_output(text.as_bytes());
        }

        #[test]
        fn replies_never_panic(text in reply_text()) {
            replies(text.as_bytes());
        }
    }

    fn config_text() -> impl Strategy<Value = String> {
        let atoms = prop_oneof![
            Just("environments:\n".to_owned()),
            Just("branches:\n".to_owned()),
            Just("  - match: ".to_owned()),
            Just("  production: ".to_owned()),
            Just("{ subscription_id: 11111111-1111-1111-1111-111111111111 }".to_owned()),
            Just("    environment: stage\n".to_owned()),
            Just("workdir: .\n".to_owned()),
            Just("credential: ci\n".to_owned()),
            Just("\n".to_owned()),
            Just("\"**\"\n".to_owned()),
            ".{0,8}",
        ];
        prop::collection::vec(atoms, 0..10).prop_map(|v| v.concat())
    }

    fn creds_text() -> impl Strategy<Value = String> {
        let atoms = prop_oneof![
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just(",".to_owned()),
            Just(":".to_owned()),
            Just("\"clientId\"".to_owned()),
            Just("\"clientSecret\"".to_owned()),
            Just("\"tenantId\"".to_owned()),
            Just("\"subscriptionId\"".to_owned()),
            Just("\"accessToken\"".to_owned()),
            Just("\"tenant\"".to_owned()),
            Just("\"subscription\"".to_owned()),
            Just("\"appId\"".to_owned()),
            Just("\"password\"".to_owned()),
            Just("\"client_id\"".to_owned()),
            Just("\"4c6f7a1e-8d2b-4e3f-9a51-0b7c2d9e6f10\"".to_owned()),
            Just("\"Zq8~s3cr3tValue\"".to_owned()),
            Just("null".to_owned()),
            Just("[]".to_owned()),
            "\"[ -~]{0,6}\"",
        ];
        prop::collection::vec(atoms, 0..14).prop_map(|v| v.concat())
    }

    fn reply_text() -> impl Strategy<Value = String> {
        let atoms = prop_oneof![
            Just("{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"x\"}}".to_owned()),
            Just("{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000222: x\\r\\nTrace\"}".to_owned()),
            Just("{\"value\":[{\"actions\":[\"*\"],\"notActions\":[]}]}".to_owned()),
            Just("{\"tenantId\":\"t\",\"state\":\"Enabled\"}".to_owned()),
            Just("AADSTS".to_owned()),
            Just("must match the tenant 'https://sts.windows.net/".to_owned()),
            Just("'".to_owned()),
            Just("/".to_owned()),
            Just("eyJ".to_owned()),
            Just(".".to_owned()),
            "[0-9]{0,9}",
            ".{0,6}",
        ];
        prop::collection::vec(atoms, 0..8).prop_map(|v| v.concat())
    }
}
