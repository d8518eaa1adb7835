#!/usr/bin/env bash
# The action's install step, timed as the runner runs it (`node
# action/main.js`, command: status): a copy of the action with a release's
# checksums committed, the release served on 127.0.0.1 the way GitHub serves
# it, the dist static musl binary as the asset.
#   first use in a job:  download, SHA-256 against the committed value, tool cache
#   second use:          the tool cache, SHA-256 checked again
# Rewrites the "action-install" section of bench/RESULTS.md. RUNS=n (default 9).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
runs="${RUNS:-9}"
target=x86_64-unknown-linux-musl
asset="cloudstudio-azure-$target"
bin="target/$target/dist/cloudstudio-azure"
[ -x "$bin" ] || cargo build --locked --profile dist --target "$target" --bin cloudstudio-azure
about="$(machine)"

tmp="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/release/v9.9.9" "$tmp/copy" "$tmp/wd/azure"
cp "$bin" "$tmp/release/v9.9.9/$asset"
cp action.yml "$tmp/copy/"
cp -R action "$tmp/copy/action"
rm -rf "$tmp/copy/action/test" "$tmp/copy"/action/checksums/*.sha256
echo 9.9.9 >"$tmp/copy/action/VERSION"
printf '%s  %s\n' "$(sha256sum "$bin" | cut -d' ' -f1)" "$asset" >"$tmp/copy/action/checksums/v9.9.9.sha256"

python3 -u -m http.server --bind 127.0.0.1 --directory "$tmp/release" 0 >"$tmp/server.log" 2>&1 &
server=$!
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$tmp/server.log")"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "the release server did not start" >&2; exit 1; }

# One action step: prints "<install ms> <whole step ms>".
step() {
  local cache="$1" t0 t1 out
  : >"$tmp/output"
  t0="$(date +%s%N)"
  out="$(env -i PATH="$PATH" HOME="$tmp" GITHUB_ACTIONS=true RUNNER_TOOL_CACHE="$cache" \
    RUNNER_TEMP="$tmp" GITHUB_OUTPUT="$tmp/output" INPUT_COMMAND=status INPUT_WORKDIR="$tmp/wd" \
    CLOUDSTUDIO_AZURE_DOWNLOAD_URL="http://127.0.0.1:$port" node "$tmp/copy/action/main.js")"
  t1="$(date +%s%N)"
  local how ms
  how="$(sed -n 's/^cloudstudio-azure 9.9.9 ([^)]*): \(downloaded\|from the tool cache\).*/\1/p' <<<"$out")"
  ms="$(sed -n 's/^cloudstudio-azure 9.9.9 .* in \([0-9]*\) ms: .*/\1/p' <<<"$out")"
  [ -n "$how" ] && [ -n "$ms" ] || { echo "unexpected output: $out" >&2; exit 1; }
  case "$how" in downloaded) how=download ;; *) how=cache ;; esac
  echo "$how $ms $(((t1 - t0) / 1000000))"
}

: >"$tmp/cold"
: >"$tmp/warm"
for i in $(seq "$runs"); do
  cache="$tmp/tool-cache-$i"
  step "$cache" | grep '^download ' >>"$tmp/cold"
  step "$cache" | grep '^cache ' >>"$tmp/warm"
done
[ "$(wc -l <"$tmp/cold")" -eq "$runs" ] && [ "$(wc -l <"$tmp/warm")" -eq "$runs" ]

size="$(stat -c %s "$bin")"
static="$(file -b "$bin" | grep -oE 'static(-pie)? linked' || echo 'NOT static')"
col() { awk -v c="$1" '{ print $c }' "$2" | median; }
write_section action-install <<EOF2
## Action install step

\`bash bench/action-install.sh\`: \`node action/main.js\` as the runner runs it (command \`status\`),
a copy of the action with the release's checksums committed, the release served from 127.0.0.1
(so the transfer is the floor: from GitHub, add the asset's size at the runner's bandwidth). Median of $runs.
Machine: $about.

| use in a job | install (the action's own timing) | whole step, node start to exit |
|---|---|---|
| first: download $(awk -v s="$size" 'BEGIN { printf "%.2f MiB", s / 1048576 }'), SHA-256 against the committed value, into the tool cache | $(col 2 "$tmp/cold") ms | $(col 3 "$tmp/cold") ms |
| second: from the tool cache, SHA-256 checked again | $(col 2 "$tmp/warm") ms | $(col 3 "$tmp/warm") ms |

The asset: \`$asset\`, $size bytes ($(awk -v s="$size" 'BEGIN { printf "%.2f MiB", s / 1048576 }')), $static (\`--profile dist\`: fat LTO,
one codegen unit, opt-level s, stripped, panic=abort). Budget: 8 MiB; the same profile at opt-level 3 measured 8.01 MiB.
EOF2
sed -n '/<!-- action-install:begin -->/,/<!-- action-install:end -->/p' bench/RESULTS.md
