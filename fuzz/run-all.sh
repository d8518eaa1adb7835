#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other,
# from the seed corpora in fuzz/corpus/ (new inputs go to a scratch copy, so
# the committed corpora stay small), and prints one line per target: its
# duration, executions and whether it found a crash (the crash input stays
# in fuzz/artifacts/<target>/). Needs nightly and `cargo install cargo-fuzz`.
# Sanitizer: none (the product forbids unsafe code; the properties are the
# oracle), which builds faster and runs more inputs.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${SECONDS_PER_TARGET:-600}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(creds_json config az_output branch github_env ado_vars shell replies)
cargo +nightly fuzz build -O --sanitizer none
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    cp corpus/"$t"/* "$scratch/$t/"
    started=$(date +%s)
    if cargo +nightly fuzz run -O --sanitizer none "$t" "$scratch/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$scratch/$t.log" 2>&1; then
        result="no crash"
    else
        tail -40 "$scratch/$t.log" >&2
        result="FAILED (see fuzz/artifacts/$t/)"
        status=1
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log" | tail -1)
    echo "$t: $(($(date +%s) - started)) s, ${runs:-?} executions, $result"
done
exit "$status"
