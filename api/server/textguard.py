"""422 for JSON bodies carrying lone surrogates, whatever the route.

A JSON ``"\\ud800"`` escape decodes to an unpaired UTF-16 surrogate: a Python string, but not
Unicode text. Nothing downstream takes it (SQLite, Chroma's where clause, the tokenizer, JSON
output), so it used to surface as a 500 deep inside whichever part met it first. Checking
every string of the body here, before any route runs, gives every field of every route the same
answer as ``question``: 422 naming the field (``sources.0``). Query strings and paths cannot
carry one (percent-decoding replaces invalid UTF-8 with U+FFFD).

Article records (``POST /v1/articles``'s ``articles``) are left to the ingest pipeline, which
rejects such a record with a reason and goes on with the others: a bad record never stops a
batch. The Slack endpoint is left to its signature check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SURROGATE = re.compile("[\ud800-\udfff]")
# json.loads decodes bytes with "surrogatepass": raw UTF-8-style surrogate bytes get in too.
_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")
# (method, path) -> top-level fields whose items are records judged one by one downstream.
RECORD_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/v1/articles"): frozenset({"articles"}),
}
SKIPPED_PREFIXES = ("/slack/",)


def lone_surrogates(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Paths (keys and indexes) of the strings in ``value`` that hold a lone surrogate."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if _SURROGATE.search(key):
                yield (*path, key)
            yield from lone_surrogates(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from lone_surrogates(item, (*path, i))


class TextGuardMiddleware:
    """Reads a JSON body whole (the body limit, outside, has capped it), refuses it with 422
    if a string holds a lone surrogate, and otherwise hands the same bytes on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE")
            or path.startswith(SKIPPED_PREFIXES)
            or "json" not in Headers(scope=scope).get("content-type", "")
        ):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        found = _first_bad_field(body, RECORD_FIELDS.get((scope["method"], path), frozenset()))
        if found is not None:
            await _refuse(scope, send, found)
            return
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)


def _first_bad_field(body: bytes, records: frozenset[str]) -> tuple | None:
    if b"\\u" not in body and not _ENCODED_SURROGATE.search(body):
        return None  # the common case: no escape, no surrogate bytes, nothing to parse twice
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None  # malformed: FastAPI's own 422 says where
    for path in lone_surrogates(value):
        if not (path and path[0] in records and len(path) > 1):
            return path
    return None


async def _refuse(scope: Scope, send: Send, path: tuple) -> None:
    field = _SURROGATE.sub("\ufffd", ".".join(str(p) for p in path)) or "body"
    message = (
        f"{field}: the text holds a lone surrogate (a \\ud800-style escape without its pair), "
        "which is not Unicode; send UTF-8 text"
    )
    body = json.dumps(
        {
            "message": message,
            "status": 422,
            "request_id": scope.get("state", {}).get("request_id"),
            "detail": [
                {
                    "loc": ["body", *path],
                    "msg": "lone surrogate in a string",
                    "type": "string_unicode",
                }
            ],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
