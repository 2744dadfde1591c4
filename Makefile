# lstm-edge: one venv, everything in it. `make test` and `make train` set it up on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup train test lint model bench bench-quick clean

setup: $(STAMP)

# torch==2.13.0 first: it is the CPU build on this machine's disk; an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[train,dev]"
	touch $(STAMP)

train: $(STAMP)  ## train on the built-in fashion corpus into runs/latest, export it, generate from it
	$(BIN)/lstm-train --out runs/latest --overwrite
	$(BIN)/lstm-export runs/latest
	$(BIN)/lstm-gen --model runs/latest/model.onnx "A cream coat"

test: $(STAMP)  ## lint and the test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

model: $(STAMP)  ## rebuild models/: train to convergence (fixed seed), export, verify, quantize
	$(BIN)/lstm-train --out runs/default --overwrite --seed 0 --threads 1
	$(BIN)/lstm-export runs/default -o models/fashion-lstm.onnx --quantize int8
	$(BIN)/lstm-gen --info

bench: $(STAMP)  ## every benchmark table (minutes)
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP)  ## the benchmarks in seconds, to prove they still run
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf runs benchmarks/.cache .pytest_cache .ruff_cache
