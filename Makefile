# newsrag — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test install lint format eval bench stress clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# CPU torch first, from its pinned wheel: otherwise a dependency pulls a multi-GB CUDA build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install (once), ingest the bundled samples (unchanged ones are skipped), serve on 127.0.0.1:8000
run: $(STAMP)
	$(VENV)/bin/newsrag serve --ingest examples/articles

## make test: the whole test suite (what CI runs)
test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

## make eval: `newsrag eval rtqa` with its defaults (~20 min on 2 cores, first ingest included;
## the sample's store is cached). More: make eval EVAL_ARGS="--questions 200 --distractors 500"
eval: $(STAMP)
	$(VENV)/bin/newsrag eval rtqa $(EVAL_ARGS)

## make bench: newsrag vs the naive LangChain pipeline vs BM25 alone (~25 min on 2 cores).
## More: make bench BENCH_ARGS="--questions 60 --distractors 200 --sizes 1000,10000,50000,200000"
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

## make stress: 50 clients for 60 s against `newsrag serve` on 127.0.0.1 (/v1/ask, some
## streaming): latency p50/p95, status counts, server RSS start/end, log errors. STRESS_ARGS="--help"
stress: $(STAMP)
	$(PY) bench/stress.py $(STRESS_ARGS)
