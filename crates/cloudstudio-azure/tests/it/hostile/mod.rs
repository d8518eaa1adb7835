//! Hostile servers, inputs and branch names (issue 9), each through the
//! binary: `replies` (oversized and endless replies, service text carrying
//! workflow commands, `--output json` in Actions), `inputs` (special files,
//! size caps, non-UTF-8 variables, durations), `workdir` (lock wait and
//! timeout, symlinked or open secrets folders), `branches` (fork pull
//! requests).

mod branches;
mod inputs;
mod replies;
mod workdir;

/// Whether any line of `text` would be run by a CI log reader as a command
/// the tool did not mean: `::` at the start (after spaces) other than the
/// tool's own masks and annotations, or `##[` / `##vso[` anywhere.
#[track_caller]
pub fn assert_no_forged_commands(text: &str) {
    for line in text.lines() {
        let t = line.trim_start();
        let ours = ["::add-mask::", "::error title=", "::warning title="]
            .iter()
            .any(|p| t.starts_with(p));
        assert!(
            !t.starts_with("::") || ours,
            "forged workflow command: {line:?}\nin:\n{text}"
        );
        assert!(
            !line.contains("##[") && !line.contains("##vso["),
            "forged logging command: {line:?}\nin:\n{text}"
        );
        assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "control character in: {line:?}"
        );
    }
}

/// The tool's own annotations carry the message in escaped data: a forged
/// command inside must not have become a line of its own. `spoof` is the
/// text after the injected newline.
#[track_caller]
pub fn assert_not_a_line(text: &str, spoof: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with(spoof),
            "{spoof:?} became its own line: {line:?}"
        );
    }
}
