//! How the middle of the pipeline (resolution, verification) reports what
//! happens while it happens, without printing: the edge (`ui`) decides what
//! a secret mask or a `-v` line looks like, and where it goes.

use crate::secret::Secret;
use serde::Serialize;

/// How a verification check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Not run because an earlier check failed, or not asked for.
    Skip,
}

pub trait Observe: Send + Sync {
    /// A secret obtained on the way (a derived token): mask it now, before
    /// anything else is printed.
    fn secret(&self, secret: &Secret);
    /// Whether `-v` lines are wanted, so callers skip building them.
    fn verbose(&self) -> bool;
    /// One `-v` line: an HTTP request or an `az` call, with its duration.
    /// Never a secret, never a query string.
    fn debug(&self, line: &str);
    /// A check completed: shown at once, not when the whole run ends, so a
    /// later hang or deadline does not hide what had passed.
    fn check(&self, _status: CheckStatus, _name: &str, _detail: &str, _fix: Option<&str>) {}
    /// The step in progress ("waiting for `az`"): a transient status line
    /// on a terminal, nothing otherwise; `""` when the step is over.
    fn status(&self, _line: &str) {}
    /// A wait worth knowing about (a retry, Retry-After): the status line
    /// on a terminal, a plain line otherwise.
    fn waiting(&self, _line: &str) {}
}
