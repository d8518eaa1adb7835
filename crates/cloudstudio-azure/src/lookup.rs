//! Where `cloudstudio.yml` is looked for (the directories from the current
//! one up to the repository or workdir root), and where its branch rules
//! are in its text (`explain` cites the line).

use std::path::{Path, PathBuf};

/// The lines holding a `match:` key (block `- match: x` or flow
/// `- { match: x, ... }`), in order: each rule has exactly one.
pub fn match_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.split('#').next().unwrap_or("");
            let l = l.trim_start().trim_start_matches('-').trim_start();
            let l = l.trim_start_matches('{').trim_start();
            l.starts_with("match:") || l.starts_with("\"match\":") || l.starts_with("match :")
        })
        .map(|(n, _)| n + 1)
        .collect()
}

/// `cwd` and its parents up to the repository root (the nearest holding
/// `.git`), else up to the workdir root (the nearest holding `azure/`),
/// inclusive; all of them when there is neither.
pub fn search_dirs(cwd: &Path) -> Vec<PathBuf> {
    let stop = cwd
        .ancestors()
        .find(|d| d.join(".git").exists())
        .or_else(|| cwd.ancestors().find(|d| d.join("azure").is_dir()));
    let mut dirs = Vec::new();
    for dir in cwd.ancestors() {
        dirs.push(dir.to_path_buf());
        if Some(dir) == stop {
            break;
        }
    }
    dirs
}
