"""POST /v1/chat/completions and GET /v1/models through the official `openai` client, against
the app on a real uvicorn (local-only mode: loopback needs no key, so any api_key string)."""

from __future__ import annotations

import httpx
import pytest

from rag.schema import Answer
from tests.api_support import LiveServer, copy_store, make_app

openai = pytest.importorskip("openai")

DIOURA = "How many soldiers died at Dioura?"


@pytest.fixture(scope="module")
def live(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("openai") / "data")
    app = make_app(data, shared_embeddings, rate_limit_per_minute=100_000)
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture
def client(live):
    with openai.OpenAI(base_url=f"{live.url}/v1", api_key="unused", max_retries=0) as c:
        yield c


def test_models_lists_newsrag(client):
    models = client.models.list()
    assert [m.id for m in models.data] == ["newsrag"]


def test_completion_has_markers_sources_and_structured_citations(client):
    done = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": DIOURA}]
    )
    assert done.object == "chat.completion"
    content = done.choices[0].message.content
    assert done.choices[0].finish_reason == "stop"
    extra = Answer.model_validate(done.model_extra["newsrag"])
    assert extra.status == "answered" and extra.citations
    answer, _, sources = content.partition("\n\nSources:\n")
    assert answer == extra.answer and "[1]" in answer
    lines = sources.splitlines()
    assert len(lines) == len(extra.citations)
    first = extra.citations[0]
    assert lines[0].startswith(f"- [{first.marker}] {first.title} (")
    assert first.published.isoformat() in lines[0] and first.url in lines[0]


def test_follow_up_uses_the_earlier_messages(client):
    first = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": DIOURA}]
    )
    follow = client.chat.completions.create(
        model="newsrag",
        messages=[
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": DIOURA},
            {"role": "assistant", "content": first.choices[0].message.content},
            {"role": "user", "content": "and at Timbuktu?"},
        ],
    )
    extra = follow.model_extra["newsrag"]
    assert extra["standalone_question"] == "How many soldiers died at Timbuktu?"
    # No soldiers' toll for Timbuktu in the samples (13 attackers died there): a refusal is
    # right, and any answer must quote Timbuktu sentences.
    assert extra["status"] == "not_found" or extra["citations"], extra
    assert all("Timbuktu" in c["quote"] for c in extra["citations"]), extra["citations"]


def _ask_follow_up(live, question: str, follow_up: str) -> dict:
    """The same follow-up through /v1/ask and its stored conversation."""
    first = httpx.post(f"{live.url}/v1/ask", json={"question": question}, timeout=120).json()
    body = {"question": follow_up, "conversation_id": first["conversation_id"]}
    return httpx.post(f"{live.url}/v1/ask", json=body, timeout=120).json()


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("follow_up", ["who said that?", "according to whom?"])
def test_a_replayed_answer_rewrites_follow_ups_as_ask_does(client, live, stream, follow_up):
    # "who said that?" needs the previous short answer ("40 soldiers"), which the replayed
    # messages do not carry: the server finds the turn it recorded for them.
    first = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": DIOURA}], stream=stream
    )
    if stream:
        shown = "".join(c.choices[0].delta.content or "" for c in first)
    else:
        shown = first.choices[0].message.content
    follow = client.chat.completions.create(
        model="newsrag",
        messages=[
            {"role": "user", "content": DIOURA},
            {"role": "assistant", "content": shown},
            {"role": "user", "content": follow_up},
        ],
    )
    asked = _ask_follow_up(live, DIOURA, follow_up)
    standalone = follow.model_extra["newsrag"]["standalone_question"]
    assert standalone == asked["standalone_question"]
    assert standalone == "Who said that 40 soldiers died at Dioura?"


def test_an_answer_this_server_did_not_give_is_rewritten_from_the_messages(client):
    follow = client.chat.completions.create(
        model="newsrag",
        messages=[
            {"role": "user", "content": DIOURA},
            {"role": "assistant", "content": "Forty, I believe."},
            {"role": "user", "content": "and at Timbuktu?"},
        ],
    )
    assert follow.model_extra["newsrag"]["standalone_question"] == (
        "How many soldiers died at Timbuktu?"
    )


def test_stream_gives_chunks_then_done(client, live):
    stream = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": DIOURA}], stream=True
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    extra = chunks[-1].model_extra["newsrag"]
    plain = client.chat.completions.create(
        model="newsrag", messages=[{"role": "user", "content": DIOURA}]
    )
    assert text.split() == plain.choices[0].message.content.split()
    assert extra["citations"] == plain.model_extra["newsrag"]["citations"]
    assert len([c for c in chunks if c.choices[0].delta.content]) >= 2  # answer, then sources
    # The wire format ends the way OpenAI's does.
    body = {"model": "newsrag", "stream": True, "messages": [{"role": "user", "content": DIOURA}]}
    with httpx.stream("POST", f"{live.url}/v1/chat/completions", json=body, timeout=120) as r:
        lines = [line for line in r.iter_lines() if line.startswith("data:")]
    assert lines[-1] == "data: [DONE]"


