"""Widget conversations belong to one browser (its visitor secret), and 👍/👎 feedback.

Through the live API (uvicorn on 127.0.0.1): every visitor of a site shares the widget key, so
the key alone must not open another visitor's conversation; an id without the right secret
reads nothing and is answered 404, exactly like an id that does not exist.
"""

from __future__ import annotations

import json
import secrets as random

import httpx
import pytest
from typer.testing import CliRunner

from tests.api_support import LiveServer, copy_store, make_app, parse_sse

SITE = "https://news.example.org"
DIOURA = "How many soldiers died at Dioura?"


@pytest.fixture(scope="module")
def site(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("visitor") / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=100_000)
    keys = app.state.parts.keys
    widget = keys.create("widget", origins=[SITE])[1]
    admin = keys.create("admin")[1]
    server = LiveServer(app).start()
    with httpx.Client(base_url=server.url, timeout=httpx.Timeout(120)) as http:
        yield http, widget, admin, data
    server.stop()


def visitor() -> str:
    return random.token_urlsafe(24)


def widget_headers(key: str, secret: str | None) -> dict[str, str]:
    headers = {"X-API-Key": key, "Origin": SITE}
    if secret is not None:
        headers["X-Newsrag-Visitor"] = secret
    return headers


def ask_stream(http, headers, question, conversation_id=None):
    body = {"question": question}
    if conversation_id:
        body["conversation_id"] = conversation_id
    with http.stream("POST", "/v1/ask/stream", json=body, headers=headers) as r:
        if r.status_code != 200:
            r.read()
            return r.status_code, r.json()
        events = list(parse_sse(r.iter_lines()))
    return 200, events[-1].data


def test_a_conversation_opens_only_with_its_visitor_secret(site):
    http, widget, admin, _ = site
    alice, bob = visitor(), visitor()
    status, done = ask_stream(http, widget_headers(widget, alice), DIOURA)
    assert status == 200 and done["status"] == "answered"
    cid = done["conversation_id"]
    assert done["turn"] == 0

    # Alice reads and continues it.
    r = http.get(f"/v1/conversations/{cid}", headers=widget_headers(widget, alice))
    assert r.status_code == 200 and [t["question"] for t in r.json()["turns"]] == [DIOURA]
    status, follow = ask_stream(http, widget_headers(widget, alice), "and at Timbuktu?", cid)
    assert status == 200 and follow["conversation_id"] == cid and follow["turn"] == 1
    assert follow["standalone_question"] == "How many soldiers died at Timbuktu?"

    # Same key, same origin, another visitor, or no visitor at all: as if it did not exist.
    missing = http.get("/v1/conversations/no-such-id", headers=widget_headers(widget, alice))
    assert missing.status_code == 404
    for secret in (bob, None):
        headers = widget_headers(widget, secret)
        r = http.get(f"/v1/conversations/{cid}", headers=headers)
        assert r.status_code == 404, secret
        assert r.json()["message"].replace(cid, "ID") == missing.json()["message"].replace(
            "no-such-id", "ID"
        )
        status, body = ask_stream(http, headers, "and at Boulikessi?", cid)
        assert status == 404, body
        r = http.delete(f"/v1/conversations/{cid}", headers=headers)
        assert r.status_code == 404
        r = http.post(
            "/v1/feedback",
            json={"conversation_id": cid, "turn": 0, "helpful": False},
            headers=headers,
        )
        assert r.status_code == 404

    # Bob's mistakes changed nothing: Alice still has both turns; an admin key sees them too.
    r = http.get(f"/v1/conversations/{cid}", headers=widget_headers(widget, alice))
    assert len(r.json()["turns"]) == 2
    r = http.get(f"/v1/conversations/{cid}", headers={"X-API-Key": admin})
    assert r.status_code == 200 and len(r.json()["turns"]) == 2


def test_without_a_visitor_secret_a_conversation_cannot_be_continued(site):
    http, widget, _, _ = site
    headers = widget_headers(widget, None)
    status, done = ask_stream(http, headers, DIOURA)
    assert status == 200 and done["status"] == "answered"  # asking still works
    status, _ = ask_stream(http, headers, "and at Timbuktu?", done["conversation_id"])
    assert status == 404
    r = http.get(f"/v1/conversations/{done['conversation_id']}", headers=headers)
    assert r.status_code == 404


@pytest.mark.parametrize(
    "bad", ["short", "x" * 129, "has spaces in it but long enough", "a+b/c=" * 5]
)
def test_malformed_visitor_secret_is_422(site, bad):
    http, widget, _, _ = site
    r = http.post(
        "/v1/ask",
        json={"question": DIOURA},
        headers={**widget_headers(widget, None), "X-Newsrag-Visitor": bad},
    )
    assert r.status_code == 422 and "X-Newsrag-Visitor" in r.json()["message"]


def test_preflight_allows_the_visitor_header_on_widget_routes(site):
    http, _, _, _ = site
    for path in ("/v1/ask/stream", "/v1/feedback", "/v1/conversations/abc"):
        r = http.options(
            path,
            headers={
                "Origin": SITE,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "x-api-key, x-newsrag-visitor, content-type",
            },
        )
        assert r.status_code == 204, path
        allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
        assert "x-newsrag-visitor" in allowed


def test_feedback_is_recorded_changed_and_listed_with_slack_feedback(site):
    http, widget, _, data = site
    alice = visitor()
    status, done = ask_stream(http, widget_headers(widget, alice), DIOURA)
    cid = done["conversation_id"]

    def vote(helpful, turn=0, **extra):
        return http.post(
            "/v1/feedback",
            json={"conversation_id": cid, "turn": turn, "helpful": helpful, **extra},
            headers=widget_headers(widget, alice),
        )

    r = vote(True)
    assert r.status_code == 200 and r.json() == {"recorded": True, "new": True}
    r = vote(False, comment="  wrong   place ")
    assert r.status_code == 200 and r.json()["new"] is False  # changed, not added
    assert vote(True, turn=7).status_code == 404  # no such turn
    assert vote("maybe").status_code == 422

    # A Slack vote in the same app database: `newsrag feedback` lists both ways in.
    from api.slack.db import slack_db
    from api.slack.feedback import FeedbackStore
    from rag.schema import Answer

    slack = FeedbackStore(slack_db(data / "app.sqlite3"))
    answer = Answer(question="Who won the cup?", answer="Rovers [1].", status="answered")
    slack.record(slack.get_answer(slack.save_answer(answer, kind="mention")), "U1", True)

    from api.cli import app as cli

    runner = CliRunner()
    out = runner.invoke(cli, ["feedback", "--json", "--data-dir", str(data)])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    ours = [r for r in rows if r.get("conversation_id") == cid]
    assert len(ours) == 1
    assert ours[0]["via"] == "widget" and ours[0]["rating"] == "not_helpful"
    assert ours[0]["question"] == DIOURA and ours[0]["comment"] == "wrong place"
    assert ours[0]["citations"] and "passage" not in ours[0]["citations"][0]
    assert any(r["via"] == "slack" and r["question"] == "Who won the cup?" for r in rows)

    table = runner.invoke(cli, ["feedback", "--data-dir", str(data)])
    assert table.exit_code == 0, table.output
    assert "widget" in table.output and "slack" in table.output
    only_bad = runner.invoke(
        cli, ["feedback", "--json", "--rating", "not-helpful", "--data-dir", str(data)]
    )
    assert all(json.loads(x)["rating"] == "not_helpful" for x in only_bad.stdout.splitlines())
