"""DNS rebinding: the server answers only to the host names it knows (api/server/hosts.py).

A page on a name the attacker controls, re-pointed at 127.0.0.1, is same-origin with the API
and could read, ingest and delete in local-only mode. Every request whose ``Host`` is not a
loopback name, the bound address, an IP literal or a configured name gets 400 before any route
runs: over plain HTTP with odd headers, and in real Chromium with a host-resolver rule.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.server.hosts import HostPolicy, host_name
from tests.api_support import LOOPBACK, LiveServer, copy_store, make_app

FOREIGN = [
    "evil.example",
    "evil.example:8000",
    "EVIL.example.",
    "localhost.evil.example",
    "127.0.0.1.nip.io",
    "0.0.0.0:8000",
    "[::]:8000",
    "testserver.example",
    "",
    "local host",
    "localhost@evil.example",
    "[::1",
    "localhost:80x",
    "x" * 5000,
]
LOCAL = ["localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]:8000", "LocalHost."]


@pytest.fixture(scope="module")
def data(sample_data_dir, tmp_path_factory) -> Path:
    return copy_store(sample_data_dir, tmp_path_factory.mktemp("hosts") / "data")


@pytest.fixture(scope="module")
def client(data, shared_embeddings):
    # allowed_hosts passed explicitly: the suite's default (conftest) admits "testserver".
    app = make_app(data, shared_embeddings, allowed_hosts=["news.example.org", "*.corp.example"])
    with TestClient(
        app, base_url="http://127.0.0.1", client=LOOPBACK, raise_server_exceptions=False
    ) as c:
        yield c


def _routes(client) -> list[tuple[str, str]]:
    """(method, path) of every route in the OpenAPI schema, path parameters filled in."""
    schema = client.get("/openapi.json").json()
    out = []
    for path, methods in schema["paths"].items():
        concrete = path.replace("{", "").replace("}", "")  # /v1/jobs/{job_id} -> /v1/jobs/job_id
        out += [(m.upper(), concrete) for m in methods]
    return out + [("GET", "/widget.js"), ("GET", "/static/widget.js"), ("GET", "/nowhere")]


def test_the_policy_reads_host_headers_as_browsers_send_them() -> None:
    policy = HostPolicy("127.0.0.1", [])
    for header in LOCAL + ["10.0.0.5:8000", "[fe80::1]:8000", "app.localhost:8000"]:
        assert policy.allows(header), header
    for header in FOREIGN:
        assert not policy.allows(header), header
    assert host_name("[::1]:8000") == "::1" and host_name("Example.ORG.:443") == "example.org"
    assert HostPolicy("0.0.0.0", []).allows("0.0.0.0:8000") is False  # bound != a name
    assert HostPolicy("news.internal", []).allows("news.internal:8000")  # the bound name
    assert HostPolicy(None, ["*"]).allows("anything.example")


def test_every_route_refuses_a_foreign_host_before_it_runs(client) -> None:
    routes = _routes(client)
    assert len(routes) > 10
    for method, path in routes:
        for host in ("evil.example:8000", "0.0.0.0:8000"):
            r = client.request(method, path, headers={"host": host}, json={})
            assert r.status_code == 400, (method, path, host, r.status_code, r.text[:200])
            body = r.json()
            assert body["status"] == 400 and "NEWSRAG_ALLOWED_HOSTS" in body["message"]
            assert "access-control-allow-origin" not in r.headers


def test_odd_host_headers_are_refused_and_known_names_served(client) -> None:
    for host in FOREIGN:
        r = client.get("/healthz", headers={"host": host})
        assert r.status_code == 400, (host, r.status_code)
    for host in LOCAL + ["news.example.org", "NEWS.example.org:443", "a.b.corp.example"]:
        r = client.get("/healthz", headers={"host": host})
        assert r.status_code == 200, (host, r.text[:200])


def test_a_refused_host_writes_nothing(client) -> None:
    record = {"id": "rebound-1", "title": "Rebound", "text": "A rebinding page wrote this."}
    r = client.post(
        "/v1/articles", headers={"host": "evil.example:8000"}, json={"articles": [record]}
    )
    assert r.status_code == 400
    before = client.get("/v1/articles", params={"source": "Desert Wire"}).json()["total"]
    r = client.delete("/v1/articles", params={"source": "Desert Wire"}, headers={"host": "evil"})
    assert r.status_code == 400
    assert client.get("/v1/articles/rebound-1").status_code == 404
    assert client.get("/v1/articles", params={"source": "Desert Wire"}).json()["total"] == before
    assert before > 0


@pytest.fixture(scope="module")
def live(data, shared_embeddings):
    server = LiveServer(make_app(data, shared_embeddings, allowed_hosts=[])).start()
    yield server
    server.stop()


def _raw_get(port: int, host_header: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\n" + host_header + b"Connection: close\r\n\r\n")
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def test_raw_requests_without_a_usable_host(live) -> None:
    """Over a real socket: no Host at all (HTTP/1.0), two Hosts, bytes that are not ASCII."""
    assert _raw_get(live.port, b"Host: localhost\r\n").startswith(b"HTTP/1.1 200")
    for header in (b"", b"Host: evil.example\r\n", b"Host: \xff\xfe.example\r\n"):
        reply = _raw_get(live.port, header)
        assert reply.split(b" ", 2)[1] in (b"400",), (header, reply[:200])
    with httpx.Client(base_url=live.url, timeout=30) as h:
        assert h.get("/healthz").status_code == 200
        assert h.get("/healthz", headers={"host": "evil.example"}).status_code == 400


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
def test_a_rebound_name_cannot_read_or_write_in_chromium(live) -> None:
    """Chromium resolves evil.example to 127.0.0.1 (a rebinding DNS server's answer): the page
    on that origin is same-origin with the API, yet every call it makes is refused."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (never `playwright install`)")
    sync_api = pytest.importorskip("playwright.sync_api")
    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-quic",
        "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP news.example.org 127.0.0.1",
    ]
    script = """async () => {
        const out = {};
        for (const [name, path, init] of [
            ["list", "/v1/articles", {}],
            ["metrics", "/metrics", {}],
            ["ingest", "/v1/articles", {method: "POST", headers: {"content-type":
                "application/json"}, body: JSON.stringify({articles: [{id: "rebound-2",
                title: "Rebound", text: "A rebinding page wrote this."}]})}],
            ["delete", "/v1/articles?source=Desert%20Wire", {method: "DELETE"}],
        ]) {
            const r = await fetch(path, init);
            out[name] = {status: r.status, body: await r.text()};
        }
        return out;
    }"""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args, timeout=120_000)
        try:
            page = browser.new_page()
            first = page.goto(f"http://evil.example:{live.port}/healthz")
            assert first is not None and first.status == 400
            results = page.evaluate(script)
            for name, result in results.items():
                assert result["status"] == 400, (name, result)
                assert "articles" not in json.loads(result["body"]), name
            # The same browser on a loopback name is served (the check is not a blanket 400).
            ok = page.goto(f"http://localhost:{live.port}/healthz")
            assert ok is not None and ok.status == 200
        finally:
            browser.close()
    with httpx.Client(base_url=live.url, timeout=30) as h:
        assert h.get("/v1/articles/rebound-2").status_code == 404
        assert h.get("/v1/articles", params={"source": "Desert Wire"}).json()["total"] > 0
