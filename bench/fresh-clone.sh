#!/usr/bin/env bash
# The README's first command on a fresh clone: `git clone` of this
# repository, then `cargo run --release -- demo` with an empty target
# directory (CARGO_TARGET_DIR unset). The crate registry (~/.cargo/registry)
# is whatever this machine has: warm after any earlier build, so crate
# downloads are not in the number. PROFILES="release before fat thin opt1
# dist" also times variants of `release` set through CARGO_PROFILE_RELEASE_*:
# `before` (fat LTO, one codegen unit, panic=abort: the profile before this
# split), `fat` (fat LTO alone), `thin` (thin LTO), `opt1` (opt-level 1), and
# the releases' `dist`.
# Wall time depends on what else the machine runs; CPU time much less.
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
  flag="--release"
  overrides=()
  label="\`cargo run --release -- demo\`"
  case "$profile" in
    release) ;;
    before)
      overrides=(CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_PANIC=abort)
      label="$label with the release profile as it was (fat LTO, 1 codegen unit, panic=abort)"
      ;;
    fat | thin)
      overrides=(CARGO_PROFILE_RELEASE_LTO="$profile")
      label="$label with lto = \"$profile\""
      ;;
    opt1)
      overrides=(CARGO_PROFILE_RELEASE_OPT_LEVEL=1)
      label="$label with opt-level = 1"
      ;;
    *)
      flag="--profile=$profile"
      label="\`cargo run $flag -- demo\`"
      ;;
  esac
  t0="$(date +%s)"
  git clone -q "$root" "$tmp/repo"
  (cd "$tmp/repo" && env -u CARGO_TARGET_DIR "${overrides[@]}" /usr/bin/time -f "%U %S" -o "$tmp/cpu" \
    cargo run "$flag" --locked -- demo >"$tmp/demo.log" 2>&1) || { cat "$tmp/demo.log"; exit 1; }
  t1="$(date +%s)"
  grep -q "set current for production" "$tmp/demo.log"
  cpu="$(awk '{ printf "%.0f", $1 + $2 }' "$tmp/cpu")"
  rows="$rows| $label | $((t1 - t0)) s | $cpu s | $(cut -d' ' -f1-3 /proc/loadavg) |"$'\n'
done

write_section fresh-clone <<EOF2
## Fresh clone to the demo

\`bash bench/fresh-clone.sh\`: \`git clone\`, then the README's first command with an empty target
directory. The crate registry cache was warm (no downloads counted). Machine: $about.

| command | clone + build + demo (wall) | build CPU (user + sys) | load average after |
|---|---|---|---|
${rows%$'\n'}
EOF2
sed -n '/<!-- fresh-clone:begin -->/,/<!-- fresh-clone:end -->/p' bench/RESULTS.md
