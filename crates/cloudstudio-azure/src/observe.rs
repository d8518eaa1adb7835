//! How the middle of the pipeline (resolution, verification) reports what
//! happens while it happens, without printing: the edge (`ui`) decides what
//! a secret mask or a `-v` line looks like, and where it goes.

use crate::secret::Secret;

pub trait Observe: Send + Sync {
    /// A secret obtained on the way (a derived token): mask it now, before
    /// anything else is printed.
    fn secret(&self, secret: &Secret);
    /// Whether `-v` lines are wanted, so callers skip building them.
    fn verbose(&self) -> bool;
    /// One `-v` line: an HTTP request or an `az` call, with its duration.
    /// Never a secret, never a query string.
    fn debug(&self, line: &str);
}
