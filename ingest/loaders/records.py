"""JSON and JSON Lines records: ``{"id", "url", "title", "published", "source", "text"}``.

``content``/``body`` are accepted for ``text``, ``date`` for ``published``; ``authors`` is
optional. A JSON file is one object, a list of objects or ``{"articles": [...]}``; it is read
whole, within the file size limit. JSON Lines files are streamed line by line, however large:
the size limit applies to each line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

from ingest.loaders.base import (
    Hints,
    LoadResult,
    Rejected,
    WholeFileLoader,
    build_article,
    looks_binary,
    non_utf8_reason,
    text_field,
)
from rag.schema import Article, Rejection
from rag.settings import Settings

_TOO_DEEP = "JSON nested too deeply"


class JsonLoader(WholeFileLoader):
    def parse(self, origin: str, data: bytes, hints: Hints) -> Iterator[LoadResult]:
        try:
            value = json.loads(data)
        except UnicodeDecodeError as e:
            raise Rejected(non_utf8_reason(data, e.start)) from None
        except json.JSONDecodeError as e:
            raise Rejected(f"invalid JSON: {e}") from None
        except RecursionError:
            raise Rejected(_TOO_DEEP) from None
        if isinstance(value, dict) and isinstance(value.get("articles"), list):
            value = value["articles"]
        if isinstance(value, dict):
            yield record_article(self.settings, origin, value, hints)
        elif isinstance(value, list):
            if not value:
                raise Rejected("no records (empty JSON list)")
            for i, record in enumerate(value, 1):
                yield _guarded(self.settings, f"{origin}#{i}", record, hints)
        else:
            raise Rejected(
                f'expected a JSON object, a list of objects or {{"articles": [...]}}, '
                f"got {_json_type(value)}"
            )


class JsonLinesLoader:
    streaming = True

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def load(self, origin: str, stream: BinaryIO, hints: Hints) -> Iterator[LoadResult]:
        limit = self.settings.max_file_bytes
        records = 0
        for lineno, line in enumerate(_lines(stream, limit), 1):
            where = f"{origin}:{lineno}"
            if line is None:
                records += 1  # a record, just too big: the file is not "empty"
                yield Rejection(
                    origin=where,
                    reason=f"line is over the {limit:,} byte limit (NEWSRAG_MAX_FILE_BYTES)",
                )
                continue
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            if records == 0 and looks_binary(line):
                raise Rejected("binary file, not text")
            records += 1
            try:
                value = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as e:
                reason = non_utf8_reason(line, e.start, " of the line")
            except json.JSONDecodeError as e:
                reason = f"invalid JSON: {e}"
            except RecursionError:
                reason = _TOO_DEEP
            else:
                yield _guarded(self.settings, where, value, hints)
                continue
            yield Rejection(origin=where, reason=reason)
        if records == 0:
            raise Rejected("empty file")


def _lines(stream: BinaryIO, limit: int) -> Iterator[bytes | None]:
    """Lines of at most ``limit`` bytes; None for a longer line, which is skipped unread."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(1 << 20)
        yield None


def _guarded(settings: Settings, origin: str, record: Any, hints: Hints) -> LoadResult:
    try:
        return record_article(settings, origin, record, hints)
    except Rejected as e:
        return Rejection(origin=origin, reason=e.reason)


def record_article(settings: Settings, origin: str, record: Any, hints: Hints) -> Article:
    if not isinstance(record, dict):
        raise Rejected(f"expected a JSON object, got {_json_type(record)}")
    text = text_field(record, "text", "content", "body")
    if text is None:
        raise Rejected("record has no text (expected a 'text', 'content' or 'body' field)")
    title = text_field(record, "title")
    if title is None:
        raise Rejected("record has no title (expected a 'title' field)")
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, (str, int, type(None))):
        raise Rejected(f"field 'id' should be a string or an integer, not {_json_type(record_id)}")
    published = record.get("published")
    return build_article(
        settings,
        origin,
        id=None if record_id is None else str(record_id),
        title=title,
        text=text,
        url=text_field(record, "url"),  # not the fetched URL: it would be every record's id
        published=record.get("date") if published in (None, "") else published,
        source=text_field(record, "source") or hints.source,
        authors=record.get("authors"),
    )


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
