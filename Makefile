# lstm-edge: one venv, everything in it. `make test` and `make train` set it up on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup train test lint typecheck docs corpus model coherence bench bench-quick bench-memory-1m fuzz arm-proof quality web web-serve web-parity web-screenshot clean

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

test: lint typecheck  ## lint, format and type checks, then the test suite (docs freshness, wheel, devices included)
	$(BIN)/python -m pytest -q -rs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy cannot follow setuptools' package-dir mapping, so it checks a tree of links laid out as installed.
TYPED := build/typecheck
typecheck: $(STAMP)  ## strict types on the runtime, plain on export
	rm -rf $(TYPED) && mkdir -p $(TYPED)/lstm_edge
	for part in runtime train export models; do ln -s ../../../$$part $(TYPED)/lstm_edge/$$part; done
	ln -s ../../../lstm_edge/__init__.py ../../../lstm_edge/py.typed $(TYPED)/lstm_edge/
	cd $(TYPED) && ../../$(BIN)/mypy --config-file ../../pyproject.toml --strict -p lstm_edge.runtime
	cd $(TYPED) && ../../$(BIN)/mypy --config-file ../../pyproject.toml -p lstm_edge.export

docs: $(STAMP)  ## regenerate docs/cli.md from the commands' --help
	$(BIN)/python tools/cli_docs.py

corpus: $(STAMP)  ## regenerate the built-in corpus, train/data/fashion_descriptions.csv.xz (byte for byte)
	$(BIN)/python -m lstm_edge.train.catalogue

# The shipped model: the tutorial's layers at twice their width, without dropout or a vocabulary floor
# (README, "The shipped model": what was measured, and why dropout 0.3 is not used here).
SHIPPED_NETWORK := --embedding-dim 128 --hidden-sizes 256,128 --dense-size 128 --dropout 0 --min-count 1

model: corpus  ## rebuild models/ from scratch: corpus, training (fixed seed), export, verify, quantize, coherence
	$(BIN)/lstm-train --out runs/default --overwrite --seed 0 --threads 1 $(SHIPPED_NETWORK)
	$(BIN)/lstm-export runs/default -o models/fashion-lstm.onnx --quantize int8
	cp runs/default/curves.png docs/default-model-curves.png
	$(BIN)/lstm-gen --info
	$(BIN)/python -m benchmarks coherence size

coherence: $(STAMP)  ## per-category coherence of the shipped model's greedy continuations
	$(BIN)/python -m benchmarks coherence

bench: $(STAMP)  ## every benchmark table (minutes)
	$(BIN)/python -m benchmarks

quality: $(STAMP)  ## text quality on the reviews before/after issue 10, and the shipped model (minutes)
	$(BIN)/python -m benchmarks quality

bench-quick: $(STAMP)  ## the benchmarks in seconds, to prove they still run
	$(BIN)/python -m benchmarks --quick

fuzz: $(STAMP)  ## the large fuzz run and the reliability table: 7,000 model mutants, 2,050 argument vectors (minutes)
	$(BIN)/python -m benchmarks fuzz

bench-memory-1m: $(STAMP)  ## training peak RSS on 10k, 100k and 1M descriptions (about half an hour)
	$(BIN)/python -m benchmarks.training_memory --sizes 10000,100000,1000000

# Debian roots for arm64, armhf and riscv64 under qemu (fetched into build/arm, the host's binfmt_misc untouched);
# the quick form, resolving each platform's dependencies against the index, is tests/test_platforms.py.
arm-proof: $(STAMP)  ## emulated aarch64, armv7 and riscv64: lstm-gen prints what it prints on x86-64 (tens of minutes)
	$(BIN)/python tools/arm/proof.py

# --- in a browser: web/ runs the same model files with onnxruntime-web (npm); Node, npm and Debian's
# chromium come from apt (.ci/run installs them). --ignore-scripts: no package may download anything.
WEB_MODULES := web/node_modules/.package-lock.json
WEB_PORT ?= 8000

$(WEB_MODULES): web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund

web: $(WEB_MODULES)  ## static site in build/web: page, module, onnxruntime-web's wasm, both shipped models
	node web/build.mjs build/web

web-serve: web  ## serve build/web at http://127.0.0.1:$(WEB_PORT)/
	$(PYTHON) web/serve.py build/web --port $(WEB_PORT)

web-screenshot: $(STAMP) web  ## docs/web-page.png: the page in headless Chromium, as the README shows it
	$(BIN)/python -c 'from pathlib import Path; from web.drivers import screenshot; \
	print(screenshot(Path("build/web"), "?prompt=A+cream+coat&words=20", Path("docs/web-page.png"))["output"])'

web-parity: $(STAMP) $(WEB_MODULES)  ## the web tests on 1,000 prompts per model (about a minute)
	LSTM_EDGE_WEB_PROMPTS=1000 $(BIN)/python -m pytest -q -rs tests/test_web.py

clean:
	rm -rf runs benchmarks/.cache .pytest_cache .ruff_cache build/web
