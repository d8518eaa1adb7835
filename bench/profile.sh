#!/usr/bin/env bash
# A CPU profile of `verify` against `emulator serve` (L = 0): the release
# profile with symbols kept and LTO off (so functions keep their names),
# built into target/perf, sampled by `perf record` over PROFILE_RUNS runs
# (default 20). Rewrites the "profile" section of bench/RESULTS.md with
# where the samples went (by library and by function). Needs linux-perf.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "perf is not installed (Debian: linux-perf)" >&2; exit 1; }
CARGO_TARGET_DIR=target/perf \
  CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_DEBUG=true \
  CARGO_PROFILE_RELEASE_STRIP=none \
  cargo build --release --locked --bin cloudstudio-azure
python3 bench/profile.py target/perf/release/cloudstudio-azure
