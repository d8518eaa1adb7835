//! The OData `$filter` clauses Graph clients send for directory lookups,
//! joined by `and`: `prop eq 'v'`, `startswith(prop,'v')` and
//! `prop/any(c:c eq 'v')`. String comparisons ignore case, as Graph's do.

use serde_json::Value;

#[derive(Debug, PartialEq, Eq)]
pub enum Clause {
    Eq(String, String),
    StartsWith(String, String),
    AnyEq(String, String),
}

/// The clauses, or `None` for anything else.
pub fn parse(filter: &str) -> Option<Vec<Clause>> {
    split_and(filter.trim()).into_iter().map(clause).collect()
}

fn clause(c: &str) -> Option<Clause> {
    let c = c.trim();
    let lower = c.to_ascii_lowercase();
    if lower.starts_with("startswith(") {
        let inner = c[11..].strip_suffix(')')?;
        let (prop, value) = inner.split_once(',')?;
        return Some(Clause::StartsWith(prop.trim().to_owned(), literal(value)?));
    }
    if let Some(i) = lower.find("/any(") {
        // `servicePrincipalNames/any(c:c eq 'x')`
        let prop = c[..i].trim().to_owned();
        let inner = c[i + 5..].strip_suffix(')')?;
        let (var, cond) = inner.split_once(':')?;
        let (lhs, value) = split_eq(cond)?;
        if lhs.trim() != var.trim() {
            return None;
        }
        return Some(Clause::AnyEq(prop, literal(value)?));
    }
    let (prop, value) = split_eq(c)?;
    let prop = prop.trim();
    if prop.is_empty() || prop.contains(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')) {
        return None;
    }
    Some(Clause::Eq(prop.to_owned(), literal(value)?))
}

/// `a eq b` -> (`a`, `b`), `eq` in any case.
fn split_eq(s: &str) -> Option<(&str, &str)> {
    let i = s.to_ascii_lowercase().find(" eq ")?;
    Some((&s[..i], &s[i + 4..]))
}

/// `'it''s'` -> `it's`.
fn literal(s: &str) -> Option<String> {
    let inner = s.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

fn split_and(filter: &str) -> Vec<&str> {
    // ` and ` outside quotes only.
    let bytes = filter.as_bytes();
    let (mut out, mut start, mut quoted, mut i) = (Vec::new(), 0, false, 0);
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted
            && filter
                .get(i..i + 5)
                .is_some_and(|w| w.eq_ignore_ascii_case(" and "))
        {
            out.push(&filter[start..i]);
            start = i + 5;
            i += 5;
            continue;
        }
        i += 1;
    }
    out.push(&filter[start..]);
    out
}

/// Whether `obj` satisfies every clause.
pub fn matches(clauses: &[Clause], obj: &Value) -> bool {
    clauses.iter().all(|c| {
        let field = |p: &str| {
            obj.as_object().and_then(|o| {
                o.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(p))
                    .map(|(_, v)| v)
            })
        };
        match c {
            Clause::Eq(p, v) => field(p)
                .and_then(Value::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case(v)),
            Clause::StartsWith(p, v) => field(p)
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase().starts_with(&v.to_lowercase())),
            Clause::AnyEq(p, v) => field(p).and_then(Value::as_array).is_some_and(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .any(|s| s.eq_ignore_ascii_case(v))
            }),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_clients_send() {
        assert_eq!(
            parse("appId eq 'a1'"),
            Some(vec![Clause::Eq("appId".into(), "a1".into())])
        );
        assert_eq!(
            parse("servicePrincipalNames/any(c:c eq 'x')"),
            Some(vec![Clause::AnyEq(
                "servicePrincipalNames".into(),
                "x".into()
            )])
        );
        assert_eq!(
            parse("startswith(displayName,'ci-') and displayName eq 'it''s and more'"),
            Some(vec![
                Clause::StartsWith("displayName".into(), "ci-".into()),
                Clause::Eq("displayName".into(), "it's and more".into())
            ])
        );
        assert_eq!(parse("appId eq a1"), None);
        assert_eq!(parse("appId ne 'a1'"), None);
    }

    #[test]
    fn matches_case_insensitively() {
        let obj = json!({"displayName": "CI-Deployer", "servicePrincipalNames": ["A1"]});
        assert!(matches(
            &parse("displayname eq 'ci-deployer'").expect("f"),
            &obj
        ));
        assert!(matches(
            &parse("startswith(displayName,'ci')").expect("f"),
            &obj
        ));
        assert!(matches(
            &parse("servicePrincipalNames/any(c:c eq 'a1')").expect("f"),
            &obj
        ));
        assert!(!matches(&parse("displayName eq 'other'").expect("f"), &obj));
    }
}
