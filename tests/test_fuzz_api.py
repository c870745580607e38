"""Schemathesis against the real app's OpenAPI, served by uvicorn on 127.0.0.1: no 5xx.

CI runs a few examples per operation; a longer run for a report:
``FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/test_fuzz_api.py -q``.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth

from tests.api_support import LiveServer, copy_store, make_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# FUZZ_CHECKS=all: every schemathesis check (schema conformance too), not only "no 5xx".
ALL_CHECKS = os.environ.get("FUZZ_CHECKS") == "all"
CALLS: Counter[str] = Counter()  # "POST /v1/ask 422" -> how many


@pytest.fixture(scope="module")
def live(sample_data_dir, tmp_path_factory, shared_embeddings, logged_errors):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("fuzz") / "data")
    # No rate limit in the way of the fuzzer; fetching made-up URLs gives up quickly.
    app = make_app(
        data,
        shared_embeddings,
        rate_limit_per_minute=1_000_000,
        url_timeout=2.0,
        sync_ingest_max_articles=3,
    )
    server = LiveServer(app).start()
    yield server
    server.stop()


def _openapi() -> dict:
    """The app's OpenAPI document (building the app loads no model and serves nothing).

    Loaded at import, as ``schema.parametrize`` needs: schemathesis' ``from_fixture`` does not
    work with pytest 9 (it reads the removed ``Function._nodeid``)."""
    from api.server.app import create_app
    from rag.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        return create_app(Settings(data_dir=Path(tmp))).openapi()


schema = schemathesis.openapi.from_dict(_openapi())


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 20,  # CI: the same cases every run
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case, live) -> None:
    # With every check, ignored_auth is left out: local-only mode ignores keys on purpose.
    kwargs = {"excluded_checks": [ignored_auth]} if ALL_CHECKS else {"checks": [not_a_server_error]}
    response = case.call_and_validate(base_url=live.url, timeout=300, **kwargs)
    CALLS[f"{case.method} {case.path} {response.status_code}"] += 1


def test_the_fuzzed_app_logged_no_error(live, logged_errors) -> None:
    """After the fuzzing above: not one ERROR line in the app's log."""
    print(f"\nschemathesis: {CALLS.total()} calls")  # shown with -s / -rP
    for key, n in sorted(CALLS.items()):
        print(f"  {n:6}  {key}")
    assert [r.getMessage() for r in logged_errors] == []
