"""The Slack bot end to end: signed requests to the real app, a fake Slack Web API recording
every call the bot makes (tests/fake_slack.py).

The app is ``create_app`` with Slack settings pointing at the fake; the sample articles (plus
one with a hostile title) are in a copy of the session's sample data dir. Answers run in
background tasks, so tests poll the fake and ``bot.pending``; nothing sleeps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import time
import uuid
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_components
from tests.fake_slack import BOT_ID, BOT_USER_ID, TEAM_ID, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-0000-newsrag-test"
CHANNEL = "CNEWSROOM"
DM = "DALICE"
ALICE, BOB = "UALICE", "UBOB"
DIOURA_URL = "https://example.org/sahel-monitor/2025/05/24/dioura-garrison-raid-claim"
DIOURA_Q = "How many soldiers did JNIM say it killed at Dioura?"
HOSTILE_TITLE = 'Vellmoor council <script>alert("x")</script> & the ferry budget'
HOSTILE_URL = "https://example.org/vellmoor/ferry_(budget)|draft?year=2025&v=2"

HOSTILE_ARTICLE = f"""---
title: '{HOSTILE_TITLE}'
url: '{HOSTILE_URL}'
published: 2025-05-20
source: Vellmoor <Courier> & Post
---

The Vellmoor town council approved a ferry budget of 7 million crowns on Tuesday, the council
said in a statement. The money will pay for two new electric ferries across the Vell estuary.

Councillors voted 21 to 4 for the plan. The opposition said the ferry budget was too small to
keep the old quay open as well.
"""


# --- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fake():
    slack = FakeSlack().start()
    yield slack
    slack.stop()


@pytest.fixture(scope="module")
def slack_data_dir(sample_data_dir, shared_embeddings, tmp_path_factory):
    """A private copy of the sample store (the bot writes its app DB there), plus an article
    whose title, source and URL are hostile to Slack's markup."""
    root = tmp_path_factory.mktemp("slack")
    data = root / "data"
    shutil.copytree(sample_data_dir, data)
    extra = root / "extra"
    extra.mkdir()
    (extra / "vellmoor.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    c = make_components(data, shared_embeddings)
    report = c.ingestor.ingest([str(extra)])
    assert report.added and not report.rejected, report
    c.store.catalog.close()
    return data


@pytest.fixture(scope="module")
def slack(fake, slack_data_dir, shared_embeddings):
    """(TestClient, SlackBot) of the real app built by create_app."""
    from api.server.app import create_app

    components = make_components(
        slack_data_dir,
        shared_embeddings,  # one model load per session
        slack_signing_secret=SECRET,
        slack_bot_token=TOKEN,
        slack_api_url=fake.api_url,
        slack_process_before_response=True,
    )
    app = create_app(components.settings, components=components)
    with TestClient(app) as client:
        yield client, app.state.slack


@pytest.fixture
def client(slack, fake):
    client, bot = slack
    wait_idle(bot, fake)
    fake.reset()
    return client


@pytest.fixture
def bot(slack):
    return slack[1]


# --- helpers -------------------------------------------------------------------------------
def sign(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def post_signed(
    client,
    body: bytes,
    content_type: str,
    *,
    timestamp: str | None = None,
    secret: str = SECRET,
    headers: dict | None = None,
):
    timestamp = timestamp or str(int(time.time()))
    all_headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(body, timestamp, secret),
        **(headers or {}),
    }
    return client.post("/slack/events", content=body, headers=all_headers)


def event_body(event: dict, event_id: str | None = None) -> bytes:
    payload = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0NEWSRAG",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True, "enterprise_id": None}
        ],
    }
    return json.dumps(payload).encode()


def post_event(client, event: dict, event_id: str | None = None, headers: dict | None = None):
    return post_signed(client, event_body(event, event_id), "application/json", headers=headers)


_ts_counter = iter(range(1, 1_000_000))


def new_ts() -> str:
    return f"{int(time.time())}.{next(_ts_counter):06d}"


def mention(text: str, user: str = ALICE, channel: str = CHANNEL, thread_ts: str | None = None):
    ts = new_ts()
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(text: str, user: str = ALICE, channel: str = CHANNEL, channel_type="channel", **kw):
    ts = new_ts()
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    event.update(kw)
    return event


def post_form(client, fields: dict, **kw):
    return post_signed(
        client, urlencode(fields).encode(), "application/x-www-form-urlencoded", **kw
    )


