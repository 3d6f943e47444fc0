# Two commands matter on a fresh machine: `make demo` and `make test` (both set up first).
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench model clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch is pinned to the CPU wheel that is available offline; installed first so that
	# nothing else can pull a CUDA build.
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[transformers,index,api,dev]"
	touch $(STAMP)

demo: setup
	$(VENV)/bin/narratives score corpora/sample/articles.jsonl --out out/sample.scored.jsonl --summary

test: setup
	$(VENV)/bin/python -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .

model: setup
	$(PY) scripts/train_default.py

bench: setup
	$(PY) scripts/bench_score.py

clean:
	rm -rf $(VENV) out .pytest_cache
