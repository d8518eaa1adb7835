//! The `az login` session: exactly one `az account get-access-token
//! --output json` process, whose output carries the token, the subscription
//! and the tenant. Killed when it outlives `--az-timeout`; `-v` shows it
//! with its duration.

use super::credentials::{Auth, Credentials, SourceKind};
use super::error::ResolveError;
use crate::ids::{is_guid, is_tenant};
use crate::observe::Observe;
use crate::secret::Secret;
use serde::Deserialize;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use tokio::process::Command;

pub enum Session {
    Found(Credentials),
    /// Not installed or not logged in: the run has no credentials at all.
    Unavailable(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenOutput {
    access_token: Option<String>,
    subscription: Option<String>,
    tenant: Option<String>,
}

/// The Resource Manager the token is for, and how to point `az` at its
/// cloud when the session is logged in to another one.
pub struct AzCloud<'a> {
    pub resource: &'a str,
    pub set_cloud: &'a str,
}

pub async fn run(
    program: &str,
    timeout: Duration,
    subscription: Option<&str>,
    cloud: Option<&AzCloud<'_>>,
    observe: &dyn Observe,
) -> Result<Session, ResolveError> {
    let mut args = vec!["account", "get-access-token", "--output", "json"];
    // The token must be for the selected cloud's Resource Manager, not for
    // whatever cloud `az` happens to be set to.
    if let Some(c) = cloud {
        args.extend(["--resource", c.resource]);
    }
    if let Some(s) = subscription {
        args.extend(["--subscription", s]);
    }
    let started = Instant::now();
    observe.status(&format!(
        "waiting for `az account get-access-token` (up to {} s)",
        timeout.as_secs()
    ));
    let output = execute(program, &args, timeout, observe).await;
    observe.status("");
    let output = match output {
        Ok(Some(output)) => output,
        Ok(None) => {
            return Ok(Session::Unavailable(
                "the Azure CLI (`az`) is not installed or not on PATH".into(),
            ));
        }
        Err(e) => {
            if observe.verbose() {
                observe.debug(&format!(
                    "{program} {}: {e} after {}",
                    args.join(" "),
                    ms(started)
                ));
            }
            return Err(e);
        }
    };
    if observe.verbose() {
        let status = output
            .status
            .code()
            .map_or_else(|| "killed by a signal".to_owned(), |c| format!("exit {c}"));
        observe.debug(&format!(
            "{program} {}: {status} in {}",
            args.join(" "),
            ms(started)
        ));
    }
    interpret(&output, cloud)
}

fn ms(started: Instant) -> String {
    format!("{} ms", started.elapsed().as_millis())
}

/// Runs `az` with a timeout; `Ok(None)` when it is not installed.
async fn execute(
    program: &str,
    args: &[&str],
    timeout: Duration,
    observe: &dyn Observe,
) -> Result<Option<Output>, ResolveError> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // The timeout drops the future, which must take the process with it.
        .kill_on_drop(true);
    // `az` is a shell wrapper around Python: its own group, so that a
    // timeout can stop the whole tree, not just the wrapper.
    #[cfg(unix)]
    cmd.process_group(0);
    let child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(ResolveError::AzOutput {
                problem: format!("`az` could not be started: {err}"),
            });
        }
    };
    let pid = child.id();
    match wait_saying_so(capture(child), timeout, observe).await {
        Ok(Ok(o)) => Ok(Some(o)),
        Ok(Err(err)) => {
            if let Some(pid) = pid {
                kill_group(pid);
            }
            Err(ResolveError::AzOutput {
                problem: format!("could not be read: {err}"),
            })
        }
        Err(_) => {
            if let Some(pid) = pid {
                kill_group(pid);
            }
            Err(ResolveError::AzTimeout {
                seconds: timeout.as_secs(),
            })
        }
    }
}

/// The token document is ~2 KiB; more than this is not `az` as we know it.
const STDOUT_MAX: usize = 1024 * 1024;
const STDERR_MAX: usize = 64 * 1024;

/// `az`'s output, each stream read with a cap. A stream past its cap ends
/// the wait at once (`try_join!`), and the caller stops the process.
async fn capture(mut child: tokio::process::Child) -> std::io::Result<Output> {
    async fn read(
        pipe: Option<impl tokio::io::AsyncRead + Unpin>,
        max: usize,
        name: &str,
    ) -> std::io::Result<Vec<u8>> {
        use tokio::io::AsyncReadExt;
        let mut buf = Vec::new();
        if let Some(p) = pipe {
            p.take(max as u64 + 1).read_to_end(&mut buf).await?;
        }
        if buf.len() > max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("more than {} KiB on {name}", max / 1024),
            ));
        }
        Ok(buf)
    }
    let (stdout, stderr) = tokio::try_join!(
        read(child.stdout.take(), STDOUT_MAX, "stdout"),
        read(child.stderr.take(), STDERR_MAX, "stderr")
    )?;
    let status = child.wait().await?;
    Ok(Output {
        status,
        stdout,
        stderr,
    })
}