def click(client, fake, action: dict, *, user: str, channel: str, name: str, ephemeral: bool):
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "newsrag-test"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
        "api_app_id": "A0NEWSRAG",
        "token": "legacy-verification-token",
        "container": {"type": "message", "is_ephemeral": ephemeral, "channel_id": channel},
        "trigger_id": "1337.42.abcd",
        "channel": {"id": channel, "name": "newsroom"},
        "response_url": fake.response_url(name),
        "actions": [{**action, "block_id": "newsrag_answer_actions", "action_ts": new_ts()}],
    }
    return post_form(client, {"payload": json.dumps(payload)})


def wait_idle(bot, fake, timeout: float = 180.0) -> None:
    fake.wait_for(lambda: bot.pending == 0, timeout, "the bot's answers to finish")


def blocks_text(call) -> str:
    return json.dumps(call.args.get("blocks") or [], ensure_ascii=False)


def mrkdwn_of(call) -> str:
    """All mrkdwn text of a recorded message, joined."""
    out = []
    for b in call.args.get("blocks") or []:
        if b.get("type") == "section":
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            if e.get("type") == "mrkdwn":
                out.append(e["text"])
    return "\n".join(out)


def answer_for(fake, bot, channel: str, thread_ts: str | None):
    """The thinking message posted for a question, and the chat.update that answered it."""
    wait_idle(bot, fake)
    posts = [
        c
        for c in fake.of("chat.postMessage", channel=channel)
        if c.args.get("thread_ts") == thread_ts
    ]
    assert posts, f"no message posted in {channel}/{thread_ts}: {fake.methods()}"
    thinking = posts[0]
    assert "Searching the articles" in thinking.args["text"]
    ts = thinking.result["ts"]
    updates = [u for u in fake.of("chat.update", channel=channel) if u.args.get("ts") == ts]
    assert len(updates) == 1, (ts, fake.methods())
    return thinking, updates[0]


def actions_of(call) -> dict:
    [actions] = [b for b in call.args["blocks"] if b["type"] == "actions"]
    return {e["action_id"]: e for e in actions["elements"]}


# --- the Dioura thread, shared by several tests ----------------------------------------------
@pytest.fixture(scope="module")
def dioura(slack, fake):
    client, bot = slack
    wait_idle(bot, fake)
    fake.reset()
    event = mention(DIOURA_Q)
    response = post_event(client, event)
    assert response.status_code == 200
    thinking, update = answer_for(fake, bot, CHANNEL, event["ts"])
    return {"event": event, "thinking": thinking, "update": update}


# --- mentions, threads, DMs ------------------------------------------------------------------
def test_mention_is_answered_in_a_thread_with_linked_citations(dioura, fake):
    thinking, update = dioura["thinking"], dioura["update"]
    # the "searching…" message went into a thread under the question, with the bot's token
    assert thinking.args["thread_ts"] == dioura["event"]["ts"]
    assert thinking.token == TOKEN
    text = mrkdwn_of(update)
    assert re.search(re.escape(f"<{DIOURA_URL}|[") + r"\d+\]>", text), text
    assert "40" in text
    assert "*Sources*" in text and "Sahel Monitor" in text and "May 2025" in text
    assert update.args["text"] and "40" in update.args["text"]  # notification fallback
    assert set(actions_of(update)) == {
        "newsrag_feedback_helpful",
        "newsrag_feedback_not_helpful",
    }
    # counted with every other answer of the app
    from api import metrics

    counted = metrics.REGISTRY.get_sample_value(
        "newsrag_answers_total",
        {"status": "answered", "backend": "extractive", "via": "slack-mention"},
    )
    assert counted and counted >= 1
    print("\nBlock Kit sent for the Dioura question (chat.update):")
    print(json.dumps({k: update.args[k] for k in ("channel", "ts", "text", "blocks")}, indent=2))


