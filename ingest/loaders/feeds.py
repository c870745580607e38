"""RSS and Atom feeds: one article per entry, its content (or summary) as plain text.

A feed fetched from a URL often carries only a teaser: with ``settings.feed_full_text`` each
short entry's link is fetched as well and its page's text stored instead (``ingest.fulltext``).
A feed read from a file is taken as it is: reading a file makes no network request.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import feedparser

from ingest.loaders.base import (
    Hints,
    LoadResult,
    Rejected,
    WholeFileLoader,
    build_article,
    html_to_text,
    parse_date,
)
from rag.schema import Article, Rejection
from rag.settings import Settings

# The root element, after an optional BOM, XML declaration, comments, PIs and doctype.
_FEED_ROOT = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*"
    rb"<(?:rss|feed|rdf:RDF)[\s>/]",
    re.DOTALL | re.IGNORECASE,
)


def looks_like_feed(head: bytes) -> bool:
    """Whether a document's first bytes open an RSS, Atom or RDF feed."""
    return bool(_FEED_ROOT.match(head[:4096]))


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: its GUID (to recognise it next time) and what it loaded as."""

    guid: str
    result: LoadResult


class FeedLoader(WholeFileLoader):
    def parse(self, origin: str, data: bytes, hints: Hints) -> Iterator[LoadResult]:
        results = [e.result for e in parse_feed(self.settings, origin, data, hints)]
        if hints.url and self.settings.feed_full_text:
            from ingest.fulltext import with_full_text  # it fetches: imports ingest.fetch

            results = with_full_text(results, self.settings)
        yield from results


def parse_feed(settings: Settings, origin: str, data: bytes, hints: Hints) -> list[FeedEntry]:
    """Every entry, as an article or a rejection; raises ``Rejected`` for a bad feed."""
    # A stream, never bytes or str: feedparser opens a str as a URL and bytes as a
    # file name if such a file exists.
    headers = {"content-location": hints.url} if hints.url else None
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = parsed.entries
    if not entries:
        if not parsed.version:
            error = parsed.get("bozo_exception")
            detail = f" ({error})" if parsed.bozo and error else ""
            raise Rejected(f"not an RSS or Atom feed{detail}")
        raise Rejected("feed has no entries")
    source = (parsed.feed.get("title") or "").strip() or hints.source
    out: list[FeedEntry] = []
    for i, entry in enumerate(entries, 1):
        where = f"{origin}#{i}"
        try:
            result: LoadResult = _article(settings, where, entry, source)
        except Rejected as e:
            result = Rejection(origin=where, reason=e.reason)
        out.append(FeedEntry(_guid(entry), result))
    return out


def _article(settings: Settings, origin: str, entry: Any, source: str | None) -> Article:
    text = _entry_text(entry)
    if not text:
        raise Rejected("entry has no content or summary")
    return build_article(
        settings,
        origin,
        title=_title(entry),
        text=text,
        url=entry.get("link"),
        published=_entry_date(entry),
        source=source,
        authors=entry.get("authors") or entry.get("author"),
    )


def _guid(entry: Any) -> str:
    """The entry's own id (RSS guid, Atom id), else its link, else a hash of its title and
    text; with its update time, so an entry the publisher revised counts as new."""
    own = entry.get("id") or entry.get("link")
    if not own:
        body = (entry.get("title") or "") + "\x1f" + _entry_text(entry)
        own = "sha1:" + hashlib.sha1(body.encode("utf-8", "surrogatepass")).hexdigest()
    updated = entry.get("updated") or ""
    return f"{own}|{updated}" if updated and updated != entry.get("published") else own


def _title(entry: Any) -> str:
    title = entry.get("title") or ""
    detail = entry.get("title_detail") or {}
    return html_to_text(title) if "html" in (detail.get("type") or "") else title


def _entry_text(entry: Any) -> str:
    """The longest full content, else the summary, as plain text."""
    candidates = [c for c in entry.get("content") or [] if c.get("value")]
    detail = entry.get("summary_detail")
    if not candidates and detail and detail.get("value"):
        candidates = [detail]
    best = ""
    for item in candidates:
        value = item["value"]
        kind = item.get("type") or "text/html"
        text = html_to_text(value) if "html" in kind else value
        if len(text.strip()) > len(best):
            best = text.strip()
    return best


def _entry_date(entry: Any) -> date | None:
    # The raw string keeps the publisher's own day; *_parsed fields are converted to UTC.
    for key in ("published", "updated", "created"):
        day = parse_date(entry.get(key))
        if day:
            return day
    for key in ("published_parsed", "updated_parsed"):
        parsed: time.struct_time | None = entry.get(key)
        if parsed:
            return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None
