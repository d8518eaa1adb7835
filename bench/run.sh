#!/usr/bin/env bash
# Builds the static release binary (profile dist, for its size) and runs the
# end-to-end benchmark, which rewrites its section of bench/RESULTS.md.
# Needs GNU time (/usr/bin/time) and, for the musl build, musl-tools. The
# action's install step and the fresh-clone build have their own scripts:
# bench/action-install.sh, bench/fresh-clone.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v musl-gcc >/dev/null && rustup target list --installed | grep -q x86_64-unknown-linux-musl; then
  cargo build --profile dist --locked --target x86_64-unknown-linux-musl --bin cloudstudio-azure
else
  echo "note: musl-tools or the musl target missing; skipping the static build's size" >&2
fi
cargo bench --locked --bench e2e
