//! A secret value that cannot be printed by accident.
//!
//! `Debug` and `Display` both print `***`; the only way to the value is
//! [`Secret::expose`], which is easy to grep for in review.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// What trimming a raw secret did, so the caller can warn about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trimmed {
    No,
    Yes,
}

impl Secret {
    /// Trims surrounding whitespace (GitHub secrets pasted with a trailing
    /// newline are the classic case). `None` when nothing is left.
    pub fn parse(raw: &str) -> Option<(Secret, Trimmed)> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return None;
        }
        let t = if trimmed.len() == raw.len() {
            Trimmed::No
        } else {
            Trimmed::Yes
        };
        Some((Secret(trimmed.to_owned()), t))
    }

    /// A secret taken verbatim (tokens issued by a service).
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The value. Call only where the secret must leave the process on purpose:
    /// the token request body, the secret file, `GITHUB_ENV`, `env`.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let (s, t) = Secret::parse("  hunter2\r\n").expect("non-empty");
        assert_eq!(t, Trimmed::Yes);
        assert_eq!(s.expose(), "hunter2");
        assert!(!format!("{s:?} {s} {s:#?}").contains("hunter2"));
    }

    #[test]
    fn blank_is_absent() {
        assert!(Secret::parse(" \n\t").is_none());
    }
}
