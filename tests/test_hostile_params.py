"""Every string and list parameter of every route, with hostile values: never a 5xx.

The routes come from the app's own OpenAPI schema, so a route added later is walked too. Each
string (query, path, or a JSON body field at any depth, list items included) gets a lone
surrogate, NUL and control characters, and a huge string; each list gets a hostile item and
ten thousand items. A lone surrogate is not text: it gets 422 naming the field (as a question
with one does), except inside ingested article records, where it rejects that record only (a
bad record never stops a batch). Streams never report a 5xx in an ``error`` event.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.api_support import LOOPBACK, copy_store, make_app, parse_sse

SURROGATE = "\ud800"
HOSTILE_TEXT = {
    "surrogate": "Dioura \ud800 attack",
    "nul-controls": "Dioura\x00\x1b[31m\x07\x7f\u202e\r\n",
    "huge": "Dioura " * 30_000,
}
# Query strings and paths cannot carry a lone surrogate (percent-decoding replaces invalid
# UTF-8 with U+FFFD); the encoded bytes of one are sent instead.
HOSTILE_URL = {
    "encoded-surrogate": "%ED%A0%80",
    "nul-controls": "a%00b%1B%07%7F",
    "huge": "x" * 20_000,
    "dots": "..%2F..%2Fetc%2Fpasswd",
}


@pytest.fixture(scope="module")
def client(sample_data_dir, tmp_path_factory, shared_embeddings):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("hostile-params") / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=1_000_000, url_timeout=2.0)
    with TestClient(app, client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def schema(client) -> dict:
    return client.get("/openapi.json").json()


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    for key in ("anyOf", "oneOf"):
        if key in node:
            options = [_resolve(schema, o) for o in node[key] if o.get("type") != "null"]
            if options:
                return options[0]
    return node


def _example(schema: dict, node: dict) -> Any:
    """A valid value for ``node``: the schema's own example if it has one, else a minimal one
    (lists of objects get one item, so that their fields are walked too)."""
    node = _resolve(schema, node)
    if node.get("examples"):
        return copy.deepcopy(node["examples"][0])
    if "enum" in node:
        return "user" if "user" in node["enum"] else node["enum"][0]
    kind = node.get("type")
    if kind == "object" or "properties" in node:
        props = node.get("properties", {})
        return {name: _example(schema, sub) for name, sub in props.items()}
    if kind == "array":
        item = _resolve(schema, node.get("items", {}))
        return (
            [_example(schema, item)] if item.get("type") == "object" or "properties" in item else []
        )
    if kind == "integer":
        return max(1, node.get("minimum", 1))
    if kind == "number":
        return 0.5
    if kind == "boolean":
        return False
    if node.get("format") == "date":
        return "2025-06-02"
    return "Dioura"


def _leaves(schema: dict, node: dict, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, "string" | "array") of every string and list in a body schema."""
    node = _resolve(schema, node)
    out: list[tuple[tuple, str]] = []
    if node.get("type") == "object" or "properties" in node:
        for name, sub in node.get("properties", {}).items():
            out += _leaves(schema, sub, (*path, name))
    elif node.get("type") == "array":
        out.append((path, "array"))
        out += _leaves(schema, node.get("items", {}), (*path, 0))
    elif node.get("type") == "string" and "enum" not in node:
        out.append((path, "string"))
    return out


def _set(body: Any, path: tuple, value: Any) -> Any:
    body = copy.deepcopy(body)
    target = body
    for key in path[:-1]:
        if isinstance(key, int):
            while len(target) <= key:
                target.append({})
        elif key not in target or target[key] is None:
            target[key] = [] if isinstance(path[path.index(key) + 1], int) else {}
        target = target[key]
    last = path[-1]
    if isinstance(last, int):
        while len(target) <= last:
            target.append(None)
    target[last] = value
    return body


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            yield method.upper(), path, op


