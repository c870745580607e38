"""API keys, scopes, the widget's origin allowlist, CORS, rate limits and local-only mode."""

from __future__ import annotations

import os
import sqlite3

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.auth import RateLimiter, normalize_origin
from tests.api_support import LOOPBACK, copy_store, make_app

SITE = "https://news.example.org"
OTHER = "https://evil.example.com"
CONFIGURED = "https://admin.example.net"
ASK = {"question": "How many soldiers died at Dioura?"}


@pytest.fixture(scope="module")
def keyed(sample_data_dir, shared_embeddings, tmp_path_factory):
    """An app with one key of each scope; the client is NOT on loopback (keys are needed)."""
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("auth") / "data")
    app = make_app(data, shared_embeddings, cors_origins=[CONFIGURED])
    keys = app.state.parts.keys
    secrets = {
        "ask": keys.create("ask", name="reader")[1],
        "admin": keys.create("admin")[1],
        "widget": keys.create("widget", origins=[SITE + "/"])[1],
        "ask2": keys.create("ask", name="other reader")[1],
    }
    with TestClient(app, client=("203.0.113.9", 40000)) as client:
        yield client, secrets, app


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_missing_or_wrong_key_is_401(keyed):
    client, secrets, _ = keyed
    r = client.post("/v1/ask", json=ASK)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert "API key is required" in r.json()["message"]
    for headers in (
        bearer("nrk_wrong"),
        {"X-API-Key": "nrk_wrong"},
        {"Authorization": f"Basic {secrets['admin']}"},
    ):
        r = client.get("/v1/articles", headers=headers)
        assert r.status_code == 401, headers


def test_scopes(keyed):
    client, secrets, _ = keyed
    ask, admin = bearer(secrets["ask"]), {"X-API-Key": secrets["admin"]}
    assert client.post("/v1/ask", json=ASK, headers=ask).status_code == 200
    assert client.get("/v1/articles", headers=ask).status_code == 200
    detail = client.get("/v1/articles", headers=ask).json()["articles"][0]
    assert client.get(f"/v1/articles/{detail['id']}", headers=ask).json()["article"]["origin"] == ""
    for method, path, body in (
        ("POST", "/v1/articles", {"articles": [{"title": "t", "text": "x"}]}),
        ("DELETE", f"/v1/articles/{detail['id']}", None),
        ("DELETE", "/v1/articles?source=Sahel%20Monitor", None),
        ("GET", "/v1/jobs", None),
        ("GET", "/metrics", None),
    ):
        r = client.request(method, path, json=body, headers=ask)
        assert r.status_code == 403, (method, path)
        assert "scope 'ask'" in r.json()["message"]
    assert client.get("/v1/jobs", headers=admin).status_code == 200
    assert client.get("/metrics", headers=admin).status_code == 200
    assert client.get(f"/v1/articles/{detail['id']}", headers=admin).json()["article"]["origin"]
    assert client.get("/healthz").status_code == 200  # no key: load balancers


def test_widget_key_only_works_from_its_origins(keyed):
    client, secrets, _ = keyed
    key = {"X-API-Key": secrets["widget"]}
    for headers in (key, {**key, "Origin": OTHER}, {**key, "Origin": "null"}):
        r = client.post("/v1/ask", json=ASK, headers=headers)
        assert r.status_code == 403, headers
        assert "not allowed from" in r.json()["message"]
        assert "access-control-allow-origin" not in r.headers
    visitor = {"X-Newsrag-Visitor": "v" * 32}  # the widget's per-browser secret
    r = client.post("/v1/ask", json=ASK, headers={**key, **visitor, "Origin": SITE})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == SITE
    assert "Origin" in r.headers["vary"]
    cid = r.json()["conversation_id"]
    conversation = f"/v1/conversations/{cid}"
    assert client.get(conversation, headers={**key, **visitor, "Origin": SITE}).status_code == 200
    # The shared key alone does not open it (tests/test_widget_visitor.py has the rest).
    assert client.get(conversation, headers={**key, "Origin": SITE}).status_code == 404
    # A public key is no way to read the corpus or write to it.
    r = client.get("/v1/articles", headers={**key, "Origin": SITE})
    assert r.status_code == 403 and "scope 'widget'" in r.json()["message"]


