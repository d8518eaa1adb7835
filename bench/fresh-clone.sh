#!/usr/bin/env bash
# The README's first command on a fresh clone: `git clone` of this
# repository, then `cargo run --release -- demo` with an empty target
# directory (CARGO_TARGET_DIR unset). The crate registry (~/.cargo/registry)
# is whatever this machine has: warm after any earlier build, so crate
# downloads are not in the number. PROFILES="release dist" also times the
# releases' profile (fat LTO, one codegen unit), which `release` used to be.
# Rewrites the "fresh-clone" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
# shellcheck source=bench/lib.sh
source bench/lib.sh
about="$(machine)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

rows=""
for profile in ${PROFILES:-release}; do
  rm -rf "$tmp/repo"
  t0="$(date +%s)"
  git clone -q "$root" "$tmp/repo"
  flag="--release"
  [ "$profile" = release ] || flag="--profile=$profile"
  (cd "$tmp/repo" && env -u CARGO_TARGET_DIR cargo run "$flag" --locked -- demo >"$tmp/demo.log" 2>&1) ||
    { cat "$tmp/demo.log"; exit 1; }
  t1="$(date +%s)"
  grep -q "set current for production" "$tmp/demo.log"
  rows="$rows| \`cargo run $flag -- demo\` | $((t1 - t0)) s |"$'\n'
done

write_section fresh-clone <<EOF2
## Fresh clone to the demo

\`bash bench/fresh-clone.sh\`: \`git clone\`, then the README's first command with an empty target
directory. The crate registry cache was warm (no downloads counted). Machine: $about.

| command | clone + build + demo |
|---|---|
${rows%$'\n'}
EOF2
sed -n '/<!-- fresh-clone:begin -->/,/<!-- fresh-clone:end -->/p' bench/RESULTS.md
