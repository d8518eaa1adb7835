//! The source tree's shape, kept by CI: no import cycle between files,
//! only `commands/` and `main.rs` know the command line, resolution never
//! imports verification, and no file grows
//! past 500 lines. (Functions stay under 80 lines by clippy's
//! `too_many_lines`, see `clippy.toml`.)
//!
//! The import graph: every `crate::`, `super::` and `self::` path in a
//! file's code (not its comments or unit tests), mapped to the file that
//! defines the path's longest module prefix (`a/b.rs` or `a/b/mod.rs`). An
//! item a `mod.rs` re-exports therefore counts as an import of that
//! `mod.rs`, so a child using its parent's re-exports closes a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Module path (`["verify", "http"]`) -> file (`verify/http.rs`).
type Files = BTreeMap<Vec<String>, String>;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn files() -> Files {
    let mut out = Files::new();
    let mut stack = vec![src()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(src()).expect("under src");
                let rel = rel.to_string_lossy().replace('\\', "/");
                let mut module: Vec<String> = rel
                    .trim_end_matches(".rs")
                    .split('/')
                    .map(str::to_owned)
                    .collect();
                if module.last().is_some_and(|m| m == "mod" || m == "main") {
                    module.pop();
                }
                out.insert(module, rel);
            }
        }
    }
    out
}

/// The file's code: no comments, no `#[cfg(test)] mod tests`.
fn code(rel: &str) -> String {
    let text = std::fs::read_to_string(src().join(rel)).expect("read file");
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| l.find("//").map_or(l, |i| &l[..i]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every module path the code names: `crate::a::b`, `super::x`, a child
/// module's `child::y` (Rust 2018 relative paths), and the members of
/// `use crate::a::{b, c::d}` groups.
fn paths(code: &str, children: &[String]) -> Vec<(String, Vec<String>)> {
    let tokens: Vec<String> = code
        .split(|c: char| {
            !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{' || c == '}' || c == ',')
        })
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let mut out = Vec::new();
    let joined = tokens.join(" ");
    let roots = ["crate", "super", "self"]
        .into_iter()
        .map(str::to_owned)
        .chain(children.iter().cloned());
    for root in roots {
        let marker = format!("{root}::");
        let mut rest = joined.as_str();
        while let Some(i) = rest.find(&marker) {
            // Part of a longer name or path (`my_crate::`, `a::crate::`).
            let inside = rest[..i]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            rest = &rest[i..];
            let end = rest.find([' ', ';']).unwrap_or(rest.len());
            let path = &rest[..end];
            rest = &rest[end..];
            if !inside {
                out.extend(expand(path));
            }
        }
    }
    out
}

/// `crate::a::{b, c::d}` -> `(crate, [a, b])`, `(crate, [a, c, d])`.
fn expand(path: &str) -> Vec<(String, Vec<String>)> {
    let (head, group) = match path.find("::{") {
        Some(i) => (&path[..i], Some(path[i + 3..].trim_end_matches('}'))),
        None => (path, None),
    };
    let mut segs: Vec<String> = head.split("::").map(str::to_owned).collect();
    let root = segs.remove(0);
    match group {
        None => vec![(root, segs)],
        Some(g) => g
            .split(',')
            .map(|m| {
                let mut s = segs.clone();
                s.extend(
                    m.split("::")
                        .map(|x| x.trim_matches(['{', '}']))
                        .filter(|x| !x.is_empty() && *x != "self" && *x != "*")
                        .map(str::to_owned),
                );
                (root.clone(), s)
            })
            .collect(),
    }
}

/// file -> the files it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let files = files();
    let mut graph = BTreeMap::new();
    for (module, rel) in &files {
        let children: Vec<String> = files
            .keys()
            .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
            .map(|m| m[module.len()].clone())
            .collect();
        let mut targets = BTreeSet::new();
        for (root, segs) in paths(&code(rel), &children) {
            let mut full: Vec<String> = match root.as_str() {
                "crate" => Vec::new(),
                "super" => module[..module.len().saturating_sub(1)].to_vec(),
                "self" => module.clone(),
                child => [module.as_slice(), &[child.to_owned()]].concat(),
            };
            full.extend(segs);
            let target = (0..=full.len()).rev().find_map(|n| files.get(&full[..n]));
            if let Some(t) = target.filter(|t| *t != rel) {
                targets.insert(t.clone());
            }
        }
        graph.insert(rel.clone(), targets);
    }
    graph
}

fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        stack.push(n.to_owned());
        for t in graph.get(n).into_iter().flatten() {
            if let Some(i) = stack.iter().position(|s| s == t) {
                let mut cycle = stack[i..].to_vec();
                cycle.push(t.clone());
                found.push(cycle);
            } else if !done.contains(t) {
                visit(t, graph, stack, done, found);
            }
        }
        stack.pop();
        done.insert(n.to_owned());
    }
    let (mut stack, mut done, mut found) = (Vec::new(), BTreeSet::new(), Vec::new());
    for n in graph.keys() {
        if !done.contains(n) {
            visit(n, graph, &mut stack, &mut done, &mut found);
        }
    }
    found
}

#[test]
fn no_import_cycle_between_files() {
    let graph = graph();
    assert!(graph.len() > 40, "read the source tree: {:?}", graph.keys());
    // The graph is real: the pipeline's edges are there.
    for (from, to) in [
        ("commands/ctx.rs", "verify/mod.rs"),
        ("workdir/apply.rs", "plan.rs"),
        ("plan.rs", "workdir/format.rs"),
        ("error.rs", "resolve/mod.rs"),
    ] {
        assert!(
            graph[from].contains(to),
            "{from} -> {to}: {:?}",
            graph[from]
        );
    }
    let cycles = cycles(&graph);
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

#[test]
fn the_command_line_is_known_only_to_commands_and_main() {
    let importers: Vec<String> = graph()
        .into_iter()
        .filter(|(_, to)| to.contains("cli.rs"))
        .map(|(from, _)| from)
        .filter(|f| f != "main.rs" && !f.starts_with("commands/"))
        .collect();
    assert!(importers.is_empty(), "cli imported by {importers:?}");
}

/// The pipeline runs one way: resolution decides, verification calls
/// Azure. A source whose token is an HTTP request (the managed identity)
/// hands the request back to its caller instead of importing verify's
/// client.
#[test]
fn resolution_never_imports_verification() {
    let importers: Vec<(String, Vec<String>)> = graph()
        .into_iter()
        .filter(|(from, _)| from.starts_with("resolve/"))
        .map(|(from, to)| {
            let v: Vec<String> = to
                .into_iter()
                .filter(|t| t.starts_with("verify/"))
                .collect();
            (from, v)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    assert!(
        importers.is_empty(),
        "resolve imports verify: {importers:?}"
    );
}

#[test]
fn no_file_over_500_lines() {
    let long: Vec<(String, usize)> = files()
        .into_values()
        .map(|rel| {
            let n = std::fs::read_to_string(src().join(&rel))
                .expect("read")
                .lines()
                .count();
            (rel, n)
        })
        .filter(|(_, n)| *n > 500)
        .collect();
    assert!(long.is_empty(), "files over 500 lines: {long:?}");
}
