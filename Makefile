# Makefile: the project's interface; CI runs `make test` through .ci/run.

CARGO ?= cargo

.PHONY: setup doctor test

## setup: install the Debian packages that are missing (quiet when all are present)
setup:
	@bash scripts/setup.sh

## doctor: print each tool's version, marking missing ones
doctor:
	@bash scripts/doctor.sh

## test: format check, clippy with warnings as errors, every test
test: setup
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	$(CARGO) test --workspace --locked