def test_thread_follow_up_without_mention_uses_the_thread(dioura, client, bot, fake):
    parent = dioura["event"]["ts"]
    follow = message("and at Timbuktu?", thread_ts=parent)
    assert post_event(client, follow).status_code == 200
    _, update = answer_for(fake, bot, CHANNEL, parent)
    text = mrkdwn_of(update)
    assert "Searched for: _" in text and "Timbuktu?_" in text
    searched = re.search(r"Searched for: _(.+?)_", text).group(1)
    assert "Timbuktu" in searched and "Dioura" not in searched and "soldiers" in searched
    assert re.search(r"<https://example\.org/[^|>]*timbuktu[^|>]*\|\[\d+\]>", text), text
    # the thread is one conversation of the shared store, with both turns
    cid = f"slack:{TEAM_ID}:{CHANNEL}:{parent}"
    turns = bot.conversations.history(cid)
    assert [t.question for t in turns] == [DIOURA_Q, "and at Timbuktu?"]


def test_mention_in_a_human_thread_then_plain_replies_are_not_questions(client, bot, fake):
    parent = new_ts()  # a thread some people started; the bot is mentioned inside it
    assert post_event(client, mention("", thread_ts=parent)).status_code == 200
    wait_idle(bot, fake)
    [help_post] = fake.of("chat.postMessage", channel=CHANNEL, thread_ts=parent)
    assert "Ask me a question" in help_post.args["text"]
    fake.reset()
    assert post_event(client, message("lunch at noon?", thread_ts=parent)).status_code == 200
    assert post_event(client, message("top-level chatter in the channel")).status_code == 200
    assert post_event(client, message("reply in a thread we never saw", thread_ts=new_ts()))
    assert bot.pending == 0
    assert not [m for m in fake.methods() if m.startswith("chat.")]


def test_direct_message_is_answered(client, bot, fake):
    dm = message(
        "How many attackers did the army say were killed at Timbuktu?",
        channel=DM,
        channel_type="im",
    )
    assert post_event(client, dm).status_code == 200
    thinking, update = answer_for(fake, bot, DM, None)  # top-level DM: answered at top level
    text = mrkdwn_of(update)
    assert "13" in text and "Timbuktu" in text
    assert re.search(r"<https://example\.org/[^|>]+\|\[\d+\]>", text), text
    assert "thread_ts" not in thinking.args

    # replying in the thread under the bot's answer continues the same conversation
    answer_ts = thinking.result["ts"]
    fake.reset()
    reply = message("and at Boulikessi?", channel=DM, channel_type="im", thread_ts=answer_ts)
    assert post_event(client, reply).status_code == 200
    _, update = answer_for(fake, bot, DM, answer_ts)
    text = mrkdwn_of(update)
    assert re.search(r"Searched for: _[^_]*attackers[^_]*Boulikessi", text), text


def test_not_found_is_said_plainly_without_sources(client, bot, fake):
    event = mention("What did the Peruvian finance minister say about copper exports?")
    assert post_event(client, event).status_code == 200
    _, update = answer_for(fake, bot, CHANNEL, event["ts"])
    text = mrkdwn_of(update)
    assert "do not answer" in text
    assert "Sources" not in text and "<http" not in text


def test_hostile_title_source_and_url_render_escaped(client, bot, fake):
    event = mention("How big was the Vellmoor ferry budget approved by the council?")
    assert post_event(client, event).status_code == 200
    _, update = answer_for(fake, bot, CHANNEL, event["ts"])
    text = mrkdwn_of(update)
    assert "7 million crowns" in text
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; the ferry budget' in text
    assert "Vellmoor &lt;Courier&gt; &amp; Post" in text
    assert "<script>" not in blocks_text(update) and "<Courier>" not in blocks_text(update)
    # the URL's "(", ")" and "|" are percent-encoded: the link still ends where it should
    encoded = "https://example.org/vellmoor/ferry_%28budget%29%7Cdraft?year=2025&amp;v=2"
    assert re.search(re.escape(f"<{encoded}|[") + r"\d+\]>", text), text


