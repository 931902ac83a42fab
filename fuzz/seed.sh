#!/bin/sh
# fuzz/seed.sh: fills fuzz/corpus/<target>/ with the example and fixture files (the corpora are not committed).
set -e
cd "$(dirname "$0")/.."
seed_into() { t=$1; shift; mkdir -p "fuzz/corpus/$t"; for f in "$@"; do [ -f "$f" ] || continue; cp "$f" "fuzz/corpus/$t/$(basename "$(dirname "$f")")-$(basename "$f")"; done; }
seed_into import_any examples/*/model.* hdl-gen/tests/fixtures/*/model.*
seed_into import_xgboost examples/*/model.json hdl-gen/tests/fixtures/xgb*/model.json
seed_into import_lightgbm examples/*/model.txt hdl-gen/tests/fixtures/*/model.txt
seed_into import_onnx examples/*/model.onnx hdl-gen/tests/fixtures/*/model.onnx
seed_into csv examples/*/data.csv
# Native tree JSON: the model.json files `locus compile` writes, when the examples were compiled.
seed_into import_native out/*/model.json target/bless/*/model.json
