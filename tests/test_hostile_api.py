"""Hostile input through the HTTP API (the real app, TestClient from a loopback address):
each request gets a clear 4xx or a normal answer, never a 500, and nothing stored is lost."""

from __future__ import annotations

import http.server
import threading

import pytest
from fastapi.testclient import TestClient

from rag.schema import Answer
from tests.api_support import LOOPBACK, copy_store, make_app, parse_sse
from tests.servers import DIOURA, wait_for


@pytest.fixture(scope="module")
def client(sample_data_dir, tmp_path_factory, shared_embeddings, logged_errors):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("hostile-api") / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=100_000, url_timeout=5.0)
    with TestClient(app, client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(autouse=True)
def nothing_lost(client):
    """Every test: the sample articles are all still there afterwards."""
    before = {a["id"] for a in client.get("/v1/articles", params={"limit": 200}).json()["articles"]}
    yield
    after = {a["id"] for a in client.get("/v1/articles", params={"limit": 200}).json()["articles"]}
    assert before <= after


def no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:2000])
    if response.status_code >= 400:
        body = response.json()
        assert body["message"] and body["status"] == response.status_code


# --- questions -------------------------------------------------------------------------------

GOOD_QUESTIONS = {
    "control": "How many\x00 soldiers\x1b[31m died\x07 at\x7f Dioura?\r\n\x0b",
    "french": "Combien de soldats sont morts à Dioura ?",
    "arabic": "كم عدد الجنود الذين قتلوا في ديورا؟",
    "chinese": "迪乌拉有多少士兵死亡？",
    "emoji": "💥 How many soldiers died at Dioura? 🇲🇱🤔",
    "markers": "[1] [2] How many soldiers died at Dioura? [99]",
    "rtl-override": "How many soldiers died at \u202eaaruoiD\u202c?",
    "sql": 'Dioura"; DROP TABLE articles; -- OR 1=1 NEAR(x) *',
    "html": "<script>alert(1)</script> How many soldiers died at Dioura?",
}
BAD_QUESTIONS = {
    "empty": ({"question": ""}, 422),
    "blank": ({"question": " \t\n "}, 422),
    "100k": ({"question": "Dioura " * 14_286}, 422),
    "missing": ({}, 422),
    "number": ({"question": 42}, 422),
    "list": ({"question": ["How", "many"]}, 422),
    "null": ({"question": None}, 422),
    "bad-date": ({"question": DIOURA, "as_of": "yesterday"}, 422),
    "top-k-0": ({"question": DIOURA, "top_k": 0}, 422),
    "top-k-huge": ({"question": DIOURA, "top_k": 10**12}, 422),
    "many-sources": ({"question": DIOURA, "sources": ["x"] * 10_000}, 422),
    "unknown-conversation": ({"question": DIOURA, "conversation_id": "nope"}, 404),
    "long-conversation": ({"question": DIOURA, "conversation_id": "c" * 10_000}, 422),
}


@pytest.mark.parametrize("name", list(GOOD_QUESTIONS))
def test_odd_questions_get_a_normal_answer(client, name) -> None:
    response = client.post("/v1/ask", json={"question": GOOD_QUESTIONS[name]})
    no_server_error(response)
    assert response.status_code == 200
    answer = Answer.model_validate(response.json())
    assert answer.status in ("answered", "not_found")
    if name in ("control", "emoji"):
        assert answer.status == "answered" and "40" in answer.answer


@pytest.mark.parametrize("name", list(BAD_QUESTIONS))
def test_bad_questions_get_a_clear_error(client, name) -> None:
    body, status = BAD_QUESTIONS[name]
    for path in ("/v1/ask", "/v1/ask/stream"):
        response = client.post(path, json=body)
        no_server_error(response)
        assert response.status_code == status, response.text[:500]


@pytest.mark.parametrize("name", ["control", "arabic", "emoji"])
def test_odd_questions_stream_to_the_end(client, name) -> None:
    with client.stream("POST", "/v1/ask/stream", json={"question": GOOD_QUESTIONS[name]}) as r:
        assert r.status_code == 200
        events = list(parse_sse(r.iter_lines()))
    assert events[-1].event == "done", events[-3:]
    assert not [e for e in events if e.event == "error"]


def test_a_lone_surrogate_in_a_question_is_a_clear_error(client) -> None:
    body = b'{"question": "How many soldiers died at Dioura \\ud800?"}'
    for path in ("/v1/ask", "/v1/ask/stream"):
        response = _raw(client, path, body)
        no_server_error(response)
        assert response.status_code == 422


# --- request bodies --------------------------------------------------------------------------


def _raw(client, path: str, body: bytes, content_type: str = "application/json"):
    return client.post(path, content=body, headers={"content-type": content_type})


