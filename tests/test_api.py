"""The HTTP API through TestClient on the real app (local-only mode, a loopback client).

Answering tests share one app over a copy of the sample store; writing tests get an empty store.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from fastapi.testclient import TestClient

from rag.schema import Answer, IngestReport
from tests.api_support import LOOPBACK, copy_store, make_app, parse_sse, wait_for


@pytest.fixture(scope="module")
def api_dir(sample_data_dir, tmp_path_factory):
    return copy_store(sample_data_dir, tmp_path_factory.mktemp("api") / "data")


@pytest.fixture(scope="module")
def app(api_dir, shared_embeddings):
    return make_app(api_dir, shared_embeddings)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, client=LOOPBACK) as c:
        yield c


@pytest.fixture
def empty_client(tmp_path, shared_embeddings):
    """An app over an empty store (for writes); small batches answer inline up to 2 articles."""
    app = make_app(tmp_path / "data", shared_embeddings, sync_ingest_max_articles=2)
    with TestClient(app, client=LOOPBACK) as c:
        yield c


ARTICLES = [
    {
        "id": "vellmoor-bridge",
        "title": "Vellmoor opens its new river bridge",
        "text": "The town of Vellmoor opened its new river bridge on Tuesday. "
        "The mayor said the 240-metre crossing cost 31 million euros.",
        "url": "https://example.org/vellmoor/bridge",
        "published": "2025-05-20",
        "source": "Vellmoor Courier",
    },
    {
        "id": "harwick-library",
        "title": "Harwick library reopens after flood repairs",
        "text": "Harwick's public library reopened on Monday after eight months of repairs. "
        "The council said 12,000 books had been replaced.",
        "published": "2025-06-02",
        "source": "Harwick Herald",
    },
]


# --- asking ----------------------------------------------------------------------------------
def test_ask_returns_the_answer_contract_and_a_new_conversation(client):
    r = client.post("/v1/ask", json={"question": "How many soldiers died at Dioura?"})
    assert r.status_code == 200, r.text
    answer = Answer.model_validate(r.json())
    assert answer.status == "answered"
    assert answer.conversation_id
    assert answer.citations and all(c.quote in c.passage or c.quote for c in answer.citations)
    assert "[1]" in answer.answer
    assert r.headers["x-request-id"]


def test_follow_up_is_rewritten_and_retrieves_the_timbuktu_article(client, app):
    first = client.post("/v1/ask", json={"question": "How many soldiers died at Dioura?"}).json()
    cid = first["conversation_id"]
    r = client.post("/v1/ask", json={"question": "and at Timbuktu?", "conversation_id": cid})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["conversation_id"] == cid
    assert answer["standalone_question"] == "How many soldiers died at Timbuktu?"
    # The samples give no soldiers' toll for Timbuktu (13 attackers died there; the 30 soldiers
    # died at Boulikessi): a refusal is right, and any answer must quote Timbuktu sentences.
    assert answer["status"] == "not_found" or answer["citations"], answer
    assert all("Timbuktu" in c["quote"] for c in answer["citations"]), answer["citations"]
    # What was searched finds the Timbuktu articles (Dioura's question would not rank them first).
    retriever = app.state.parts.components.chain.retriever
    found = retriever.retrieve(answer["standalone_question"], retriever.filters(None, None), 3)
    assert any("Timbuktu" in p.title for p in found.passages), [p.title for p in found.passages]

    convo = client.get(f"/v1/conversations/{cid}").json()
    assert [t["question"] for t in convo["turns"]] == [
        "How many soldiers died at Dioura?",
        "and at Timbuktu?",
    ]
    assert convo["turns"][1]["standalone_question"] == "How many soldiers died at Timbuktu?"
    assert convo["turns"][1]["citations"] == answer["citations"]


def test_conversation_survives_a_restart(api_dir, shared_embeddings, client):
    cid = client.post("/v1/ask", json={"question": "How many soldiers died at Dioura?"}).json()[
        "conversation_id"
    ]
    restarted = make_app(api_dir, shared_embeddings)  # a new process would see the same files
    with TestClient(restarted, client=LOOPBACK) as c2:
        convo = c2.get(f"/v1/conversations/{cid}")
        assert convo.status_code == 200
        assert len(convo.json()["turns"]) == 1
        r = c2.post("/v1/ask", json={"question": "and at Timbuktu?", "conversation_id": cid})
        assert r.json()["standalone_question"] == "How many soldiers died at Timbuktu?"


def test_conversations_delete_and_unknown_ids(client):
    cid = client.post("/v1/ask", json={"question": "Who won the cup final?"}).json()[
        "conversation_id"
    ]
    assert client.delete(f"/v1/conversations/{cid}").json() == {"deleted": True, "id": cid}
    for r in (
        client.get(f"/v1/conversations/{cid}"),
        client.delete(f"/v1/conversations/{cid}"),
        client.post("/v1/ask", json={"question": "and then?", "conversation_id": cid}),
    ):
        assert r.status_code == 404
        assert "no conversation" in r.json()["message"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"question": ""}, "at least 1 character"),
        ({"question": "   \n\t "}, "question is empty"),
        ({"question": "x" * 2001}, "limit is 2,000"),
        ({"question": "ok?", "top_k": 0}, "top_k"),
        ({"question": "ok?", "as_of": "yesterday"}, "as_of"),
        ({}, "question: Field required"),
        ([1, 2], "Input should be a valid dictionary"),
    ],
)
def test_invalid_questions_are_422_with_a_message(client, body, needle):
    r = client.post("/v1/ask", json=body)
    assert r.status_code == 422
    assert needle in r.json()["message"], r.json()


def test_malformed_json_is_422_with_a_message(client):
    r = client.post(
        "/v1/ask",
        content=b'{"question": "unterminated',
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["message"].startswith("malformed JSON in the request body")
    r = client.post("/v1/ask", content=b"question=hi", headers={"Content-Type": "text/plain"})
    assert r.status_code == 422
    assert "Content-Type: application/json" in r.json()["message"]


def test_oversized_body_is_413_with_or_without_content_length(client, app):
    limit = app.state.parts.settings.max_body_bytes
    big = b'{"question": "' + b"x" * limit + b'"}'
    r = client.post("/v1/ask", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert "too large" in r.json()["message"]

    def chunks():  # no Content-Length: chunked transfer encoding
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    r = client.post("/v1/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert "too large" in r.json()["message"]


def test_a_content_length_that_lies_still_gets_413(app):
    """Content-Length says 20 bytes, the body keeps coming: the counted bytes decide."""
    limit = app.state.parts.settings.max_body_bytes
    sent: list[dict] = []
    chunks = [b"x" * 65536] * (limit // 65536 + 2)

    async def run() -> None:
        pending = list(chunks)

        async def receive():
            body = pending.pop(0) if pending else b""
            return {"type": "http.request", "body": body, "more_body": bool(pending)}

        async def send(message):
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/v1/ask",
            "raw_path": b"/v1/ask",
            "query_string": b"",
            "root_path": "",
            # HTTP/1.1 requires a Host; without one the DNS-rebinding guard answers 400 first.
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json"),
                (b"content-length", b"20"),
            ],
            "client": LOOPBACK,
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        await app(scope, receive, send)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert "too large" in json.loads(body)["message"]


def test_an_unhandled_error_is_a_json_500_without_a_trace(client, app, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(app.state.parts.components.chain, "ask", boom)
    r = client.post("/v1/ask", json={"question": "How many soldiers died at Dioura?"})
    assert r.status_code == 500
    body = r.json()
    assert "internal error" in body["message"] and body["request_id"] == r.headers["x-request-id"]
    assert "secret" not in r.text and "Traceback" not in r.text


def test_stream_failure_is_an_error_event_not_a_dropped_connection(client, app, monkeypatch):
    chain = app.state.parts.components.chain

    def failing_events(question, **kwargs):
        yield "status", {"stage": "retrieving", "standalone_question": question}
        raise RuntimeError("secret internals")

    monkeypatch.setattr(chain, "events", failing_events)
    with client.stream("POST", "/v1/ask/stream", json={"question": "Anything?"}) as r:
        assert r.status_code == 200
        events = list(parse_sse(r.iter_lines()))
    assert [e.event for e in events] == ["status", "error"]
    assert events[1].data["status"] == 500 and "answering failed" in events[1].data["message"]
    assert "secret" not in json.dumps(events[1].data)


def test_stream_validation_errors_are_plain_http_errors(client):
    r = client.post("/v1/ask/stream", json={"question": " "})
    assert r.status_code == 422 and "question is empty" in r.json()["message"]
    r = client.post("/v1/ask/stream", json={"question": "hi?", "conversation_id": "nope"})
    assert r.status_code == 404


def test_request_id_is_taken_from_the_client_or_made_up(client):
    r = client.get("/healthz", headers={"X-Request-ID": "trace-abc.123"})
    assert r.headers["x-request-id"] == "trace-abc.123"
    r = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert (
        r.headers["x-request-id"] != "bad id\twith spaces" and len(r.headers["x-request-id"]) == 32
    )


# --- articles and jobs -----------------------------------------------------------------------
def test_article_crud_round_trip(empty_client):
    c = empty_client
    r = c.post("/v1/articles", json={"articles": ARTICLES})
    assert r.status_code == 200, r.text
    report = IngestReport.model_validate(r.json())
    assert sorted(report.added) == ["harwick-library", "vellmoor-bridge"] and report.chunks_added

    again = c.post("/v1/articles", json={"articles": ARTICLES[:1]}).json()
    assert again["unchanged"] == ["vellmoor-bridge"] and not again["added"]

    page = c.get("/v1/articles", params={"limit": 1}).json()
    assert page["total"] == 2 and len(page["articles"]) == 1
    assert page["articles"][0]["id"] == "harwick-library"  # newest first
    assert "text" not in page["articles"][0] and page["articles"][0]["chars"] > 50
    assert [a["id"] for a in c.get("/v1/articles", params={"offset": 1}).json()["articles"]] == [
        "vellmoor-bridge"
    ]
    by_source = c.get("/v1/articles", params={"source": "Vellmoor Courier"}).json()
    assert [a["id"] for a in by_source["articles"]] == ["vellmoor-bridge"]
    since = c.get("/v1/articles", params={"since": "2025-06-01"}).json()
    assert [a["id"] for a in since["articles"]] == ["harwick-library"]
    until = c.get("/v1/articles", params={"until": "2025-05-31"}).json()
    assert [a["id"] for a in until["articles"]] == ["vellmoor-bridge"]

    detail = c.get("/v1/articles/vellmoor-bridge").json()
    article = detail["article"]
    assert article["title"] == ARTICLES[0]["title"] and article["published"] == "2025-05-20"
    assert detail["chunks"]
    for chunk in detail["chunks"]:
        assert article["text"][chunk["start"] : chunk["end"]] == chunk["text"]

    question = "How many books were replaced at the Harwick library?"
    answer = c.post("/v1/ask", json={"question": question}).json()
    assert answer["status"] == "answered" and "12,000" in answer["answer"]
    assert answer["citations"][0]["article_id"] == "harwick-library"

    assert c.delete("/v1/articles/vellmoor-bridge").json() == {
        "deleted": True,
        "id": "vellmoor-bridge",
    }
    assert c.get("/v1/articles/vellmoor-bridge").status_code == 404
    assert c.delete("/v1/articles/vellmoor-bridge").status_code == 404
    assert c.delete("/v1/articles", params={"source": "Harwick Herald"}).json() == {
        "source": "Harwick Herald",
        "deleted": 1,
    }
    assert c.get("/v1/articles").json()["total"] == 0
    assert c.get("/healthz").json()["store"] == {
        "reachable": True,
        "articles": 0,
        "chunks": 0,
        "vectors": 0,
        "error": None,
    }


def test_bad_records_are_rejected_in_the_report(empty_client):
    r = empty_client.post(
        "/v1/articles",
        json={"articles": [{"title": "Only whitespace", "text": "   "}, ARTICLES[1]]},
    )
    assert r.status_code == 200
    assert r.json()["added"] == ["harwick-library"]
    [rejected] = r.json()["rejected"]
    assert rejected["origin"] == "request:articles[0]" and "no text" in rejected["reason"]
    r = empty_client.post("/v1/articles", json={"articles": [], "urls": []})
    assert r.status_code == 422 and "non-empty" in r.json()["message"]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/feed.xml", "http://[::1]/a", "http://10.0.0.7/x", "file:///etc/passwd"],
)
def test_url_ingest_to_private_addresses_is_refused(empty_client, url):
    r = empty_client.post("/v1/articles", json={"urls": [url]})
    assert r.status_code == 422
    assert "refused" in r.json()["message"]
    assert empty_client.get("/v1/jobs").json() == []


def test_large_batches_run_as_a_job_with_progress(empty_client):
    extra = {
        "title": "Kestrel Bay ferry service resumes",
        "text": "The Kestrel Bay ferry resumed service on Friday after a two-week strike.",
        "source": "Bay News",
    }
    r = empty_client.post("/v1/articles", json={"articles": [*ARTICLES, extra]})
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    assert r.headers["location"] == r.json()["status_url"] == f"/v1/jobs/{job_id}"

    def finished():
        job = empty_client.get(f"/v1/jobs/{job_id}").json()
        assert job["state"] in ("queued", "running", "done"), job
        return job if job["state"] == "done" else None

    job = wait_for(finished, what="the ingest job")
    assert job["progress"]["articles_total"] == 3
    assert job["progress"]["articles_seen"] == 3 and job["progress"]["chunks_embedded"] >= 3
    assert len(job["report"]["added"]) == 3 and job["error"] is None
    assert job["started_at"] and job["finished_at"]
    assert [j["id"] for j in empty_client.get("/v1/jobs").json()] == [job_id]
    assert empty_client.get("/v1/articles").json()["total"] == 3
    assert empty_client.get("/v1/jobs/nope").status_code == 404


def test_shutdown_hands_jobs_back_and_a_restart_finishes_them(tmp_path, shared_embeddings):
    app = make_app(tmp_path / "data", shared_embeddings, sync_ingest_max_articles=0)
    parts = app.state.parts
    started = threading.Event()

    def endless(items, progress=None):  # a job that only ends when interrupted
        started.set()
        seen = 0
        while True:
            seen += 1
            progress(seen, 0)
            threading.Event().wait(0.01)

    with TestClient(app, client=LOOPBACK) as c:
        parts.components.ingestor.ingest_items = endless
        running = c.post("/v1/articles", json={"articles": ARTICLES[:1]}).json()["job_id"]
        queued = c.post("/v1/articles", json={"articles": ARTICLES[1:]}).json()["job_id"]
        assert started.wait(60)
        assert c.get(f"/v1/jobs/{running}").json()["state"] == "running"
    # The lifespan has ended: the running job stopped and went back to the queue with the other.
    for job_id in (running, queued):
        job = parts.jobs.get(job_id)
        assert job["state"] == "queued" and not job["finished_at"], job
    assert parts.jobs.get(running)["progress"]["articles_seen"] > 0

    # The server comes back (same data dir): it takes both jobs up and finishes them.
    again = make_app(tmp_path / "data", shared_embeddings, sync_ingest_max_articles=0)
    with TestClient(again, client=LOOPBACK) as c:
        for job_id in (running, queued):
            job = wait_for(
                lambda j=job_id: (v := c.get(f"/v1/jobs/{j}").json())["state"] in FINAL and v,
                what=f"job {job_id} after the restart",
            )
            assert job["state"] == "done" and job["attempts"] >= 1, job
        assert c.get("/v1/articles").json()["total"] == len(ARTICLES)


FINAL = ("done", "failed", "cancelled")


def test_cancel_a_queued_job(tmp_path, shared_embeddings):
    app = make_app(tmp_path / "data", shared_embeddings, sync_ingest_max_articles=0)
    gate = threading.Event()

    def blocked(items, progress=None):
        gate.wait(60)
        return IngestReport()

    with TestClient(app, client=LOOPBACK) as c:
        app.state.parts.components.ingestor.ingest_items = blocked
        first = c.post("/v1/articles", json={"articles": ARTICLES[:1]}).json()["job_id"]
        second = c.post("/v1/articles", json={"articles": ARTICLES[1:]}).json()["job_id"]
        cancelled = c.delete(f"/v1/jobs/{second}").json()
        assert cancelled["state"] == "cancelled"
        gate.set()
        wait_for(lambda: c.get(f"/v1/jobs/{first}").json()["state"] == "done", what="job 1")
        assert c.get(f"/v1/jobs/{second}").json()["state"] == "cancelled"


# --- ops -------------------------------------------------------------------------------------
def test_healthz(client, app, monkeypatch):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["model_loaded"] is True and body["mode"] == "local-only"
    assert body["store"]["reachable"] and body["store"]["articles"] == 11
    assert body["store"]["vectors"] == body["store"]["chunks"] > 0

    def unreachable():
        raise ConnectionError("chroma is down")

    monkeypatch.setattr(app.state.parts.components.store, "stats", unreachable)
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable" and r.json()["store"]["reachable"] is False


def test_metrics(client):
    client.post("/v1/ask", json={"question": "How many soldiers died at Dioura?"})
    client.get("/v1/articles/does-not-exist")
    text = client.get("/metrics").text
    assert 'newsrag_http_requests_total{method="POST",route="/v1/ask",status="200"}' in text
    assert (
        'newsrag_http_requests_total{method="GET",route="/v1/articles/{article_id:path}",status="404"}'
        in text
    )
    assert (
        'newsrag_http_request_duration_seconds_bucket{le="0.5",method="POST",route="/v1/ask"'
        in text
    )
    assert 'newsrag_answers_total{backend="extractive",status="answered",via="json"}' in text
    for stage in ("retrieval", "answer", "total", "embed_query"):
        assert f'newsrag_answer_stage_seconds_count{{stage="{stage}"}}' in text
    assert "newsrag_ingest_articles_total" in text and "process_cpu_seconds_total" in text
    assert "/does-not-exist" not in text  # route templates, not raw paths


def test_static_files(client):
    widget = client.get("/widget.js")
    if widget.status_code == 404:  # the widget is another feature; it may be absent
        assert "widget" in widget.json()["message"]
    else:
        assert widget.headers["content-type"].startswith("text/javascript")
        assert "max-age=" in widget.headers["cache-control"] and widget.headers["etag"]
        again = client.get("/widget.js", headers={"If-None-Match": widget.headers["etag"]})
        assert again.status_code == 304
    index = client.get("/", follow_redirects=False)
    assert index.status_code in (200, 307)


def test_openapi_documents_the_api(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/v1/ask",
        "/v1/ask/stream",
        "/v1/conversations/{conversation_id}",
        "/v1/articles",
        "/v1/articles/{article_id}",
        "/v1/jobs/{job_id}",
        "/healthz",
    ):
        assert path in paths, path
    assert spec["components"]["schemas"]["AskRequest"]["examples"]
    assert {"HTTPBearer", "APIKeyHeader"} <= set(spec["components"]["securitySchemes"])
    assert client.get("/docs").status_code == 200


def test_url_ingest_runs_as_a_job_when_private_urls_are_allowed(tmp_path, shared_embeddings):
    """Offline: a local server stands in for a news site (allowed by the setting)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    record = json.dumps({**ARTICLES[1], "id": None}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(record)))
            self.end_headers()
            self.wfile.write(record)

        def log_message(self, *args) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{site.server_address[1]}/library.json"
    app = make_app(tmp_path / "data", shared_embeddings, allow_private_urls=True)
    try:
        with TestClient(app, client=LOOPBACK) as c:
            r = c.post("/v1/articles", json={"urls": [url]})
            assert r.status_code == 202, r.text
            job_id = r.json()["job_id"]
            job = wait_for(
                lambda: (j := c.get(f"/v1/jobs/{job_id}").json())["state"] == "done" and j,
                what="the URL job",
            )
            assert job["kind"] == "urls" and len(job["report"]["added"]) == 1, job
            [article] = c.get("/v1/articles").json()["articles"]
            assert article["title"] == ARTICLES[1]["title"]
    finally:
        site.shutdown()
        site.server_close()
