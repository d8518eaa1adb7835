#!/usr/bin/env python3
"""The file-level import graph of a crate's src/ (every `crate::`, `super::`
and `self::` path, in `use` lines and in code), and its cycles.

Usage: import-cycles.py SRC_DIR [--forbid MODULE --except PREFIX...]

Each path is mapped to the file that defines its longest module prefix
(`a/b.rs` or `a/b/mod.rs`), so an item re-exported by a `mod.rs` counts as
an import of that `mod.rs`. A parent declaring its children (`mod x;`) is
ownership, not an import. Exits 1 when a cycle exists (or a forbidden
import is found), printing them.
"""
import os
import re
import sys

src = os.path.abspath(sys.argv[1])
forbid = None
allowed = []
if "--forbid" in sys.argv:
    i = sys.argv.index("--forbid")
    forbid = sys.argv[i + 1]
    allowed = sys.argv[i + 3:] if "--except" in sys.argv else []

files = {}
for root, _, names in os.walk(src):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.join(root, n)
            rel = os.path.relpath(p, src)
            parts = rel[:-3].split(os.sep)
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts in (["main"], ["lib"]):
                parts = []
            files[tuple(parts)] = rel


def module_file(path):
    """The file of the longest existing module prefix of `path`."""
    for n in range(len(path), -1, -1):
        if tuple(path[:n]) in files:
            return files[tuple(path[:n])]
    return None


def strip_tests(text):
    """Code only: no unit tests (they import `super::*`), no comments."""
    i = text.find("#[cfg(test)]\nmod tests")
    text = text if i < 0 else text[:i]
    return "\n".join(re.sub(r"//.*", "", line) for line in text.split("\n"))


PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP = re.compile(r"use\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\};", re.S)

edges = {}
for mod, rel in files.items():
    text = strip_tests(open(os.path.join(src, rel)).read())
    targets = set()

    def add(kind, segs):
        # `super` of the module `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
        base = {"crate": [], "super": list(mod[:-1]), "self": list(mod)}[kind]
        target = module_file(base + segs)
        if target and target != rel:
            targets.add(target)

    for m in USE_GROUP.finditer(text):
        prefix = [s for s in m.group(2).split("::") if s]
        for item in re.split(r",", m.group(3)):
            item = item.strip().split(" as ")[0].strip()
            if not item or item == "self":
                add(m.group(1), prefix)
                continue
            segs = [s for s in re.split(r"::|\{|\}", item) if s and s != "*"]
            add(m.group(1), prefix + segs)
    for m in PATH.finditer(text):
        segs = [s for s in m.group(2).split("::") if s]
        add(m.group(1), segs)
    edges[rel] = targets

# A parent's `pub use` of a child is an import of the child, so a child
# importing its parent's re-exports closes a cycle, as it should.
cycles = []
state = {}
stack = []


def visit(n):
    state[n] = 1
    stack.append(n)
    for t in sorted(edges.get(n, ())):
        if state.get(t) == 1:
            cycles.append(stack[stack.index(t):] + [t])
        elif t not in state:
            visit(t)
    stack.pop()
    state[n] = 2


for n in sorted(edges):
    if n not in state:
        visit(n)

status = 0
print(f"{len(files)} files, {sum(len(v) for v in edges.values())} import edges")
if cycles:
    status = 1
    for c in cycles:
        print("cycle: " + " -> ".join(c))
else:
    print("no import cycle between files")
if forbid:
    bad = [
        f
        for f, ts in sorted(edges.items())
        if any(t in (forbid + ".rs", forbid + "/mod.rs") for t in ts)
        and not any(f == a or f.startswith(a.rstrip("/") + "/") for a in allowed)
    ]
    if bad:
        status = 1
        print(f"files importing `{forbid}` outside {allowed}: {bad}")
    else:
        print(f"only {allowed} import `{forbid}`")
sys.exit(status)