def _check(response, what: str, *, field: str | None = None, must_422: bool = False) -> None:
    assert response.status_code < 500, (what, response.status_code, response.text[:500])
    ctype = response.headers.get("content-type", "")
    if response.status_code >= 400:
        body = response.json()
        assert body["status"] == response.status_code and body["message"], what
        if must_422:
            assert response.status_code == 422, (what, response.text[:300])
            assert field and field in body["message"], (what, field, body["message"])
    elif "text/event-stream" in ctype:
        events = list(parse_sse(response.iter_lines()))
        errors = [e.data for e in events if e.event == "error"]
        assert all(e.get("status", 0) < 500 for e in errors), (what, errors)
        assert not must_422, (what, "streamed instead of 422")
    elif must_422:
        raise AssertionError((what, response.status_code, response.text[:300]))


def _send(client, method: str, path: str, body: Any | None = None, query: str = ""):
    url = path + (f"?{query}" if query else "")
    if body is None:
        return client.request(method, url)
    raw = json.dumps(body, ensure_ascii=True).encode()  # \ud800 travels as its JSON escape
    return client.request(method, url, content=raw, headers={"content-type": "application/json"})


def _fill(path: str, params: list[dict], **values: str) -> str:
    for p in params:
        if p["in"] == "path":
            path = path.replace("{" + p["name"] + "}", values.get(p["name"], "nope"))
    return path


def test_the_walk_covers_every_route(schema) -> None:
    ops = list(_operations(schema))
    assert len(ops) >= 12
    leaves = {
        (m, p, leaf)
        for m, p, op in ops
        if "requestBody" in op
        for leaf, _ in _leaves(schema, op["requestBody"]["content"]["application/json"]["schema"])
    }
    assert ("POST", "/v1/ask", ("sources",)) in leaves
    assert ("POST", "/v1/articles", ("articles", 0, "title")) in leaves


def test_hostile_body_fields(client, schema) -> None:
    checked = 0
    for method, path, op in _operations(schema):
        body_schema = op.get("requestBody", {}).get("content", {}).get("application/json")
        if not body_schema:
            continue
        url = _fill(path, op.get("parameters", []))
        baseline = _example(schema, body_schema["schema"])
        _check(_send(client, method, url, baseline), f"{method} {path} baseline")
        for leaf, kind in _leaves(schema, body_schema["schema"]):
            values = dict(HOSTILE_TEXT)
            if kind == "array":
                values = {f"list-{k}": [v] for k, v in HOSTILE_TEXT.items()}
                values["10k-items"] = ["Dioura"] * 10_000
            named = next((str(k) for k in reversed(leaf) if isinstance(k, str)), "")
            for name, value in values.items():
                what = f"{method} {path} {'.'.join(map(str, leaf))} = {name}"
                response = _send(client, method, url, _set(baseline, leaf, value))
                in_record = path == "/v1/articles" and leaf[0] == "articles"
                surrogate = "surrogate" in name
                _check(response, what, field=named, must_422=surrogate and not in_record)
                if surrogate and in_record and response.status_code == 200:
                    # The record is rejected with the reason (or the field dropped: a url
                    # that is not http(s) is not kept), never stored with the surrogate.
                    reasons = [r["reason"] for r in response.json()["rejected"]]
                    assert all("surrogate" in r for r in reasons), (what, reasons)
                checked += 1
    assert checked > 50


def test_hostile_query_and_path_parameters(client, schema) -> None:
    checked = 0
    for method, path, op in _operations(schema):
        params = op.get("parameters", [])
        for p in params:
            node = _resolve(schema, p.get("schema", {}))
            if node.get("type") not in ("string", "array") or p["in"] not in ("query", "path"):
                continue
            for name, value in HOSTILE_URL.items():
                what = f"{method} {path} {p['in']}:{p['name']} = {name}"
                if p["in"] == "path":
                    url, query = _fill(path, params, **{p["name"]: value}), ""
                else:
                    url, query = _fill(path, params), f"{quote(p['name'])}={value}"
                _check(_send(client, method, url, None, query), what)
                checked += 1
    assert checked >= 20


def test_a_lone_surrogate_in_sources_streams_nothing(client) -> None:
    """The reported case: 422 up front, not an ``error`` event with status 500."""
    body = {"question": "How many soldiers died at Dioura?", "sources": [SURROGATE]}
    for path in ("/v1/ask", "/v1/ask/stream"):
        r = _send(client, "POST", path, body)
        assert r.status_code == 422, r.text[:300]
        assert "sources" in r.json()["message"]
        assert r.json()["detail"][0]["loc"] == ["body", "sources", 0]
