"""The API on a real uvicorn (127.0.0.1, a free port): streaming and concurrency.

Local-only mode: the test client is on loopback, so no key is needed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from rag.schema import Answer, Citation
from tests.api_support import LiveServer, copy_store, make_app, parse_sse, wait_for

VARIANTS = [
    "The town of Vellmoor opened its new river bridge on Tuesday. "
    f"The mayor said the crossing, version {i}, cost {30 + i} million euros and took {i + 2} years."
    for i in range(4)
]


@pytest.fixture(scope="module")
def live(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("live") / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=100_000)
    server = LiveServer(app).start()
    yield server, app
    server.stop()


@pytest.fixture
def http(live):
    server, _ = live
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(120)) as client:
        yield client


def test_stream_events_arrive_in_order_and_parse(http):
    question = {"question": "How many soldiers died at Dioura?"}
    with http.stream("POST", "/v1/ask/stream", json=question) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache" and r.headers["x-request-id"]
        events = list(parse_sse(r.iter_lines()))
    kinds = [e.event for e in events]
    assert kinds[:2] == ["status", "status"] and kinds[-2:] == ["citations", "done"]
    assert set(kinds[2:-2]) == {"sentence"}
    retrieving, answering = events[0].data, events[1].data
    assert retrieving["stage"] == "retrieving" and retrieving["conversation_id"]
    assert retrieving["standalone_question"] == question["question"]
    assert answering == {"stage": "answering", "passages": answering["passages"]}
    assert answering["passages"] > 0
    answer = Answer.model_validate(events[-1].data)
    assert answer.conversation_id == retrieving["conversation_id"]
    sentences = [e.data["text"] for e in events if e.event == "sentence"]
    assert " ".join(s.strip() for s in sentences).split() == answer.answer.split()
    citations = [Citation.model_validate(c) for c in events[-2].data]
    assert citations == answer.citations and citations
    # The turn was recorded: the conversation continues over the stream too.
    follow = {"question": "and at Timbuktu?", "conversation_id": answer.conversation_id}
    with http.stream("POST", "/v1/ask/stream", json=follow) as r:
        events = list(parse_sse(r.iter_lines()))
    assert events[0].data["standalone_question"] == "How many soldiers died at Timbuktu?"
    # No soldiers' toll for Timbuktu in the samples (13 attackers died there): a refusal is
    # right, and any answer must quote Timbuktu sentences.
    done = events[-1].data
    assert done["status"] == "not_found" or done["citations"], done
    assert all("Timbuktu" in c["quote"] for c in done["citations"]), done["citations"]


def test_stream_arrives_incrementally(http, live, monkeypatch):
    """The server holds the answer back until the client has received the first event: a
    buffered response could never deliver it, and the stream would end in an error event."""
    _, app = live
    chain = app.state.parts.components.chain
    real_events = chain.events
    gate = threading.Event()

    def gated(question, **kwargs):
        steps = real_events(question, **kwargs)
        yield next(steps)
        if not gate.wait(60):
            raise RuntimeError("the client never saw the first event")
        yield from steps

    monkeypatch.setattr(chain, "events", gated)
    seen: list[str] = []
    with http.stream("POST", "/v1/ask/stream", json={"question": "Who won the cup final?"}) as r:
        for event in parse_sse(r.iter_lines()):
            seen.append(event.event)
            if len(seen) == 1:
                assert event.event == "status" and event.data["stage"] == "retrieving"
                gate.set()  # only now may the server go on
    assert seen[0] == "status" and seen[-1] == "done" and "error" not in seen


def test_clients_that_go_away_do_not_leak_answer_slots(http, live):
    """Closing the stream after the first event, more times than there are answering slots,
    leaves the server able to answer."""
    _, app = live
    for _ in range(app.state.parts.settings.answer_concurrency + 2):
        with http.stream("POST", "/v1/ask/stream", json={"question": "Who won?"}) as r:
            next(parse_sse(r.iter_lines()))
    r = http.post("/v1/ask", json={"question": "How many attackers were killed at Timbuktu?"})
    assert r.status_code == 200 and r.json()["status"] == "answered"


def test_concurrent_asks_and_ingest(http, live):
    """Asks, inline ingests that keep replacing one article, a background job and readers of
    that article, all at once: every response is whole and the store stays consistent."""
    _, app = live
    ingest_done = threading.Event()
    errors: list[str] = []
    reads = {"found": 0, "missing": 0}

    def ingest() -> None:
        try:
            job = http.post(
                "/v1/articles",
                json={
                    "articles": [
                        {"id": f"bulk-{i}", "title": f"Bulk item {i}", "text": f"Bulk text {i}."}
                        for i in range(app.state.parts.settings.sync_ingest_max_articles + 1)
                    ]
                },
            )
            assert job.status_code == 202, job.text
            for i, text in enumerate(VARIANTS):
                article = {
                    "id": "vellmoor-bridge",
                    "title": "Vellmoor opens its new river bridge",
                    "text": text,
                    "published": "2025-05-20",
                    "source": "Vellmoor Courier",
                }
                extra = {"id": f"extra-{i}", "title": f"Extra {i}", "text": f"Extra text {i}."}
                r = http.post("/v1/articles", json={"articles": [article, extra]})
                assert r.status_code == 200, r.text
                outcome = "added" if i == 0 else "replaced"
                assert "vellmoor-bridge" in r.json()[outcome], r.json()
            job_id = job.json()["job_id"]
            job = wait_for(
                lambda: (
                    (j := http.get(f"/v1/jobs/{job_id}").json())["state"]
                    not in ("queued", "running")
                    and j
                ),
                what="the ingest job",
            )
            assert job["state"] == "done", job
        except Exception as e:  # collected, asserted at the end
            errors.append(f"ingest: {e!r}")
        finally:
            ingest_done.set()

    def read() -> None:
        try:
            while not ingest_done.is_set():
                r = http.get("/v1/articles/vellmoor-bridge")
                if r.status_code == 404:
                    reads["missing"] += 1
                    continue
                assert r.status_code == 200, r.text
                detail = r.json()
                text = detail["article"]["text"]
                assert text in VARIANTS, "an article that was never ingested"
                assert detail["chunks"], "an article without chunks"
                for chunk in detail["chunks"]:
                    assert text[chunk["start"] : chunk["end"]] == chunk["text"]
                reads["found"] += 1
                listing = http.get("/v1/articles", params={"limit": 500}).json()
                assert listing["total"] == len(listing["articles"])
        except Exception as e:
            errors.append(f"read: {e!r}")

    def ask(question: str) -> None:
        try:
            for _ in range(2):
                r = http.post("/v1/ask", json={"question": question})
                assert r.status_code == 200, r.text
                answer = Answer.model_validate(r.json())
                for c in answer.citations:
                    assert c.quote and c.passage
        except Exception as e:
            errors.append(f"ask: {e!r}")

    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [
            pool.submit(ingest),
            pool.submit(read),
            pool.submit(ask, "How many soldiers died at Dioura?"),
            pool.submit(ask, "When did the Vellmoor bridge open?"),
            pool.submit(ask, "What did the central bank of Norland do?"),
        ]
        for f in futures:
            f.result()
    assert not errors, errors
    assert reads["found"] > 0, reads
    final = http.get("/v1/articles/vellmoor-bridge").json()["article"]["text"]
    assert final == VARIANTS[-1]
    store = http.get("/healthz").json()["store"]
    assert store["vectors"] == store["chunks"]  # no orphaned or missing vectors
    assert app.state.parts.components.store.repair() == 0