# --- slash command, share, feedback ----------------------------------------------------------
def test_slash_command_answers_ephemerally_and_share_posts_to_the_channel(client, bot, fake):
    fields = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "newsrag-test",
        "channel_id": CHANNEL,
        "channel_name": "newsroom",
        "user_id": BOB,
        "user_name": "bob",
        "command": "/ask",
        "text": "How many soldiers died at Boulikessi?",
        "api_app_id": "A0NEWSRAG",
        "response_url": fake.response_url("command-1"),
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    response = post_form(client, fields)
    assert response.status_code == 200
    ack = response.json()  # the immediate ephemeral acknowledgement
    assert "Searching the articles" in ack["text"]
    assert ack.get("response_type", "ephemeral") == "ephemeral"
    wait_idle(bot, fake)
    [answer] = [c for c in fake.of("response_url") if c.path.endswith("/command-1")]
    assert answer.args["response_type"] == "ephemeral"
    assert "How many soldiers died at Boulikessi?" in mrkdwn_of(answer)  # question shown
    assert "30" in mrkdwn_of(answer)
    assert not fake.of("chat.postMessage")  # nothing public yet
    buttons = actions_of(answer)
    assert set(buttons) == {
        "newsrag_share",
        "newsrag_feedback_helpful",
        "newsrag_feedback_not_helpful",
    }

    share = click(
        client,
        fake,
        buttons["newsrag_share"],
        user=BOB,
        channel=CHANNEL,
        name="share-1",
        ephemeral=True,
    )
    assert share.status_code == 200
    wait_idle(bot, fake)
    [public] = fake.of("chat.postMessage", channel=CHANNEL)
    text = mrkdwn_of(public)
    assert f"<@{BOB}> asked" in text and "30" in text and "Boulikessi" in text
    assert "newsrag_share" not in blocks_text(public)  # feedback buttons only
    deleted = [c for c in fake.of("response_url") if c.path.endswith("/share-1")]
    assert any(c.args.get("delete_original") in (True, "true") for c in deleted)


