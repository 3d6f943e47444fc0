# Two commands matter on a fresh machine: `make demo` and `make test` (both set up first).
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench bench-api bench-index bench-extract model clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# torch is pinned to the CPU wheel that is available offline; installed first so that
	# nothing else can pull a CUDA build.
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[transformers,index,api,dask,encoders,dev]"
	touch $(STAMP)

SAMPLE := corpora/sample/dated/articles.jsonl
PRICES := corpora/market/prices_2025-11_2026-04.csv
N := $(VENV)/bin/narratives

# Score the sample batch (exit 3 means "some records rejected": still a result), build the daily
# index with syndicated copies merged, and write the HTML report against real prices.
demo: setup
	$(N) score $(SAMPLE) --out out/sample.scored.jsonl --summary || [ $$? -eq 3 ]
	$(N) index out/sample.scored.jsonl --articles $(SAMPLE) --out out/index.csv
	$(N) report out/index.csv $(PRICES) --symbols IGV,SOXX,^GSPC,NVDA,CRM --scored out/sample.scored.jsonl --out out/report.html
	@echo "scored records: out/sample.scored.jsonl; index: out/index.csv; report: out/report.html"

test: setup
	$(VENV)/bin/python -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .

model: setup
	$(PY) scripts/train_default.py

bench: setup
	$(PY) scripts/bench_score.py

bench-extract: setup
	$(PY) scripts/bench_extract.py

bench-index: setup
	$(PY) scripts/bench_index.py

bench-api: setup
	$(PY) scripts/bench_api.py

clean:
	rm -rf $(VENV) out .pytest_cache
