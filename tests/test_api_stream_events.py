"""The stream's ids and documented event schemas, and the 413 body, on a live uvicorn."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.api_support import LiveServer, copy_store, make_app

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def live(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("stream") / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=100_000, max_body_bytes=5_000)
    server = LiveServer(app).start()
    yield server
    server.stop()


def _events(lines):
    event, block = {}, []
    for line in lines:
        if line == "":
            if block:
                yield event
            event, block = {}, []
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            event[field] = value.removeprefix(" ")
            block.append(line)


def test_events_have_ids_and_match_their_documented_schema(live):
    with httpx.Client(base_url=live.url, timeout=120) as http:
        spec = http.get("/openapi.json").json()
        body = {"question": "How many soldiers died at Dioura?"}
        with http.stream("POST", "/v1/ask/stream", json=body) as r:
            assert r.status_code == 200
            events = list(_events(r.iter_lines()))
    content = spec["paths"]["/v1/ask/stream"]["post"]["responses"]["200"]["content"]
    item = content["text/event-stream"]["itemSchema"]
    by_name = {b["properties"]["event"]["const"]: b for b in item["oneOf"]}
    assert set(by_name) == {"status", "sentence", "citations", "done", "error"}
    assert [e["id"] for e in events] == [str(i) for i in range(1, len(events) + 1)]
    for e in events:
        branch = by_name[e["event"]]
        data_schema = branch["properties"]["data"]["contentSchema"]
        schema = {**data_schema, "components": spec["components"]}
        jsonschema.validate(json.loads(e["data"]), schema)
        jsonschema.validate(e, {**branch, "properties": {**branch["properties"], "data": {}}})


def test_413_body_carries_the_request_id(live):
    big = {"question": "x" * 10_000}
    with httpx.Client(base_url=live.url, timeout=60) as http:
        r = http.post("/v1/ask", json=big, headers={"X-Request-ID": "too-big-1"})
        assert r.status_code == 413
        assert r.json()["request_id"] == "too-big-1" == r.headers["x-request-id"]

        def chunks():  # no Content-Length: the limit is found while reading
            yield b'{"question": "'
            for _ in range(10):
                yield b"x" * 1000
            yield b'"}'

        r = http.post(
            "/v1/ask",
            content=chunks(),
            headers={"Content-Type": "application/json", "X-Request-ID": "too-big-2"},
        )
        assert r.status_code == 413 and r.json()["request_id"] == "too-big-2"
