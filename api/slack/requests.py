"""What a signed Slack request must look like before bolt sees it, and what each kind needs.

A valid signature proves the body came from Slack (or from someone holding a copy of a signed
request), not that it is well formed: bolt itself answers a truncated interactivity payload
with a 500 and hands listeners events without the fields they read. So a body that is not the
shape Slack sends is a 400 here; a well-formed request missing a field its listener needs is
acknowledged and ignored, with an info line; and a request replayed byte for byte (slash
commands and button clicks carry no event id) is answered once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

# Fields a listener reads without a default; a request without them cannot be answered.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "app_mention": ("channel", "ts"),
    "message": ("channel", "ts"),
}
COMMAND_FIELDS = ("command", "response_url")
ACTION_FIELDS = ("actions", "response_url")


def malformed(body: bytes, content_type: str) -> str | None:
    """Why a signed body is not a Slack request (None: it is one)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if "json" in content_type:
        return _json_object(text, "the JSON body")
    if "x-www-form-urlencoded" not in content_type:
        return f"unexpected content type {content_type!r}"
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=200)
    except ValueError as e:
        return f"the form body cannot be parsed: {e}"
    if "payload" in form:
        return _json_object(form["payload"][0], "the interactivity payload")
    if "ssl_check" in form:  # Slack checking the certificate of a slash command's URL
        return None
    if "command" not in form:
        return "a form body that is neither a slash command nor an interactivity payload"
    return None


def _json_object(text: str, what: str) -> str | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as e:
        return f"{what} is not valid JSON ({str(e)[:80]})"
    if not isinstance(value, dict) or not isinstance(value.get("type", ""), str):
        return f"{what} is not a JSON object with a type"
    if value.get("type") == "event_callback" and not isinstance(value.get("event"), dict):
        return "an event callback without an event object"
    return None


def missing_fields(body: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(what, the fields it lacks) for a request its listener cannot answer; None if complete."""
    if body.get("type") == "event_callback":
        event = body.get("event") or {}
        kind = str(event.get("type"))
        lacking = [f for f in EVENT_FIELDS.get(kind, ()) if not event.get(f)]
        return (f"{kind} event", lacking) if lacking else None
    if "command" in body:
        lacking = [f for f in COMMAND_FIELDS if not body.get(f)]
        return ("slash command", lacking) if lacking else None
    if body.get("type") == "block_actions":
        lacking = [f for f in ACTION_FIELDS if not body.get(f)]
        return ("button click", lacking) if lacking else None
    return None


def replay_key(timestamp: str, raw_body: str) -> str:
    """The same signed bytes at the same timestamp: one request, however often it arrives."""
    digest = hashlib.sha256(f"{timestamp}:{raw_body}".encode("utf-8", "surrogatepass"))
    return "replay:" + digest.hexdigest()
