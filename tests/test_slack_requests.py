# ruff: noqa: F811 - the fixtures imported from test_slack_bot are parameters here
"""Signed but hostile Slack requests (api/slack/requests.py), through the real app.

A valid signature says who sent the bytes, not that they are well formed: malformed signed
bodies get 400 (bolt used to answer a truncated interactivity payload with a 500), requests
missing a field their listener reads are acknowledged and ignored with an info line (an
app_mention without ``channel`` used to log a KeyError), and a slash command or click replayed
byte for byte within the signature window is answered once.
"""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import pytest

from tests.fake_slack import TEAM_ID
from tests.test_slack_bot import (  # noqa: F401 - fixtures are found by name
    BOB,
    CHANNEL,
    bot,
    client,
    event_body,
    fake,
    mention,
    message,
    post_signed,
    slack,
    slack_data_dir,
    wait_idle,
)


@pytest.fixture
def errors(caplog):
    caplog.set_level(logging.INFO)
    yield caplog
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not bad, [r.getMessage() for r in bad]


def _form(fields: dict) -> bytes:
    return urlencode(fields).encode()


def _command_fields(fake, name: str, text: str = "How many soldiers died at Boulikessi?"):
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "newsrag-test",
        "channel_id": CHANNEL,
        "channel_name": "newsroom",
        "user_id": BOB,
        "user_name": "bob",
        "command": "/ask",
        "text": text,
        "api_app_id": "A0NEWSRAG",
        "response_url": fake.response_url(name),
        "trigger_id": f"1334.{name}",
    }


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MALFORMED = {
    "truncated-event": (event_body(mention("How many soldiers died at Dioura?"))[:-9], JSON),
    "truncated-payload": (_form({"payload": '{"type": "block_actions", "actions": [{'}), FORM),
    "payload-a-list": (_form({"payload": "[1, 2, 3]"}), FORM),
    "payload-a-string": (_form({"payload": '"block_actions"'}), FORM),
    "payload-deep": (_form({"payload": "[" * 50_000 + "]" * 50_000}), FORM),
    "json-a-list": (b"[1, 2]", JSON),
    "json-null": (b"null", JSON),
    "event-not-an-object": (json.dumps({"type": "event_callback", "event": "x"}).encode(), JSON),
    "type-not-a-string": (json.dumps({"type": ["event_callback"]}).encode(), JSON),
    "not-utf8": (b'{"type": "event_callback", "event": {"text": "caf\xe9"}}', JSON),
    "form-of-nothing": (_form({"hello": "world"}), FORM),
    "form-garbage": (b"%%%&&&===", FORM),
    "text-plain": (b"command=/ask&text=hi", "text/plain"),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_signed_bodies_are_400(client, bot, fake, errors, name) -> None:
    body, content_type = MALFORMED[name]
    response = post_signed(client, body, content_type)
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert "malformed Slack request" in response.json()["error"]
    assert bot.pending == 0
    assert not fake.of("chat.postMessage") and not fake.of("response_url")


def _strip(event: dict, *fields: str) -> dict:
    return {k: v for k, v in event.items() if k not in fields}


INCOMPLETE = {
    "mention-without-channel": lambda fake: event_body(_strip(mention("Dioura?"), "channel")),
    "mention-without-ts": lambda fake: event_body(_strip(mention("Dioura?"), "ts")),
    "dm-without-channel": lambda fake: event_body(
        _strip(message("Dioura?", channel="DALICE", channel_type="im"), "channel")
    ),
    "thread-reply-without-ts": lambda fake: event_body(
        _strip(message("and at Timbuktu?", thread_ts="1750000000.000100"), "ts")
    ),
    "command-without-response-url": lambda fake: _form(
        _strip(_command_fields(fake, "no-url"), "response_url")
    ),
    "click-without-actions": lambda fake: _form(
        {"payload": json.dumps({"type": "block_actions", "team": {"id": TEAM_ID}})}
    ),
}


@pytest.mark.parametrize("name", list(INCOMPLETE))
def test_requests_missing_fields_are_ignored_with_an_info_line(
    client, bot, fake, errors, name
) -> None:
    body = INCOMPLETE[name](fake)
    content_type = FORM if body[:1] != b"{" else JSON
    response = post_signed(client, body, content_type)
    assert response.status_code == 200, response.text[:300]
    wait_idle(bot, fake)
    assert not fake.of("chat.postMessage") and not fake.of("response_url")
    ignored = [r.getMessage() for r in errors.records if "ignored a Slack" in r.getMessage()]
    assert ignored and all(
        r.levelno == logging.INFO for r in errors.records if "ignored" in r.getMessage()
    )


def test_a_replayed_slash_command_is_answered_once(client, bot, fake, errors) -> None:
    body = _form(_command_fields(fake, "replayed"))
    timestamp = str(int(time.time()))
    first = post_signed(client, body, FORM, timestamp=timestamp)
    assert first.status_code == 200 and "Searching the articles" in first.json()["text"]
    again = [post_signed(client, body, FORM, timestamp=timestamp) for _ in range(3)]
    assert [r.status_code for r in again] == [200] * 3
    assert all(r.content == b"" for r in again)  # acknowledged, nothing answered
    # The same question asked again (a new trigger, so other bytes) is a new request.
    fresh = post_signed(client, _form(_command_fields(fake, "fresh")), FORM)
    assert "Searching the articles" in fresh.json()["text"]
    wait_idle(bot, fake)
    replayed = [c for c in fake.of("response_url") if c.path.endswith("/replayed")]
    once = [c for c in fake.of("response_url") if c.path.endswith("/fresh")]
    assert once and len(replayed) == len(once), (len(replayed), len(once))
    duplicates = [r.getMessage() for r in errors.records if "duplicate delivery" in r.getMessage()]
    assert len(duplicates) == 3


def test_a_replayed_click_is_handled_once(client, bot, fake, errors) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "newsrag-test"},
        "user": {"id": BOB, "username": "bob", "team_id": TEAM_ID},
        "api_app_id": "A0NEWSRAG",
        "token": "legacy-verification-token",
        "container": {"type": "message", "is_ephemeral": True, "channel_id": CHANNEL},
        "trigger_id": "1337.42.replay",
        "channel": {"id": CHANNEL, "name": "newsroom"},
        "response_url": fake.response_url("click"),
        "actions": [
            {
                "action_id": "newsrag_feedback_helpful",
                "value": "no-such-answer",
                "type": "button",
                "block_id": "newsrag_answer_actions",
                "action_ts": "1750000000.000001",
            }
        ],
    }
    body = _form({"payload": json.dumps(payload)})
    timestamp = str(int(time.time()))
    for _ in range(3):
        assert post_signed(client, body, FORM, timestamp=timestamp).status_code == 200
    wait_idle(bot, fake)
    fake.wait_for(lambda: fake.of("response_url"), 30, "the expired-answer reply")
    assert len([c for c in fake.of("response_url") if c.path.endswith("/click")]) == 1
