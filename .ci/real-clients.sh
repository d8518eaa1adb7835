#!/usr/bin/env bash
# Real clients against `cloudstudio-azure emulator serve`: the Azure CLI,
# azure-identity and python-dotenv from PyPI (software this project did not write) must
# accept the emulator as an Azure; then cloudstudio-azure verifies over the
# CLI's session. The checks are in .ci/real_clients.py.
#
# The venv is cached per pinned version under $CLOUDSTUDIO_CI_CACHE
# (default ~/.cache/cloudstudio-ci). If the install itself fails (no PyPI),
# the run is skipped with a message saying so; any other failure fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# Reads `cloudstudio-azure env --shell dotenv` as Docker and GitLab would.
PYTHON_DOTENV_VERSION=1.2.2

# shellcheck source=.ci/azcli-venv.sh
source .ci/azcli-venv.sh
if ! azcli_venv; then
    echo "real-clients: SKIPPED: the Azure CLI could not be installed; the Rust tests against the emulator still ran" >&2
    exit 0
fi

# Added to the cached venv on its own, so that a new pin does not reinstall
# the Azure CLI.
if [ ! -f "$venv/.dotenv-$PYTHON_DOTENV_VERSION" ]; then
    if ! "$venv/bin/pip" install --quiet --disable-pip-version-check "python-dotenv==$PYTHON_DOTENV_VERSION"; then
        echo "real-clients: SKIPPED: could not install python-dotenv $PYTHON_DOTENV_VERSION from PyPI (pip's error is above); the Rust tests still ran" >&2
        exit 0
    fi
    touch "$venv/.dotenv-$PYTHON_DOTENV_VERSION"
fi

# The binary, built once (a no-op after `cargo test`); its path from cargo.
bin=$(cargo build --locked --quiet --bin cloudstudio-azure --message-format=json |
    "$venv/bin/python" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "cloudstudio-azure":
        print(m["executable"])')
[ -x "$bin" ] || { echo "real-clients: cargo did not report the cloudstudio-azure binary" >&2; exit 1; }

"$venv/bin/python" .ci/real_clients.py "$bin"