/// Waits for `az` up to `timeout`; past a few seconds it says so (a plain
/// line without a terminal), so a slow `az` is not a silent one.
async fn wait_saying_so<T>(
    fut: impl std::future::Future<Output = T>,
    timeout: Duration,
    observe: &dyn Observe,
) -> Result<T, tokio::time::error::Elapsed> {
    const QUIET: Duration = Duration::from_secs(3);
    let started = Instant::now();
    tokio::pin!(fut);
    if timeout > QUIET {
        if let Ok(done) = tokio::time::timeout(QUIET, &mut fut).await {
            return Ok(done);
        }
        observe.waiting(&format!(
            "still waiting for `az account get-access-token` ({} s of at most {} s, --az-timeout)",
            QUIET.as_secs(),
            timeout.as_secs()
        ));
    }
    tokio::time::timeout(timeout.saturating_sub(started.elapsed()), fut).await
}

/// What `az`'s exit status and output mean.
fn interpret(output: &Output, cloud: Option<&AzCloud<'_>>) -> Result<Session, ResolveError> {
    let stderr = sanitize(&String::from_utf8_lossy(&output.stderr));
    if output.status.success() {
        return parse(&output.stdout).map(Session::Found);
    }
    let lower = stderr.to_ascii_lowercase();
    // AADSTS500011: the session's cloud does not know this Resource Manager.
    if let Some(c) = cloud
        && (lower.contains("aadsts500011") || lower.contains("resource principal named"))
    {
        return Err(ResolveError::AzCloud {
            resource: c.resource.to_owned(),
            set_cloud: c.set_cloud.to_owned(),
            stderr,
        });
    }
    if lower.contains("subscription") && lower.contains("not found") {
        return Err(ResolveError::Invalid {
            origin: "the `az login` session".into(),
            problem: format!("cannot use the targeted subscription: {stderr}"),
            hint: Some("`az account list` shows the subscriptions the session can use; `az login --tenant <tenant>` for another tenant's".into()),
        });
    }
    if lower.contains("az login") || lower.contains("not logged in") {
        return Ok(Session::Unavailable(format!(
            "the Azure CLI is not logged in (run `az login`): {stderr}"
        )));
    }
    Err(ResolveError::AzFailed {
        code: output
            .status
            .code()
            .map_or_else(|| "killed by a signal".into(), |c| c.to_string()),
        stderr,
    })
}

pub(super) fn parse(stdout: &[u8]) -> Result<Credentials, ResolveError> {
    let bad = |problem: &str| ResolveError::AzOutput {
        problem: problem.to_owned(),
    };
    let out: TokenOutput = serde_json::from_slice(stdout).map_err(|e| {
        bad(&format!(
            "not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })?;
    let token = out
        .access_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| bad("no accessToken"))?;
    let tenant = out
        .tenant
        .map(|t| t.trim().to_owned())
        .filter(|t| is_tenant(t))
        .ok_or_else(|| bad("no valid tenant"))?;
    let subscription = match out.subscription.map(|s| s.trim().to_ascii_lowercase()) {
        // `az login --allow-no-subscriptions` reports the tenant here.
        Some(s) if s == tenant.to_ascii_lowercase() => None,
        Some(s) if is_guid(&s) => Some(s),
        Some(_) => return Err(bad("subscription is not a GUID")),
        None => None,
    };
    Ok(Credentials {
        source: SourceKind::AzCli,
        client_id: None,
        tenant_id: tenant.to_ascii_lowercase(),
        subscription_id: subscription,
        auth: Auth::AzSession {
            access_token: Secret::new(token.trim().to_owned()),
        },
        arm_endpoint: None,
    })
}

/// `az`'s stderr, safe to show ([`crate::untrusted::text`]: no control
/// characters or ANSI colour), with no token-looking strings, whitespace
/// runs collapsed, at most 1,000 characters.
pub fn sanitize(text: &str) -> String {
    let flat = crate::untrusted::text_capped(text, usize::MAX);
    let joined = mask_jwts(&flat)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    crate::untrusted::text_capped(&joined, 1000)
}

/// SIGKILL to the process group `az` leads (no `unsafe` here: the `kill`
/// utility does it). Best effort: the wrapper itself is killed on drop.
fn kill_group(pid: u32) {
    #[cfg(unix)]
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    #[cfg(not(unix))]
    let _ = pid;
}

/// Replaces anything shaped like a JWT (`eyJ` then base64url and dots),
/// wherever it stands in a word (quoted, after `=`, ...).
fn mask_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("eyJ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
            .unwrap_or(tail.len());
        if end > 20 {
            out.push_str("***");
        } else {
            out.push_str(&tail[..end]);
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes() {
        let s = sanitize(
            "\u{1b}[31mERROR:\u{1b}[0m token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.sig\r\nline2\u{7}",
        );
        assert_eq!(s, "ERROR: token *** line2");
    }

    #[test]
    fn parses_session() {
        let c = parse(br#"{"accessToken":"tok","expiresOn":"2024-01-01 00:00:00.000000","expires_on":1700000000,"subscription":"11111111-1111-1111-1111-111111111111","tenant":"22222222-2222-2222-2222-222222222222","tokenType":"Bearer"}"#).expect("valid");
        assert_eq!(
            c.subscription_id.as_deref(),
            Some("11111111-1111-1111-1111-111111111111")
        );
        assert!(matches!(c.auth, Auth::AzSession { .. }));
        assert!(parse(b"{}").is_err());
    }
}
