#!/usr/bin/env bash
# test-boards.sh: builds a bitstream for every board and bare device in `locus boards` and fails if any build fails.
#
# Usage: scripts/test-boards.sh [LOCUS] [MODEL DATA]
#   LOCUS  the locus binary (default: target/release/locus)
#   MODEL DATA  the model to build (default: examples/iris-xgb)
# The compiled directory is out/test-boards; each target builds into
# out/test-boards/build/<target>/ and its synth.json is kept as synth-<target>.json.
# Each board is built twice: at its oscillator, then at twice that through its PLL
# (synth-<board>-pll.json), which checks that the PLL primitive reaches the clock pin.
# Needs the iCE40 tools (make setup) and the YoWASP venv (make setup-ecp5).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
locus=${1:-"$root/target/release/locus"}
model=${2:-"$root/examples/iris-xgb/model.json"}
data=${3:-"$root/examples/iris-xgb/data.csv"}
dir="$root/out/test-boards"

"$locus" compile "$model" --data "$data" -o "$dir" >/dev/null

# The table lists boards, a blank line, then devices; the first column is the name.
table=$("$locus" boards)
boards=$(printf '%s\n' "$table" | awk 'NR > 1 && NF == 0 { exit } NR > 1 { print $1 }')
devices=$(printf '%s\n' "$table" | awk 'seen && NF > 0 && $1 != "Boards:" { print $1 } $1 == "DEVICE" { seen = 1 }')

# Board name → oscillator in MHz (the CLOCK column, "12 MHz").
osc() { printf '%s\n' "$table" | awk -v b="$1" '$1 == b { print $5; exit }'; }

failed=()
run() {
    local kind=$1 name=$2
    shift 2
    echo "== $kind $name $*"
    if "$locus" synth "$dir" "--$kind" "$name" "$@"; then
        cp "$dir/synth.json" "$dir/synth-$name${1:+-pll}.json"
    else
        failed+=("$name $*")
    fi
}
for b in $boards; do
    run board "$b"
    run board "$b" --freq "$(($(osc "$b") * 2))"
done
for d in $devices; do run device "$d"; done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "test-boards: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "test-boards: every board (at its oscillator and through its PLL) and device built"
