#!/usr/bin/env bash
# setup.sh: installs the Debian packages locus needs that are missing (quiet and idempotent when all are present).
#
# Usage: scripts/setup.sh [PACKAGE...]   (default: the tool set below)
# A package counts as present only when dpkg says "install ok installed" (a removed
# package whose config files remain does not). apt-get runs only when something is
# missing: one `update`, then one `install --no-install-recommends --no-upgrade`.
set -euo pipefail

if [ "$#" -gt 0 ]; then
    packages=("$@")
else
    # verilator + g++: the sim crate's cosimulation; yosys, nextpnr-ice40, icestorm
    # (the chipdb is only a Recommends, needed by icetime): the iCE40 flow;
    # iverilog: the hand-written testbenches; openfpgaloader: locus flash;
    # chromium: the headless browser test of `locus report`'s HTML.
    packages=(verilator g++ yosys iverilog nextpnr-ice40 fpga-icestorm fpga-icestorm-chipdb openfpgaloader chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$pkg")
    fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}"