def test_feedback_click_is_recorded_counted_and_listed(dioura, client, bot, fake, slack_data_dir):
    from typer.testing import CliRunner

    from api import metrics
    from api.cli.feedback import app as feedback_app

    def count(rating: str) -> float:
        value = metrics.REGISTRY.get_sample_value(
            "newsrag_slack_feedback_total", {"rating": rating}
        )
        return value or 0.0

    before = count("helpful")
    buttons = actions_of(dioura["update"])
    response = click(
        client,
        fake,
        buttons["newsrag_feedback_helpful"],
        user=BOB,
        channel=CHANNEL,
        name="fb-1",
        ephemeral=False,
    )
    assert response.status_code == 200
    wait_idle(bot, fake)
    [thanks] = [c for c in fake.of("response_url") if c.path.endswith("/fb-1")]
    assert thanks.args["response_type"] == "ephemeral" and "helpful" in thanks.args["text"]
    assert count("helpful") == before + 1
    assert b"newsrag_slack_feedback_total" in metrics.render()[0]

    [row] = [r for r in bot.feedback.list() if r.user == BOB]
    assert row.helpful and row.question == DIOURA_Q and "40" in row.answer
    assert any(c["url"] == DIOURA_URL for c in row.citations)

    # a second click by the same person changes the vote instead of adding one
    click(
        client,
        fake,
        buttons["newsrag_feedback_not_helpful"],
        user=BOB,
        channel=CHANNEL,
        name="fb-2",
        ephemeral=False,
    )
    wait_idle(bot, fake)
    [row] = [r for r in bot.feedback.list() if r.user == BOB]
    assert not row.helpful

    result = CliRunner().invoke(feedback_app, ["--data-dir", str(slack_data_dir), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert any(r["question"] == DIOURA_Q and r["rating"] == "not_helpful" for r in rows)
    table = CliRunner().invoke(feedback_app, ["--data-dir", str(slack_data_dir)])
    assert table.exit_code == 0 and "not helpful" in table.output


# --- what must never be acted on -------------------------------------------------------------
def test_unsigned_bad_signature_and_replayed_requests_are_refused(client, bot, fake):
    body = event_body(mention(DIOURA_Q))
    stale = str(int(time.time()) - 6 * 60)
    attempts = [
        client.post("/slack/events", content=body, headers={"Content-Type": "application/json"}),
        post_signed(client, body, "application/json", secret="not-the-secret"),
        post_signed(client, body, "application/json", timestamp=stale),  # replay
        post_signed(client, body, "application/json", timestamp="soon"),
        post_signed(
            client,
            body + b" ",
            "application/json",  # body changed after signing
            headers={"X-Slack-Signature": sign(body, str(int(time.time())))},
        ),
        post_form(client, {"command": "/ask", "text": "x"}, secret="wrong"),
    ]
    assert [r.status_code for r in attempts] == [401] * len(attempts)
    assert bot.pending == 0
    assert fake.calls == []  # not even auth.test


def test_own_and_other_bots_messages_are_ignored(dioura, client, bot, fake):
    parent = dioura["event"]["ts"]  # an open thread: a person's reply here would be answered
    events = [
        message("and at Timbuktu?", user=BOT_USER_ID, thread_ts=parent),
        message("and at Timbuktu?", thread_ts=parent, bot_id=BOT_ID),
        message("and at Timbuktu?", user="UOTHERBOT", thread_ts=parent, bot_id="BOTHER"),
        message("and at Timbuktu?", subtype="bot_message", bot_id="BOTHER", thread_ts=parent),
        message("edited", subtype="message_changed", thread_ts=parent),
        message(
            "How many soldiers died at Dioura?",
            user=BOT_USER_ID,
            channel=DM,
            channel_type="im",
            bot_id=BOT_ID,
        ),
        mention(DIOURA_Q, user="UOTHERBOT") | {"bot_id": "BOTHER"},
    ]
    for event in events:
        assert post_event(client, event).status_code == 200
    assert bot.pending == 0  # listeners ran before the response: nothing was started
    assert not [m for m in fake.methods() if m.startswith("chat.")]


def test_retried_delivery_is_answered_once(client, bot, fake):
    dm = message("How many soldiers died at Boulikessi?", channel="DRETRY", channel_type="im")
    event_id = "Ev0RETRY" + uuid.uuid4().hex[:6].upper()
    first = post_event(client, dm, event_id=event_id)
    retry = post_event(
        client,
        dm,
        event_id=event_id,
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert first.status_code == 200 and retry.status_code == 200
    assert retry.headers.get("X-Slack-No-Retry") == "1"
    wait_idle(bot, fake)
    assert len(fake.of("chat.postMessage", channel="DRETRY")) == 1
    assert len(fake.of("chat.update", channel="DRETRY")) == 1
    # a later retry (Slack tries again after a minute) is dropped too
    again = post_event(client, dm, event_id=event_id, headers={"X-Slack-Retry-Num": "2"})
    assert again.status_code == 200 and bot.pending == 0
    assert len(fake.of("chat.postMessage", channel="DRETRY")) == 1


def test_url_verification_challenge(client, fake):
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()
    response = post_signed(client, body, "application/json")
    assert response.status_code == 200
    assert response.json()["challenge"].startswith("3eZbrw1aBm2")


# --- Socket Mode (against the fake's WebSocket; the real Slack is not reachable here) ---------
def envelope(event: dict) -> dict:
    return {
        "envelope_id": str(uuid.uuid4()),
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 0,
        "retry_reason": "",
        "payload": json.loads(event_body(event)),
    }


def test_socket_mode_and_mention_required_for_follow_ups(tmp_path, shared_embeddings):
    from api.server.app import create_app

    fake = FakeSlack().start()
    try:
        components = make_components(
            tmp_path / "data",
            shared_embeddings,
            slack_signing_secret=SECRET,
            slack_bot_token=TOKEN,
            slack_app_token="xapp-1-A0NEWSRAG-test",
            slack_socket_mode=True,
            slack_api_url=fake.api_url,
            slack_process_before_response=True,  # the envelope is acked after the listener
            slack_thread_followups_need_mention=True,
        )
        app = create_app(components.settings, components=components)
        with TestClient(app):
            bot = app.state.slack
            fake.wait_for(lambda: fake.of("socket_connect"), what="a Socket Mode connection")
            [opened] = fake.of("apps.connections.open")
            assert opened.token == "xapp-1-A0NEWSRAG-test"  # the app-level token, not the bot's

            question = mention("")  # a mention with no question: the bot explains itself
            first = envelope(question)
            fake.send_envelope(first)
            fake.wait_for(lambda: fake.of("socket_ack", envelope_id=first["envelope_id"]))
            wait_idle(bot, fake)
            [help_post] = fake.of("chat.postMessage", thread_ts=question["ts"])
            assert "Ask me a question" in help_post.args["text"]
            assert help_post.token == TOKEN

            # the thread is open, but this workspace wants a mention for every follow-up
            reply = envelope(message("and at Timbuktu?", thread_ts=question["ts"]))
            fake.send_envelope(reply)
            fake.wait_for(lambda: fake.of("socket_ack", envelope_id=reply["envelope_id"]))
            assert bot.pending == 0
            assert len(fake.of("chat.postMessage")) == 1
        assert fake._ws is None or fake.wait_for(lambda: fake._ws is None)  # closed on shutdown
    finally:
        fake.stop()
