#!/usr/bin/env bash
# Builds the static release binary (for its size) and runs the end-to-end
# benchmark, which rewrites bench/RESULTS.md. Needs GNU time (/usr/bin/time)
# and, for the musl build, musl-tools.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v musl-gcc >/dev/null && rustup target list --installed | grep -q x86_64-unknown-linux-musl; then
  cargo build --release --locked --target x86_64-unknown-linux-musl
else
  echo "note: musl-tools or the musl target missing; skipping the static build's size" >&2
fi
cargo bench --locked --bench e2e
