#!/usr/bin/env bash
# Peak memory and time to give up of `verify` when the Entra ID token
# endpoint answers with a 4 GB body (issue 9), against `emulator serve` on
# 127.0.0.1 with the `body_bytes` fault. Each run is capped at CAP seconds
# (default 30): the code before the fix reads the whole body and would hold
# gigabytes for minutes; the cap is where its numbers are read off, as the
# issue's report did. Rewrites its section of bench/RESULTS.md.
#
#   bench/hostile-reply.sh [BEFORE_BIN]
#
# AFTER_BIN (default target/debug/cloudstudio-azure) serves the emulator
# and is measured; BEFORE_BIN, if given, is a binary built from the code
# before the fix (e.g. `git archive main | tar -x -C /tmp/before` and
# `cargo build` there), measured against the same emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
AFTER_BIN=${AFTER_BIN:-target/debug/cloudstudio-azure}
BEFORE_BIN=${1:-}
CAP=${CAP:-30}
[ -x "$AFTER_BIN" ] || cargo build --locked --bin cloudstudio-azure

tmp=$(mktemp -d)
serve_pid=
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cat >"$tmp/scenario.yml" <<YAML
faults:
  - route: token
    body_bytes: 4294967296
YAML
"$AFTER_BIN" emulator serve --scenario "$tmp/scenario.yml" --state-dir "$tmp/state" \
  --output json >"$tmp/serve.json" 2>"$tmp/serve.err" &
serve_pid=$!
for _ in $(seq 100); do [ -s "$tmp/serve.json" ] && break; sleep 0.1; done
base=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["base_url"])' "$tmp/serve.json")
ca=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ca_pem_path"])' "$tmp/serve.json")

# measure BIN: "<peak RSS MiB> <seconds> <exit>"
measure() {
  local status=0
  env -i PATH=/usr/bin:/bin HOME="$tmp" SSL_CERT_FILE="$ca" \
    AZURE_CLIENT_ID=0a1b2c3d-1111-4a4a-8b8b-000000000001 AZURE_CLIENT_SECRET=bench-secret-value \
    AZURE_TENANT_ID=0a1b2c3d-2222-4a4a-8b8b-000000000002 \
    /usr/bin/time -v -o "$tmp/time" timeout -s TERM -k 5 "$CAP" "$1" verify --cloud custom \
    --authority-host "$base" --arm-endpoint "$base" \
    --subscription-id 0a1b2c3d-3333-4a4a-8b8b-000000000003 >"$tmp/out" 2>"$tmp/err" || status=$?
  local rss secs
  rss=$(awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/time")
  secs=$(awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tmp/time")
  echo "$rss $secs $status"
}

row() {
  local label=$1 bin=$2 rss secs status how
  read -r rss secs status < <(measure "$bin")
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then how="still reading at the ${CAP} s cap (stopped)"; else how="exit $status: $(grep -m1 '^error:' "$tmp/err" | cut -c1-110)"; fi
  echo "| $label | $rss MiB | $secs s | $how |"
}

{
  echo "## A 4 GB token reply (bench/hostile-reply.sh)"
  echo
  echo "\`verify\` against \`emulator serve\` whose token endpoint sends a 4 GiB body (the \`body_bytes\` fault), over HTTPS on 127.0.0.1; peak RSS from GNU time, each run capped at ${CAP} s. Debug builds. $(machine)."
  echo
  echo "| binary | peak RSS | time to give up | how it ended |"
  echo "|---|---|---|---|"
  if [ -n "$BEFORE_BIN" ]; then row "before (reads the whole body)" "$BEFORE_BIN"; fi
  row "after (1 MiB cap, not retried)" "$AFTER_BIN"
} | tee "$tmp/section"
write_section hostile-reply <"$tmp/section"
