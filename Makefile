# Makefile: the project's interface; CI runs `make test` through .ci/run.

CARGO ?= cargo
LOCUS := target/release/locus
DEMO  ?= iris-xgb
OUT   ?= out
BOARD ?= icebreaker
MODEL ?= examples/$(DEMO)/model.json
DATA  ?= examples/$(DEMO)/data.csv
DIR   ?= $(OUT)/$(notdir $(patsubst %/,%,$(dir $(MODEL))))

.PHONY: setup setup-ecp5 setup-bench doctor build test test-boards demo bitstream flash bench bless clean

## setup: install the Debian packages that are missing (quiet when all are present)
setup:
	@bash scripts/setup.sh

## setup-ecp5: the project venv .venv/ with pinned YoWASP yosys and nextpnr-ecp5, warmed once
setup-ecp5:
	@sh scripts/setup-ecp5.sh

## doctor: print each tool's version, marking missing ones
doctor:
	@bash scripts/doctor.sh

## build: the locus binary (target/release/locus)
build:
	$(CARGO) build --release --locked -p locus

## test: format check, clippy with warnings as errors, every test (cosimulation and bitstreams included)
test: setup setup-ecp5
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked

## test-boards: a bitstream for every board and bare device
test-boards: setup setup-ecp5 build
	bash scripts/test-boards.sh $(LOCUS)

## demo: compile the bundled iris model, cosimulate it, run it through the simulated
## board's UART, and build its iCEBreaker bitstream
demo: setup setup-ecp5 build
	$(LOCUS) compile $(MODEL) --data $(DATA) -o $(DIR)
	$(LOCUS) sim $(DIR)
	$(LOCUS) run $(DIR) --sim --data $(DATA)
	$(LOCUS) synth $(DIR) --board $(BOARD)

## bitstream: MODEL=… DATA=… BOARD=… [FREQ=MHz]: compile and build a bitstream
bitstream: setup setup-ecp5 build
	$(LOCUS) compile $(MODEL) --data $(DATA) -o $(DIR)
	$(LOCUS) synth $(DIR) --board $(BOARD) $(if $(FREQ),--freq $(FREQ))

## flash: MODEL=… BOARD=… [DRY_RUN=1]: program the board with the bitstream `make bitstream` built
flash: build
	$(LOCUS) flash $(DIR) --board $(BOARD) $(if $(DRY_RUN),--dry-run)

## bench: compile time against model size (10 to 2,000 trees), the integer reference
## against XGBoost's predict on this CPU, cosimulation rows per second against size, the RBF architectures built for an
## iCEBreaker, Fmax against the stage budget (the --target-mhz fit), and locus side by
## side with conifer, alkaid and QXGB on the same models in the same wrapper and flow on
## UP5K, HX8K and ECP5-85 (bench_compare); written to bench/results/ (and the README's tables)
bench: setup setup-ecp5 setup-bench build
	$(CARGO) run --release --locked -p hdl-gen --example bench_compile bench/results/compile_time.json
	.venv-bench/bin/python bench/cpu_xgboost.py 200000
	$(CARGO) run --release --locked -p hdl-gen --example bench_reference 200000
	$(CARGO) run --release --locked -p locus --example bench_cosim 200000
	$(CARGO) run --release --locked -p locus --example bench_rbf_arch
	$(CARGO) run --release --locked -p locus --example bench_stage_delay
	$(CARGO) run --release --locked -p locus --example bench_compare

## setup-bench: the venv .venv-bench/ with the CPU libraries make bench compares against
setup-bench:
	@sh scripts/setup-bench.sh

## bless: regenerate the golden RTL through the normal CLI (review the diff before committing)
bless: build
	$(LOCUS) compile examples/iris-xgb/model.json --data examples/iris-xgb/data.csv -o target/bless/iris-xgb
	cp target/bless/iris-xgb/rtl/locus_core.v tests/golden/iris-xgb/locus_core.v
	git diff --stat -- tests/golden

## clean: remove build outputs
clean:
	$(CARGO) clean
	rm -rf $(OUT)

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := import_any import_xgboost import_lightgbm import_onnx import_native csv

## fuzz: [FUZZ_SECONDS=60] run every cargo-fuzz target (importers, CSV reader) for FUZZ_SECONDS each,
## seeded with the examples; stable Rust via RUSTC_BOOTSTRAP, no sanitizer (cargo install cargo-fuzz)
.PHONY: fuzz
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	sh fuzz/seed.sh
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -s none -O $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 || exit 1; \
	done