def test_stream_with_a_widget_key_sends_cors_headers(keyed):
    client, secrets, _ = keyed
    headers = {"X-API-Key": secrets["widget"], "Origin": SITE}
    with client.stream("POST", "/v1/ask/stream", json=ASK, headers=headers) as r:
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == SITE
        assert r.headers["content-type"].startswith("text/event-stream")
        assert "event: done" in r.read().decode()


def test_cors_preflight(keyed):
    client, _, _ = keyed

    def preflight(path: str, origin: str):
        return client.options(
            path,
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, x-api-key, content-type",
            },
        )

    r = preflight("/v1/ask/stream", SITE)
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == SITE
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "x-api-key", "content-type"} <= allowed
    assert "POST" in r.headers["access-control-allow-methods"]

    for path, origin in (("/v1/ask", OTHER), ("/v1/articles", SITE)):
        r = preflight(path, origin)
        assert r.status_code == 403, (path, origin)
        assert "access-control-allow-origin" not in r.headers
    # Configured origins (NEWSRAG_CORS_ORIGINS) may call every route.
    assert (
        preflight("/v1/articles", CONFIGURED).headers["access-control-allow-origin"] == CONFIGURED
    )
    # Never a wildcard.
    assert "*" not in str(preflight("/v1/ask", SITE).headers.get("access-control-allow-origin"))


def test_widget_origins_added_at_run_time_are_allowed_at_once(keyed):
    client, _, app = keyed
    late = "http://localhost:5173"
    headers = {"Origin": late, "Access-Control-Request-Method": "POST"}
    assert client.options("/v1/ask", headers=headers).status_code == 403
    _, secret = app.state.parts.keys.create("widget", origins=[late])
    assert client.options("/v1/ask", headers=headers).status_code == 204
    r = client.get("/v1/conversations/nope", headers={"X-API-Key": secret, "Origin": late})
    assert r.status_code == 404 and r.headers["access-control-allow-origin"] == late


def test_revoked_keys_stop_working(keyed):
    client, _, app = keyed
    keys = app.state.parts.keys
    key, secret = keys.create("ask", name="temporary")
    assert client.get("/v1/articles?limit=1", headers=bearer(secret)).status_code == 200
    assert keys.revoke(key.prefix).id == key.id
    assert client.get("/v1/articles?limit=1", headers=bearer(secret)).status_code == 401
    assert keys.revoke(key.id) is None


def test_conversations_belong_to_their_key(keyed):
    client, secrets, _ = keyed
    r = client.post("/v1/ask", json=ASK, headers=bearer(secrets["ask"]))
    cid = r.json()["conversation_id"]
    other = bearer(secrets["ask2"])
    assert client.get(f"/v1/conversations/{cid}", headers=other).status_code == 404
    follow = {"question": "and at Timbuktu?", "conversation_id": cid}
    assert client.post("/v1/ask", json=follow, headers=other).status_code == 404
    assert (
        client.get(f"/v1/conversations/{cid}", headers=bearer(secrets["admin"])).status_code == 200
    )


def test_keys_are_stored_hashed(keyed):
    _, secrets, app = keyed
    dump = "\n".join(sqlite3.connect(app.state.parts.settings.app_db_path).iterdump())
    for secret in secrets.values():
        assert secret not in dump and secret[:20] not in dump


def test_rate_limit_is_per_key_with_retry_after(sample_data_dir, shared_embeddings, tmp_path):
    data = copy_store(sample_data_dir, tmp_path / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=3)
    a = app.state.parts.keys.create("ask")[1]
    b = app.state.parts.keys.create("ask")[1]
    client = TestClient(app, client=("203.0.113.9", 40000))  # no lifespan: no model needed
    for _ in range(3):
        assert client.get("/v1/articles?limit=1", headers=bearer(a)).status_code == 200
    r = client.get("/v1/articles?limit=1", headers=bearer(a))
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert "rate limit of 3 requests a minute" in r.json()["message"]
    assert client.get("/v1/articles?limit=1", headers=bearer(b)).status_code == 200


