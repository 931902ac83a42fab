#!/usr/bin/env bash
# doctor.sh: prints the version of every tool locus uses, marking the missing ones.
set -uo pipefail

missing=0
show() { # show NAME COMMAND...: the first line the command prints, or MISSING
    local name=$1
    shift
    if ! command -v "$1" >/dev/null 2>&1; then
        printf '%-14s MISSING (run `make setup`)\n' "$name"
        missing=$((missing + 1))
        return
    fi
    printf '%-14s %s\n' "$name" "$("$@" 2>&1 | sed -n '/./{p;q}')"
}
pkg_version() { # pkg_version PACKAGE: the Debian package version (for tools without --version)
    local v
    v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null) && echo "$1 $v" || echo "package $1 not installed"
}

show cargo cargo --version
show rustc rustc --version
show verilator verilator --version
show g++ g++ --version
show yosys yosys -V
show nextpnr-ice40 nextpnr-ice40 --version
show icepack pkg_version fpga-icestorm
if ! command -v icepack >/dev/null 2>&1; then
    printf '%-14s MISSING (run `make setup`)\n' "icepack"
    missing=$((missing + 1))
fi
show iverilog iverilog -V
show openFPGALoader openFPGALoader --Version
# Debian's chromium wrapper script prints a shell warning on stderr first.
if command -v chromium >/dev/null 2>&1; then
    printf '%-14s %s\n' chromium "$(chromium --version 2>/dev/null | sed -n '/./{p;q}')"
else
    printf '%-14s MISSING (run `make setup`)\n' chromium
    missing=$((missing + 1))
fi
[ "$missing" -eq 0 ] || echo "doctor: $missing tool(s) missing"
