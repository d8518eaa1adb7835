#!/usr/bin/env bash
# Self-test (action-selftest.yml): a local release for the download path.
# Copies the action (action.yml and action/, no source: it cannot fall back
# to building) to target/selftest-action with version 9.9.9 and checksums
# committed the way a release commits them, for the binary built in this
# job. Serves on 127.0.0.1 (a free port):
#   v9.9.9/<asset>  that binary                  -> downloaded, verified, cached
#   v9.9.8/<asset>  the binary with a byte added -> refused (checksum mismatch)
#   v9.9.7/         nothing                      -> refused (HTTP 404)
set -euo pipefail

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64) target=aarch64-unknown-linux-musl ;;
  *) echo "::error title=self-test::no release asset name for $(uname -s)-$(uname -m)"; exit 1 ;;
esac
asset="cloudstudio-azure-$target"
bin="$BIN"
copy=target/selftest-action
rel="$OUT/release"

rm -rf "$copy" "$rel"
mkdir -p "$copy" "$rel/v9.9.9" "$rel/v9.9.8" "$rel/v9.9.7"
cp action.yml "$copy/"
cp -R action "$copy/action"
rm -rf "$copy/action/test" "$copy"/action/checksums/*.sha256
echo 9.9.9 >"$copy/action/VERSION"
sum="$(sha256sum "$bin" | cut -d' ' -f1)"
for v in 9.9.9 9.9.8 9.9.7; do
  printf '%s  %s\n' "$sum" "$asset" >"$copy/action/checksums/v$v.sha256"
done
cp "$bin" "$rel/v9.9.9/$asset"
cp "$bin" "$rel/v9.9.8/$asset"
printf 'x' >>"$rel/v9.9.8/$asset"

setsid timeout 1800 python3 -u -m http.server --bind 127.0.0.1 --directory "$rel" 0 \
  >"$OUT/release.log" 2>&1 </dev/null &
echo "$!" >"$OUT/release.pid"
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/^Serving HTTP on .* port \([0-9]*\) .*/\1/p' "$OUT/release.log")"
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "::error title=self-test::the release server did not start"
  cat "$OUT/release.log"
  exit 1
fi
echo "RELEASE_URL=http://127.0.0.1:$port" >>"$GITHUB_ENV"
echo "release v9.9.9 of $asset ($(wc -c <"$bin") bytes, sha256 $sum) on http://127.0.0.1:$port"
