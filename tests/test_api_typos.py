"""Typos are errors, not silent not_found: unknown sources and query parameters (live uvicorn)."""

from __future__ import annotations

import httpx
import pytest

from tests.api_support import LiveServer, copy_store, make_app

DIOURA = "How many soldiers died at Dioura?"


@pytest.fixture(scope="module")
def http(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("typos") / "data")
    server = LiveServer(make_app(data, shared_embeddings, rate_limit_per_minute=100_000)).start()
    with httpx.Client(base_url=server.url, timeout=120) as client:
        yield client
    server.stop()


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/ask/stream", "/v1/search"])
def test_unknown_source_is_422_with_close_matches(http, path):
    body = {"question": DIOURA, "sources": ["Sahel Monitr"]}
    if path == "/v1/search":
        body = {"query": DIOURA, "sources": ["Sahel Monitr"]}
    r = http.post(path, json=body)
    assert r.status_code == 422, r.text
    message = r.json()["message"]
    assert "'Sahel Monitr'" in message and "did you mean 'Sahel Monitor'" in message


def test_source_names_ignore_case_and_known_ones_pass(http):
    r = http.post("/v1/ask", json={"question": DIOURA, "sources": ["sahel monitor"]})
    assert r.status_code == 200
    assert all(c["source"] == "Sahel Monitor" for c in r.json()["citations"])


def test_unknown_query_parameter_is_422(http):
    r = http.get("/v1/articles", params={"limt": 5})
    assert r.status_code == 422
    message = r.json()["message"]
    assert "'limt'" in message and "did you mean 'limit'" in message
    assert http.get("/v1/articles", params={"limit": 5}).status_code == 200
    r = http.post("/v1/ask", params={"as_of": "2025-06-01"}, json={"question": DIOURA})
    assert r.status_code == 422 and "as_of" in r.json()["message"]
    # Pages outside the API take cache-busting parameters.
    assert http.get("/widget.js", params={"v": "3"}).status_code == 200