def test_errors_are_openai_client_errors(client):
    with pytest.raises(openai.NotFoundError, match="newsrag"):
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": DIOURA}]
        )
    with pytest.raises(openai.UnprocessableEntityError, match="last message"):
        client.chat.completions.create(
            model="newsrag", messages=[{"role": "assistant", "content": "hello"}]
        )
    # Parameters for a generative model are accepted and ignored.
    done = client.chat.completions.create(
        model="newsrag",
        messages=[{"role": "user", "content": [{"type": "text", "text": DIOURA}]}],
        temperature=0.2,
        max_tokens=50,
        extra_body={"as_of": "2025-06-30"},
    )
    assert done.model_extra["newsrag"]["as_of"] == "2025-06-30"


def test_same_keys_and_scopes_as_ask(tmp_path, sample_data_dir, shared_embeddings):
    data = copy_store(sample_data_dir, tmp_path / "data")
    app = make_app(data, shared_embeddings)
    keys = app.state.parts.keys
    _, ask_key = keys.create("ask")
    _, widget_key = keys.create("widget", origins=["https://news.example.org"])
    server = LiveServer(app).start()
    try:
        base = f"{server.url}/v1"
        wrong = openai.OpenAI(base_url=base, api_key="nrk_wrong", max_retries=0)
        with wrong as c, pytest.raises(openai.AuthenticationError):
            c.models.list()
        with openai.OpenAI(base_url=base, api_key=ask_key, max_retries=0) as c:
            assert [m.id for m in c.models.list().data] == ["newsrag"]
        # A widget key only from its page's origin, as for /v1/ask.
        no_origin = openai.OpenAI(base_url=base, api_key=widget_key, max_retries=0)
        with no_origin as c, pytest.raises(openai.PermissionDeniedError):
            c.models.list()
        with openai.OpenAI(
            base_url=base,
            api_key=widget_key,
            max_retries=0,
            default_headers={"Origin": "https://news.example.org"},
        ) as c:
            assert c.models.list().data
    finally:
        server.stop()


def test_widget_origins_may_call_it_cross_origin(tmp_path, sample_data_dir, shared_embeddings):
    """CORS admits a widget key's origins on the chat routes, as on /v1/ask."""
    from fastapi.testclient import TestClient

    from tests.api_support import LOOPBACK

    data = copy_store(sample_data_dir, tmp_path / "data")
    app = make_app(data, shared_embeddings)
    app.state.parts.keys.create("widget", origins=["https://news.example.org"])
    with TestClient(app, client=LOOPBACK) as http:
        for path in ("/v1/chat/completions", "/v1/models", "/v1/ask"):
            preflight = {
                "Origin": "https://news.example.org",
                "Access-Control-Request-Method": "POST",
            }
            r = http.options(path, headers=preflight)
            assert r.status_code == 204, path
            assert r.headers["access-control-allow-origin"] == "https://news.example.org"
            other = {**preflight, "Origin": "https://evil.example"}
            assert http.options(path, headers=other).status_code == 403


def test_the_store_finds_a_turn_by_its_texts_for_its_owner_only(tmp_path):
    from api.services.openai_compat import question_and_history
    from api.state.conversations import ConversationStore

    store = ConversationStore(tmp_path / "app.sqlite3")
    text = "40 soldiers: “JNIM said 40 soldiers died.” [1]"
    for owner, short in (("key1", "40 soldiers"), ("key2", "forty")):
        cid = store.create(owner=owner)
        answer = Answer(question=DIOURA, answer=text, short_answer=short, status="answered")
        store.add_turn(cid, answer)
    found = store.find_turn(DIOURA, " 40 soldiers:\n“JNIM said 40  soldiers died.” [1]", "key1")
    assert found is not None and found.short_answer == "40 soldiers"
    assert store.find_turn(DIOURA, text, "key3") is None
    assert store.find_turn("How many died?", text, "key1") is None
    # The sources list we appended is not part of the answer.
    replay = [("user", DIOURA), ("assistant", text + "\n\nSources:\n- [1] …"), ("user", "why?")]
    _, history = question_and_history(replay, lambda q, a: store.find_turn(q, a, "key2"))
    assert history[0].short_answer == "forty" and history[0].answer == text
