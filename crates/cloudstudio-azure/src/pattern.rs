//! Branch patterns in `cloudstudio.yml`, with GitHub's branch-filter rules.

use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Deserializer};

/// A GitHub branch filter: `*` any run of characters but `/`, `**` anything
/// including `/`, `?` one character but `/`, `[...]` a class.
#[derive(Debug, Clone)]
pub struct BranchPattern {
    pub source: String,
    matcher: GlobMatcher,
}

impl BranchPattern {
    pub fn new(pattern: &str) -> Result<BranchPattern, String> {
        let glob = GlobBuilder::new(&to_globset_syntax(pattern))
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("invalid branch pattern `{pattern}`: {}", e.kind()))?;
        Ok(BranchPattern {
            source: pattern.to_owned(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, branch: &str) -> bool {
        self.matcher.is_match(branch)
    }
}

/// globset only treats `**` as "crosses `/`" when it is a whole path
/// component; GitHub also allows it inside one (`releases/**-alpha`). Such a
/// `**` becomes `{*,*/**/*}` (within a component, or across components).
/// Braces are literal in GitHub filters, so they are escaped.
fn to_globset_syntax(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            // An escaped character stays escaped, whatever it is.
            '\\' if i + 1 < chars.len() => {
                out.push(c);
                out.push(chars[i + 1]);
                i += 2;
            }
            // A class is copied as is: `*` and braces mean nothing inside it.
            // A `]` right after `[` or `[!` is a member, not the end.
            '[' => {
                let mut j = i + 1;
                if chars.get(j) == Some(&'!') {
                    j += 1;
                }
                if chars.get(j) == Some(&']') {
                    j += 1;
                }
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                let end = (j + 1).min(chars.len());
                out.extend(&chars[i..end]);
                i = end;
            }
            '*' if chars.get(i + 1) == Some(&'*') => {
                let mut j = i;
                while j < chars.len() && chars[j] == '*' {
                    j += 1;
                }
                let before_ok = i == 0 || chars[i - 1] == '/';
                let after_ok = j == chars.len() || chars[j] == '/';
                out.push_str(match (before_ok, after_ok) {
                    (true, true) => "**",
                    (true, false) => "{*,**/*}",
                    (false, true) => "{*,*/**}",
                    (false, false) => "{*,*/**/*}",
                });
                i = j;
            }
            '{' | '}' => {
                out.push('\\');
                out.push(c);
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

impl<'de> Deserialize<'de> for BranchPattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BranchPattern::new(&s).map_err(serde::de::Error::custom)
    }
}