def test_token_bucket_refills():
    limiter = RateLimiter(60)  # one a second
    assert all(limiter.take("k", now=100.0)[0] for _ in range(60))
    allowed, wait = limiter.take("k", now=100.0)
    assert not allowed and wait == pytest.approx(1.0)
    assert limiter.take("k", now=101.01)[0]
    assert limiter.take("other", now=100.0)[0]


def test_local_only_mode(sample_data_dir, shared_embeddings, tmp_path):
    data = copy_store(sample_data_dir, tmp_path / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=2)
    local = TestClient(app, client=LOOPBACK)
    assert local.get("/v1/articles?limit=1").status_code == 200  # no key needed
    assert local.get("/v1/jobs").status_code == 200  # full access
    remote = TestClient(app, client=("198.51.100.4", 40000))
    r = remote.get("/v1/articles?limit=1")
    assert r.status_code == 403 and "local-only mode" in r.json()["message"]
    # Rate limited per client address.
    local.get("/v1/articles?limit=1")
    assert local.get("/v1/articles?limit=1").status_code == 429
    other_local = TestClient(app, client=("127.0.0.2", 1))
    assert other_local.get("/v1/articles?limit=1").status_code == 200


def test_refuses_to_start_on_a_public_interface_without_keys(
    sample_data_dir, shared_embeddings, tmp_path
):
    from api.server.app import LocalOnlyRefused

    data = copy_store(sample_data_dir, tmp_path / "data")
    app = make_app(data, shared_embeddings, host="0.0.0.0")
    with pytest.raises(LocalOnlyRefused, match="keys create"), TestClient(app):
        pass


def test_keys_cli(tmp_path):
    from api.cli import app as cli

    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    r = runner.invoke(cli, ["keys", "create", "--scope", "widget", *data])
    assert r.exit_code == 2 and "--origin" in r.output
    r = runner.invoke(cli, ["keys", "create", "--scope", "widget", "--origin", "ftp://x", *data])
    assert r.exit_code == 2 and "not an origin" in r.output
    r = runner.invoke(
        cli, ["keys", "create", "--scope", "widget", "--origin", SITE, "--name", "site", *data]
    )
    assert r.exit_code == 0, r.output
    secret = next(line for line in r.output.splitlines() if line.startswith("nrk_"))
    r = runner.invoke(cli, ["keys", "list", *data])
    assert r.exit_code == 0 and "widget" in r.output and SITE in r.output
    assert secret not in r.output and secret[:10] in r.output
    r = runner.invoke(cli, ["keys", "revoke", secret[:10], *data])
    assert r.exit_code == 0 and "revoked widget key" in r.output
    r = runner.invoke(cli, ["keys", "revoke", secret[:10], *data])
    assert r.exit_code == 1
    r = runner.invoke(cli, ["keys", "list", *data])
    assert "no API keys" in r.output


def test_serve_refuses_a_public_host_without_keys(tmp_path, monkeypatch):
    from api.cli import app as cli

    for name in ("NEWSRAG_HOST", "NEWSRAG_PORT", "NEWSRAG_DATA_DIR"):  # restored afterwards
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)

    r = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2
    assert "newsrag keys create" in r.output
    assert "NEWSRAG_HOST" not in os.environ  # nothing leaks into the next app


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("https://News.Example.org/", "https://news.example.org"),
        ("https://news.example.org:443", "https://news.example.org"),
        ("http://localhost:5173", "http://localhost:5173"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://news.example.org/page", None),
        ("null", None),
        ("file:///tmp/x.html", None),
        ("news.example.org", None),
    ],
)
def test_normalize_origin(raw, norm):
    assert normalize_origin(raw) == norm


def test_json_access_log_carries_the_request_id_and_the_key(keyed):
    import io
    import json
    import logging

    from api.logs import JsonFormatter, RequestIdFilter

    client, secrets, app = keyed
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("api")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        headers = {**bearer(secrets["ask"]), "X-Request-ID": "trace-42"}
        client.get("/v1/articles?limit=1", headers=headers)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [access] = [e for e in lines if e.get("path") == "/v1/articles"]
    ask_key = next(k for k in app.state.parts.keys.list() if k.name == "reader")
    assert access["request_id"] == "trace-42" and access["key_id"] == ask_key.id
    assert access["status"] == 200 and access["route"] == "/v1/articles"
    assert access["level"] == "info" and access["duration_ms"] >= 0
