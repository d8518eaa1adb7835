//! `--log FILE`: one JSON object per request (arrival time, method, path, the
//! query with only known-harmless values, route, status, duration, the
//! principal and the error code). Built from what the emulator decided,
//! never from headers or bodies, so no secret or token can reach it.

use crate::RequestRecord;
use crate::state::{lock, rfc3339};
use anyhow::{Context as _, bail};
use serde_json::json;
use std::io::Write as _;
use std::path::Path;
use std::sync::Mutex;

/// Query parameters whose values are ids, versions and filters; any other
/// parameter's value is replaced by `REDACTED`.
const SHOWN: [&str; 9] = [
    "api-version",
    "$filter",
    "$select",
    "$top",
    "$expand",
    "$orderby",
    "$count",
    "audience",
    "authorization_endpoint",
];

pub struct RequestLog {
    file: Mutex<std::fs::File>,
}

impl RequestLog {
    /// Opens `path` for appending (created with mode 0600).
    pub fn open(path: &Path) -> anyhow::Result<RequestLog> {
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            bail!(
                "{} is not a regular file: give --log a file path",
                path.display()
            );
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let file = opts
            .open(path)
            .with_context(|| format!("could not open the request log {}", path.display()))?;
        Ok(RequestLog {
            file: Mutex::new(file),
        })
    }

    /// Appends one line; a full disk does not take the emulator down.
    pub fn write(&self, r: &RequestRecord, query: Option<&str>) {
        let duration = r.finished.saturating_duration_since(r.started);
        // When it arrived, to the millisecond: benchmarks line requests up.
        let arrived = time::OffsetDateTime::now_utc() - r.started.elapsed();
        let line = json!({
            "time": format!(
                "{}.{:03}Z",
                rfc3339(arrived).trim_end_matches('Z'),
                arrived.millisecond()
            ),
            "method": r.method,
            "path": r.path,
            "query": query.map(redact),
            "route": r.route.name(),
            "status": r.status,
            "duration_ms": (duration.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0,
            "principal": r.principal,
            "error": r.error,
        });
        let mut f = lock(&self.file);
        let _ = writeln!(f, "{line}");
    }
}

/// `a=1&client_secret=x` -> `a=1&client_secret=REDACTED` (names kept, as sent).
pub fn redact(query: &str) -> String {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = crate::http::decode_pairs(name)
                .pop()
                .map(|(k, _)| k)
                .unwrap_or_default();
            if SHOWN.iter().any(|s| s.eq_ignore_ascii_case(&decoded)) {
                pair.to_owned()
            } else {
                format!("{name}=REDACTED")
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_parameters_keep_their_values() {
        assert_eq!(
            redact("api-version=2022-12-01&%24filter=atScope()&code=abc&token"),
            "api-version=2022-12-01&%24filter=atScope()&code=REDACTED&token=REDACTED"
        );
    }
}
