#!/usr/bin/env bash
# verify/export at injected latency, verify --all over 1/10/50 subscriptions,
# and the Azure CLI's login + account show + role assignment list on the
# same emulator in the same run (bench/scale.py). Builds the release binary
# and the cached az venv (.ci/azcli-venv.sh) when missing; without PyPI the
# az rows are left out. Rewrites the "scale" section of bench/RESULTS.md.
# RUNS=n (default 11), AZ_RUNS=n (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/cloudstudio-azure
[ -x "$bin" ] || cargo build --release --locked --bin cloudstudio-azure
# shellcheck source=.ci/azcli-venv.sh
source .ci/azcli-venv.sh
args=("$bin")
if azcli_venv; then
    # shellcheck disable=SC2154 # set by azcli_venv
    args+=("$venv/bin/az")
fi
python3 bench/scale.py "${args[@]}"
