//! The verification report: one result per [`Check`], in a fixed order,
//! plus the warnings the caller prints. Checks are an enum: a misspelt
//! check does not compile.

use serde::Serialize;

/// The checks, in the order they run and are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    Token,
    Subscription,
    Tenant,
    Role,
}

impl Check {
    pub const ALL: [Check; 4] = [
        Check::Token,
        Check::Subscription,
        Check::Tenant,
        Check::Role,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::Token => "token",
            Check::Subscription => "subscription",
            Check::Tenant => "tenant",
            Check::Role => "role",
        }
    }
}

pub use crate::observe::CheckStatus;

/// One line of the report (`--output json`: `{name, status, detail, fix}`).
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    #[serde(rename = "name")]
    pub check: Check,
    pub status: CheckStatus,
    pub detail: String,
    /// What to do about a failure or warning.
    pub fix: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Report {
    results: Vec<CheckResult>,
    /// For the caller to print (verification prints nothing itself).
    pub warnings: Vec<String>,
    /// How many checks, in order, were handed to the observer already.
    emitted: usize,
}

pub const EARLIER_FAILED: &str = "not checked: an earlier check failed";

impl Default for Report {
    fn default() -> Self {
        Report {
            results: Check::ALL
                .iter()
                .map(|&check| CheckResult {
                    check,
                    status: CheckStatus::Skip,
                    detail: EARLIER_FAILED.into(),
                    fix: None,
                })
                .collect(),
            warnings: Vec::new(),
            emitted: 0,
        }
    }
}

impl Report {
    pub fn results(&self) -> &[CheckResult] {
        &self.results
    }

    pub fn results_mut(&mut self) -> impl Iterator<Item = &mut CheckResult> {
        self.results.iter_mut()
    }

    pub fn set(
        &mut self,
        check: Check,
        status: CheckStatus,
        detail: impl Into<String>,
        fix: Option<String>,
    ) {
        if let Some(r) = self.results.iter_mut().find(|r| r.check == check) {
            r.status = status;
            r.detail = detail.into();
            r.fix = fix;
        }
    }

    pub fn pass(&mut self, check: Check, detail: impl Into<String>) {
        self.set(check, CheckStatus::Pass, detail, None);
    }

    pub fn fail(&mut self, check: Check, detail: impl Into<String>, fix: Option<String>) {
        self.set(check, CheckStatus::Fail, detail, fix);
    }

    pub fn skip(&mut self, check: Check, detail: impl Into<String>) {
        self.set(check, CheckStatus::Skip, detail, None);
    }

    /// Hands every check up to and including `upto` that was not handed
    /// over yet to `observe`, in order (live output).
    pub fn emit_upto(&mut self, upto: Check, observe: &dyn crate::observe::Observe) {
        let end = Check::ALL
            .iter()
            .position(|&c| c == upto)
            .map_or(0, |i| i + 1);
        for r in self.results.iter().take(end).skip(self.emitted) {
            observe.check(r.status, r.check.name(), &r.detail, r.fix.as_deref());
        }
        self.emitted = self.emitted.max(end);
    }

    pub fn passed(&self) -> bool {
        self.first_failure().is_none()
    }

    pub fn first_failure(&self) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.status == CheckStatus::Fail)
    }

    pub fn has_warnings(&self) -> bool {
        self.results.iter().any(|r| r.status == CheckStatus::Warn)
    }
}

/// One check for people: the mark, the name, the detail; under it the fix,
/// one line per step, aligned.
pub fn render_check(
    status: CheckStatus,
    name: &str,
    detail: &str,
    fix: Option<&str>,
    mark: &dyn Fn(CheckStatus, &str) -> String,
) -> String {
    let m = match status {
        CheckStatus::Pass => "✓",
        CheckStatus::Warn => "!",
        CheckStatus::Fail => "✗",
        CheckStatus::Skip => "-",
    };
    let mut out = format!("{} {name:<13}{detail}\n", mark(status, m));
    for (i, line) in fix.unwrap_or_default().lines().enumerate() {
        let lead = if i == 0 { "fix: " } else { "     " };
        out.push_str(&format!("  {:<13}{lead}{line}\n", ""));
    }
    out
}
