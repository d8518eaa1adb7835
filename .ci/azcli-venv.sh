# shellcheck shell=bash
# Sourced by .ci/real-clients.sh and bench/az-compare.sh: the Azure CLI and
# azure-identity from PyPI in a venv cached per pinned version under
# $CLOUDSTUDIO_CI_CACHE (default ~/.cache/cloudstudio-ci).

AZURE_CLI_VERSION=2.91.0
AZURE_IDENTITY_VERSION=1.27.0

# azcli_venv: installs the venv if it is not cached; sets $venv. Returns 1
# (after a message) when the install itself fails (no PyPI).
azcli_venv() {
    local cache python_version started
    cache="${CLOUDSTUDIO_CI_CACHE:-$HOME/.cache/cloudstudio-ci}"
    python_version=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    venv="$cache/venv-azcli-$AZURE_CLI_VERSION-identity-$AZURE_IDENTITY_VERSION-py$python_version"
    if [ -f "$venv/.complete" ]; then
        echo "azure-cli $AZURE_CLI_VERSION and azure-identity $AZURE_IDENTITY_VERSION from the cache ($venv)" >&2
        return 0
    fi
    started=$(date +%s)
    rm -rf "$venv"
    mkdir -p "$cache"
    if ! { python3 -m venv "$venv" &&
        "$venv/bin/pip" install --quiet --disable-pip-version-check \
            "azure-cli==$AZURE_CLI_VERSION" "azure-identity==$AZURE_IDENTITY_VERSION"; }; then
        rm -rf "$venv"
        echo "could not install azure-cli $AZURE_CLI_VERSION and azure-identity $AZURE_IDENTITY_VERSION from PyPI (pip's error is above)" >&2
        return 1
    fi
    touch "$venv/.complete"
    echo "installed azure-cli $AZURE_CLI_VERSION and azure-identity $AZURE_IDENTITY_VERSION in $(($(date +%s) - started))s ($venv)" >&2
}
