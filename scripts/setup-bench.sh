#!/bin/sh
# setup-bench.sh: creates the venv .venv-bench/ with the pinned CPU libraries `make bench` compares locus with (bench/requirements.txt).
#
# Idempotent: an existing venv with the pinned versions is kept. python3-venv comes
# from Debian (scripts/setup.sh) when missing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-bench"
req="$root/bench/requirements.txt"
stamp="$venv/.locus-$(sha256sum "$req" | cut -c1-16)"

if [ -f "$stamp" ]; then
    exit 0
fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    bash "$root/scripts/setup.sh" python3-venv
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "setup-bench: creating $venv"
    python3 -m venv "$venv"
fi
echo "setup-bench: installing bench/requirements.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
rm -f "$venv"/.locus-*
touch "$stamp"