@pytest.mark.parametrize(
    "body,status",
    [
        (b"", 422),
        (b"{", 422),
        (b"\xff\xfe\x00garbage", 422),
        (b'{"question": "a"}' * 3, 422),
        (b"[" * 200_000 + b"]" * 200_000, 422),  # deeper than any JSON parser recurses
        (b"[" * 60_000 + b"]" * 60_000, 422),
        (b'{"question": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}", 422),
        (b'{"question": "caf\xe9 at Dioura?"}', 422),  # Latin-1, not UTF-8
        (b'{"question": "Dioura?", "sources": ["\xff"]}', 422),
        (b"\xfe\xff\x00{", 422),
        (b'{"question": "' + b"x" * 2_000_000 + b'"}', 413),
    ],
    ids=[
        "empty",
        "truncated",
        "binary",
        "concatenated",
        "nested-lists",
        "nested-60k",
        "nested-objects",
        "latin-1",
        "latin-1-in-list",
        "utf-16-bom",
        "2MB",
    ],
)
def test_malformed_bodies_are_4xx(client, body: bytes, status: int) -> None:
    for path in ("/v1/ask", "/v1/articles"):
        response = _raw(client, path, body)
        no_server_error(response)
        assert response.status_code == status, (path, response.text[:300])
        if status == 422:  # the same shape as every malformed-JSON error, saying what is wrong
            message = response.json()["message"]
            assert "parsing the body" not in message and "JSON" in message, message


def test_wrong_content_types(client) -> None:
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        response = _raw(client, "/v1/ask", b'{"question": "Dioura?"}', ctype)
        no_server_error(response)
        assert response.status_code in (415, 422)


def test_odd_headers(client) -> None:
    response = client.post(
        "/v1/ask",
        json={"question": DIOURA},
        headers={
            "x-request-id": "x" * 5000,
            "authorization": ("Bearer " + "\u00e9" * 100).encode(),  # not ASCII
            "x-api-key": "\x7f\x01",
            "origin": "null",
            "accept-language": "ar;q=0.9," * 500,
        },
    )
    no_server_error(response)
    assert len(response.headers["x-request-id"]) <= 128


# --- articles --------------------------------------------------------------------------------


def test_hostile_articles_are_rejected_in_the_report(client) -> None:
    total = client.get("/v1/articles").json()["total"]
    body = (
        b'{"articles": ['
        b'{"title": "Lone surrogate", "text": "The river \\ud800 rose in Mopti."},'
        b'{"title": "", "text": "No title here."},'
        b'{"title": "No text", "text": "   "},'
        b'{"title": "Controls \\u0000", "text": "Mopti\\u0000 bridge \\u001b[31m closed on Tuesday."}'
        b"]}"
    )
    response = _raw(client, "/v1/articles", body)
    no_server_error(response)
    assert response.status_code == 200, response.text
    report = response.json()
    reasons = " | ".join(r["reason"] for r in report["rejected"])
    assert "unpaired surrogate" in reasons and "no title" in reasons and "no text" in reasons
    assert len(report["added"]) + len(report["rejected"]) == 4
    assert client.get("/v1/articles").json()["total"] == total + len(report["added"])
    for article_id in report["added"]:  # whatever was accepted reads back and deletes cleanly
        no_server_error(client.get(f"/v1/articles/{article_id}"))
        assert client.delete(f"/v1/articles/{article_id}").status_code == 200


def test_thousands_of_articles_in_one_request_run_as_a_job(client) -> None:
    records = [{"title": f"Empty {i}", "text": ""} for i in range(3000)]
    response = client.post("/v1/articles", json={"articles": records})
    no_server_error(response)
    assert response.status_code == 202, response.text[:500]
    job_id = response.json()["job_id"]
    job = wait_for(
        lambda: (j := client.get(f"/v1/jobs/{job_id}").json())["state"] in ("done", "failed") and j,
        300,
        "the ingest job",
    )
    assert job["state"] == "done", job
    assert len(job["report"]["rejected"]) == 3000 and not job["report"]["added"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/",
        "http://localhost/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",
        "http://10.0.0.7/",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http://",
        "not a url",
    ],
)
def test_urls_to_private_addresses_are_refused(client, url: str) -> None:
    response = client.post("/v1/articles", json={"urls": [url]})
    no_server_error(response)
    assert response.status_code == 422, response.text[:300]
    assert "refused" in response.json()["message"]


@pytest.fixture
def redirector():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/story"
    server.shutdown()
    server.server_close()


def test_a_redirect_to_a_private_address_is_refused_by_the_job(
    client, redirector, monkeypatch
) -> None:
    import ingest.fetch

    original = ingest.fetch.address_problem
    # 127.0.0.1 plays a public site; the address it redirects to must still be refused.
    monkeypatch.setattr(
        ingest.fetch,
        "address_problem",
        lambda address: None if address == "127.0.0.1" else original(address),
    )
    response = client.post("/v1/articles", json={"urls": [redirector]})
    assert response.status_code == 202, response.text
    job_id = response.json()["job_id"]
    job = wait_for(
        lambda: (j := client.get(f"/v1/jobs/{job_id}").json())["state"] in ("done", "failed") and j,
        120,
        "the URL job",
    )
    assert job["state"] == "done" and not job["report"]["added"], job
    (rejection,) = job["report"]["rejected"]
    assert "redirect to http://169.254.169.254" in rejection["reason"]
    assert "link-local" in rejection["reason"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/articles/..%2F..%2Fetc%2Fpasswd",
        "/v1/articles/%00",
        "/v1/articles/" + "a" * 5000,
        "/v1/articles/%F0%9F%92%A5",
        "/v1/articles/%ED%A0%80",  # an encoded lone surrogate
        "/v1/conversations/..%2F..",
        "/v1/conversations/" + "c" * 5000,
        "/v1/jobs/%00",
    ],
)
def test_odd_ids_are_404_not_500(client, path: str) -> None:
    for method in ("GET", "DELETE"):
        response = client.request(method, path)
        no_server_error(response)
        assert response.status_code in (404, 422), (method, path, response.status_code)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": -1},
        {"limit": 10**9},
        {"offset": -5},
        {"offset": 10**18},
        {"offset": 10**30},  # past SQLite's 64-bit integers
        {"since": "garbage"},
        {"until": "2025-02-30"},
        {"source": "\x00" * 100},
    ],
)
def test_odd_list_parameters(client, params) -> None:
    response = client.get("/v1/articles", params=params)
    no_server_error(response)


def test_no_error_was_logged(client, logged_errors) -> None:
    """Last: nothing above made the app log an error (a 4xx is not an error)."""
    assert [r.getMessage() for r in logged_errors] == []
