# Makefile: the project's interface; CI runs `make test` through .ci/run.

CARGO ?= cargo
LOCUS := target/release/locus
DEMO  ?= digits-xgb
OUT   ?= out

.PHONY: setup doctor build test demo bless clean

## setup: install the Debian packages that are missing (quiet when all are present)
setup:
	@bash scripts/setup.sh

## doctor: print each tool's version, marking missing ones
doctor:
	@bash scripts/doctor.sh

## build: the locus binary (target/release/locus)
build:
	$(CARGO) build --release --locked -p locus

## test: format check, clippy with warnings as errors, every test
test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked

## demo: compile the bundled digits model (XGBoost, 10 classes, 120 trees) and cosimulate it
demo: setup build
	$(LOCUS) compile examples/$(DEMO)/model.json --data examples/$(DEMO)/data.csv -o $(OUT)/$(DEMO)
	$(LOCUS) sim $(OUT)/$(DEMO)
	@echo "first five predictions (fixed point, what the hardware computes):"
	@$(LOCUS) predict $(OUT)/$(DEMO) --data examples/$(DEMO)/data.csv | head -5

## bless: regenerate the golden RTL through the normal CLI (review the diff before committing)
bless: build
	$(LOCUS) compile examples/iris-xgb/model.json --data examples/iris-xgb/data.csv -o target/bless/iris-xgb
	cp target/bless/iris-xgb/rtl/locus_core.v tests/golden/iris-xgb/locus_core.v
	git diff --stat -- tests/golden

## clean: remove build outputs
clean:
	$(CARGO) clean
	rm -rf $(OUT)
