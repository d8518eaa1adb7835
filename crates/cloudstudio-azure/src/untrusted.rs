//! Text that came from outside (service replies, branch names, paths,
//! config values, `az` and `git` messages) on its way to a terminal or a
//! CI log. The runner executes any stdout/stderr line that begins with
//! `::` (after leading spaces) as a workflow command, and any line holding
//! `##[` (the old syntax) or `##vso[` (Azure DevOps) as a logging command;
//! a newline or a terminal escape inside a value would let it forge lines.
//!
//! [`text`] makes one untrusted value safe to place in a line; [`lines`]
//! is the last guard on every line the tool prints (it keeps colour, drops
//! every other control character and neutralises command markers); [`json`]
//! renders a JSON document with the same guarantee without changing its
//! values. The workflow commands the tool means (masks, annotations) are
//! written by `ui` after this guard, never through it. `env`'s output is
//! the one exception: shell statements for `eval`, quoted per shell, whose
//! values must arrive unchanged.

use std::fmt::Write as _;

/// The default cap for one value in a message.
pub const MAX_CHARS: usize = 300;

/// One untrusted value, safe inside a printed line: control and
/// direction-override characters removed (line breaks and tabs become
/// spaces), at most [`MAX_CHARS`] characters, no command marker.
pub fn text(s: &str) -> String {
    text_capped(s, MAX_CHARS)
}

/// A path, as [`text`] shows it (paths are capped at 1,000 characters).
pub fn path(p: &std::path::Path) -> String {
    text_capped(&p.display().to_string(), 1000)
}

/// [`text`] with another cap (in characters). Terminal escape sequences
/// (colour, cursor, titles) go whole, not just their ESC.
pub fn text_capped(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            skip_escape(&mut chars);
            continue;
        }
        let c = match c {
            '\n' | '\r' | '\t' => ' ',
            c if is_hidden(c) => continue,
            c => c,
        };
        if n == max {
            // One more than the cap: the cap below adds the `…`.
            out.push(c);
            break;
        }
        out.push(c);
        n += 1;
    }
    // Capped after neutralising: breaking a `##[` adds a character, and the
    // cap is a promise about what is printed.
    cap(neutralise(&out), max)
}

/// At most `max` characters, `…` in place of the rest.
fn cap(s: String, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s,
    }
}

/// Every line of `s` (the tool's own text, with untrusted values inside)
/// made safe to print: SGR colour sequences kept, every other control
/// character dropped, command markers neutralised. Line breaks stay.
pub fn lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&neutralise(&strip_line(line)));
    }
    out
}

/// A JSON document, pretty-printed, that no log runner reads as a command:
/// serde escapes control characters; `[` after `##` is written `\u005b`,
/// the same value to any JSON parser. (A JSON line never begins with `::`.)
pub fn json(doc: &serde_json::Value) -> Result<String, serde_json::Error> {
    Ok(inert_json(serde_json::to_string_pretty(doc)?))
}

/// [`json`] on one line (for scripts that read a line before the process
/// blocks). Infallible: a `Value` always serializes.
pub fn json_line(doc: &serde_json::Value) -> String {
    inert_json(doc.to_string())
}

fn inert_json(s: String) -> String {
    s.replace("##[", "##\\u005b")
        .replace("##vso[", "##vso\\u005b")
}

/// Consumes the rest of an escape sequence after its ESC: CSI (`[` ...
/// final byte `@`..`~`) or OSC (`]` ... BEL or ESC `\`); otherwise the one
/// character after ESC.
fn skip_escape(chars: &mut std::str::Chars<'_>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || (c == '\u{1b}' && chars.next().is_some()) {
                    break;
                }
            }
        }
        _ => {}
    }
}

/// Control characters (C0, DEL, C1), bidi overrides and isolates, and
/// Unicode line separators: invisible or able to reorder or break a line.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
        )
}

/// One line without hidden characters, keeping `ESC [ digits/; m` (colour).
fn strip_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && let Some(len) = sgr_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if c == '\t' {
            out.push('\t');
        } else if !is_hidden(c) {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The length of an SGR sequence at the start of `s`, if one is there.
fn sgr_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix("\u{1b}[")?;
    let params = body
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// Breaks `::` at the start (after spaces) and `##[` / `##vso[` anywhere
/// with a space: visible, and no longer a command to any runner.
fn neutralise(line: &str) -> String {
    let mut s = line.replace("##[", "# #[").replace("##vso[", "# #vso[");
    let lead = s.len() - s.trim_start().len();
    if s[lead..].starts_with("::") {
        let mut fixed = String::with_capacity(s.len() + 1);
        let _ = write!(fixed, "{}: :{}", &s[..lead], &s[lead + 2..]);
        s = fixed;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_cannot_break_lines_or_start_commands() {
        assert_eq!(
            text("prod\n::add-mask::production\r\n::warning title=x::y"),
            "prod ::add-mask::production  ::warning title=x::y"
        );
        assert_eq!(text("::error::x"), ": :error::x");
        assert_eq!(text("  ::error::x"), "  : :error::x");
        assert_eq!(
            text("a ##[add-mask]b ##vso[task.setvariable]"),
            "a # #[add-mask]b # #vso[task.setvariable]"
        );
        assert_eq!(text("\u{1b}[2J\u{202E}abc\u{7f}\u{9b}"), "abc");
        assert_eq!(text("a\u{1b}]0;title\u{7}b\u{1b}[1;31mc"), "abc");
        assert_eq!(text_capped("abcdef", 3), "abc…");
        assert_eq!(text_capped("abc", 3), "abc");
        // The cap holds after `##[` is broken (it grows by one character).
        assert_eq!(text_capped("ab##[cd", 6), "ab# #[…");
        assert_eq!(text_capped(&"##[".repeat(200), 300).chars().count(), 301);
    }

    #[test]
    fn lines_keep_colour_and_breaks() {
        assert_eq!(
            lines("\u{1b}[1mok\u{1b}[0m\n::add-mask::x\n\tz\u{7}\u{1b}]0;title\u{7}"),
            "\u{1b}[1mok\u{1b}[0m\n: :add-mask::x\n\tz]0;title"
        );
    }

    #[test]
    fn json_values_survive() {
        let v = serde_json::json!({"name": "##[add-mask]x ##vso[y]\n::z"});
        let s = json(&v).expect("json");
        assert!(!s.contains("##["), "{s}");
        assert!(!s.contains("##vso["), "{s}");
        assert!(s.lines().all(|l| !l.trim_start().starts_with("::")), "{s}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&s).expect("parse"),
            v
        );
    }
}
