#!/usr/bin/env bash
# Peak memory and time to give up of `verify` when the Entra ID token
# endpoint answers with a 4 GB body, and when Resource Manager's reply never
# ends (issue 9), against `emulator serve` on 127.0.0.1 with the
# `body_bytes` / `endless_body` faults. Each run is capped (CAP, default
# 30 s; ARM_CAP, default 10 s): the code before the fix reads whole bodies
# and would hold gigabytes for minutes; the cap is where its numbers are
# read off, as the issue's report did. Rewrites its section of
# bench/RESULTS.md.
#
#   bench/hostile-reply.sh [BEFORE_BIN]
#
# AFTER_BIN (default target/debug/cloudstudio-azure) serves the emulator
# and is measured; BEFORE_BIN, if given, is a binary built from the code
# before the fix (e.g. `git archive main | tar -x -C /tmp/before` and
# `cargo build` there), measured against the same emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
AFTER_BIN=${AFTER_BIN:-target/debug/cloudstudio-azure}
BEFORE_BIN=${1:-}
CAP=${CAP:-30}
[ -x "$AFTER_BIN" ] || cargo build --locked --bin cloudstudio-azure

tmp=$(mktemp -d)
serve_pid=
stop_serving() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  serve_pid=
}
cleanup() {
  stop_serving
  rm -rf "$tmp"
}
trap cleanup EXIT

CLIENT=0a1b2c3d-1111-4a4a-8b8b-000000000001
TENANT=0a1b2c3d-2222-4a4a-8b8b-000000000002
SUB=0a1b2c3d-3333-4a4a-8b8b-000000000003
SECRET=bench-secret-value
# A tenant where the credentials are valid (Contributor on SUB), then FAULT.
scenario() {
  cat <<YAML
tenants: [{id: $TENANT}]
apps:
  - client_id: $CLIENT
    tenant: $TENANT
    secrets: [{value: "$SECRET"}]
subscriptions: [{id: $SUB, tenant: $TENANT, name: bench}]
role_assignments: [{principal: $CLIENT, subscription: $SUB, role: Contributor}]
faults:
$1
YAML
}

# serve FAULT: (re)starts the emulator with FAULT; sets base and ca.
serve() {
  stop_serving
  scenario "$1" >"$tmp/scenario.yml"
  rm -f "$tmp/serve.json"
  "$AFTER_BIN" emulator serve --scenario "$tmp/scenario.yml" --state-dir "$tmp/state" \
    --output json >"$tmp/serve.json" 2>"$tmp/serve.err" &
  serve_pid=$!
  for _ in $(seq 100); do grep -q '}' "$tmp/serve.json" 2>/dev/null && break; sleep 0.1; done
  base=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["base_url"])' "$tmp/serve.json")
  ca=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ca_pem_path"])' "$tmp/serve.json")
}

# measure BIN CAP: "<peak RSS MiB> <seconds> <exit>"
measure() {
  local status=0
  env -i PATH=/usr/bin:/bin HOME="$tmp" SSL_CERT_FILE="$ca" \
    AZURE_CLIENT_ID=$CLIENT AZURE_CLIENT_SECRET=$SECRET AZURE_TENANT_ID=$TENANT \
    /usr/bin/time -v -o "$tmp/time" timeout -s TERM -k 5 "$2" "$1" verify --cloud custom \
    --authority-host "$base" --arm-endpoint "$base" \
    --subscription-id $SUB >"$tmp/out" 2>"$tmp/err" || status=$?
  local rss secs
  rss=$(awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tmp/time")
  secs=$(awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }' "$tmp/time")
  echo "$rss $secs $status"
}

# row CASE LABEL BIN CAP
row() {
  local case=$1 label=$2 bin=$3 cap=$4 rss secs status how
  read -r rss secs status < <(measure "$bin" "$cap")
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then how="still reading at the ${cap} s cap (stopped)"; else how="exit $status: $(grep -m1 '^error:' "$tmp/err" | cut -c1-110)"; fi
  echo "| $case | $label | $rss MiB | $secs s | $how |"
}

# cases CASE FAULT CAP
cases() {
  serve "$2"
  if [ -n "$BEFORE_BIN" ]; then row "$1" "before (reads the whole body)" "$BEFORE_BIN" "$3"; fi
  row "$1" "after (1 MiB cap, not retried)" "$AFTER_BIN" "$3"
}

{
  echo "## Hostile replies (bench/hostile-reply.sh)"
  echo
  echo "\`verify\` against \`emulator serve\` (HTTPS on 127.0.0.1) whose token endpoint sends a 4 GiB body (the \`body_bytes\` fault), or whose subscription read never ends (\`endless_body\`); peak RSS from GNU time; each run stopped at the cap the issue's report used (30 s, 10 s). Debug builds. $(machine)."
  echo
  echo "| reply | binary | peak RSS | time to give up | how it ended |"
  echo "|---|---|---|---|---|"
  cases "4 GiB token reply" "  - {route: token, body_bytes: 4294967296}" "$CAP"
  cases "endless ARM reply" "  - {route: subscription, endless_body: true}" "${ARM_CAP:-10}"
} | tee "$tmp/section"
write_section hostile-reply <"$tmp/section"
