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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    /// Not run because an earlier check failed, or not asked for.
    Skip,
}

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

    pub fn passed(&self) -> bool {
        self.first_failure().is_none()
    }

    pub fn first_failure(&self) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.status == CheckStatus::Fail)
    }

    pub fn has_warnings(&self) -> bool {
        self.results.iter().any(|r| r.status == CheckStatus::Warn)
    }

    /// One line per check, with a `fix:` line under failures and warnings.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for r in &self.results {
            let mark = match r.status {
                CheckStatus::Pass => "✓",
                CheckStatus::Warn => "!",
                CheckStatus::Fail => "✗",
                CheckStatus::Skip => "-",
            };
            out.push_str(&format!("{mark} {:<13}{}\n", r.check.name(), r.detail));
            if let Some(fix) = &r.fix {
                out.push_str(&format!("  {:<13}fix: {fix}\n", ""));
            }
        }
        out
    }
}
