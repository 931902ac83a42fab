#!/bin/sh
# setup-bench.sh: creates the venv .venv-bench/ with the pinned libraries `make bench` compares locus with (bench/requirements.txt), and Debian's ghdl.
#
# Idempotent: an existing venv with the pinned versions is kept. python3-venv comes
# from Debian (scripts/setup.sh) when missing.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv-bench"
req="$root/bench/requirements.txt"
HLS4ML=1.3.0
stamp="$venv/.locus-$( (cat "$req"; echo "$HLS4ML") | sha256sum | cut -c1-16)"

# ghdl (Debian) turns conifer's VHDL into Verilog for yosys.
bash "$root/scripts/setup.sh" ghdl

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
# Only conifer's C++ emulation needs hls4ml, and only for its ap_types headers
# (hls4ml/templates/vivado/ap_types): installed without its dependencies.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "hls4ml==$HLS4ML"
rm -f "$venv"/.locus-*
touch "$stamp"
