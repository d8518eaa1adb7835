#!/usr/bin/env bash
# Self-test (action-selftest.yml): start `cloudstudio-azure emulator serve`
# on a free port so that it outlives this step. Runners end a step's
# process group when the step ends (act gives each step its own session), so
# the emulator gets a session of its own (setsid), and `timeout` bounds it in
# case the job never reaches its stop step. Hands the later steps, through
# GITHUB_ENV: OUT (a scratch folder; SELFTEST_OUT lets .ci/run choose it),
# EMU_URL, EMU_OIDC_URL/EMU_OIDC_TOKEN (act provides no OIDC endpoint) and
# SSL_CERT_FILE (the emulator's CA).
set -euo pipefail

out="${SELFTEST_OUT:-$RUNNER_TEMP/selftest}"
mkdir -p "$out/emulator" "$out/wd-export" "$out/wd-dry" "$out/wd-reader" "$out/wd-oidc"

setsid timeout 1800 "$BIN" emulator serve --port 0 \
  --state-dir "$out/emulator" --output json \
  >"$out/emulator.json" 2>"$out/emulator.log" </dev/null &
echo "$!" >"$out/emulator.pid"
for _ in $(seq 150); do
  [ -s "$out/emulator.json" ] && break
  sleep 0.1
done
if [ ! -s "$out/emulator.json" ]; then
  echo "::error title=self-test::the emulator did not start"
  cat "$out/emulator.log"
  exit 1
fi

python3 - "$out" <<'PY'
import json, os, sys

out = sys.argv[1]
doc = json.load(open(os.path.join(out, "emulator.json")))
demo = doc["demo"]
# The workflow names the demo values statically (so that no step prints a
# secret before the action masks it); they must be the emulator's.
expect = {
    "DEMO_TENANT_ID": demo["tenant_id"],
    "DEMO_CLIENT_ID": demo["client_id"],
    "DEMO_SECRET": demo["client_secret"],
    "DEMO_READER_CLIENT_ID": demo["reader_client_id"],
    "DEMO_READER_SECRET": demo["reader_secret"],
    "DEMO_OIDC_CLIENT_ID": demo["oidc_client_id"],
    "DEMO_PROD_SUBSCRIPTION": demo["subscriptions"]["production"],
    "DEMO_STAGE_SUBSCRIPTION": demo["subscriptions"]["stage"],
    "DEMO_DEV_SUBSCRIPTION": demo["subscriptions"]["development"],
}
wrong = sorted(k for k, v in expect.items() if os.environ.get(k) != v)
creds = json.loads(os.environ.get("DEMO_CREDS", "{}"))
if creds != {
    "clientId": demo["client_id"],
    "clientSecret": demo["client_secret"],
    "tenantId": demo["tenant_id"],
    "subscriptionId": demo["subscriptions"]["production"],
}:
    wrong.append("DEMO_CREDS")
if wrong:
    print("::error title=self-test::the workflow's demo values are not the emulator's: " + ", ".join(wrong))
    sys.exit(1)
with open(os.environ["GITHUB_ENV"], "a") as env:
    env.write(f"OUT={out}\n")
    env.write(f"EMU_URL={doc['base_url']}\n")
    env.write(f"EMU_OIDC_URL={doc['oidc_request_url']}\n")
    env.write(f"EMU_OIDC_TOKEN={doc['oidc_request_token']}\n")
    env.write(f"SSL_CERT_FILE={doc['ca_pem_path']}\n")
print(f"emulator on {doc['base_url']} (pid {open(os.path.join(out, 'emulator.pid')).read().strip()})")
PY
