"""Keeping feeds current (``newsrag sync-feeds``): fetch each feed, ingest only what is new.

A feed is fetched with the ``ETag`` / ``Last-Modified`` it last answered with, so an unchanged
feed costs one 304 and nothing else. Of a changed feed, entries already ingested (by GUID, with
their update time) are skipped before their pages are fetched; the others get their full text
(``ingest.fulltext``) and go through the ingest pipeline. The state lives in
``feeds.sqlite3`` in the data dir, beside the catalog it describes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest.fetch import FetchError, Resolver, fetch_url, resolve_host
from ingest.fulltext import with_full_text
from ingest.loaders.base import Hints, Rejected
from ingest.loaders.feeds import parse_feed
from ingest.pipeline import Ingestor
from rag.schema import Article, IngestReport
from rag.settings import Settings
from rag.store import sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_items (
    feed_url TEXT NOT NULL,
    guid TEXT NOT NULL,
    article_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_url, guid)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedState:
    """What each feed last answered (validators) and which of its entries are ingested."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite.connect(self.path) as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator:
        with sqlite.connect(self.path) as db, sqlite.transaction(db):
            yield db

    def validators(self, url: str) -> dict[str, str]:
        """Conditional request headers for ``url`` (empty the first time)."""
        with sqlite.connect(self.path) as db:
            row = db.execute("SELECT etag, last_modified FROM feeds WHERE url=?", (url,)).fetchone()
        headers: dict[str, str] = {}
        if row and row["etag"]:
            headers["If-None-Match"] = row["etag"]
        if row and row["last_modified"]:
            headers["If-Modified-Since"] = row["last_modified"]
        return headers

    def seen(self, url: str) -> set[str]:
        with sqlite.connect(self.path) as db:
            rows = db.execute("SELECT guid FROM feed_items WHERE feed_url=?", (url,)).fetchall()
        return {r["guid"] for r in rows}

    def record(
        self, url: str, etag: str | None, last_modified: str | None, items: dict[str, str]
    ) -> None:
        """The feed's validators and the entries (guid -> article id) now ingested, at once."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "INSERT INTO feeds (url, etag, last_modified, checked_at) VALUES (?,?,?,?) "
                "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, "
                "last_modified=excluded.last_modified, checked_at=excluded.checked_at",
                (url, etag, last_modified, now),
            )
            db.executemany(
                "INSERT OR REPLACE INTO feed_items (feed_url, guid, article_id, seen_at) "
                "VALUES (?,?,?,?)",
                [(url, guid, aid, now) for guid, aid in items.items()],
            )


@dataclass
class FeedSync:
    """What one pass did for one feed."""

    url: str
    not_modified: bool = False
    entries: int = 0
    skipped: int = 0  # entries ingested by an earlier pass
    error: str | None = None
    report: IngestReport = field(default_factory=IngestReport)


def feed_state_path(settings: Settings) -> Path:
    return settings.data_dir / "feeds.sqlite3"


def sync_feed(
    url: str,
    settings: Settings,
    ingestor: Ingestor,
    state: FeedState,
    *,
    resolve: Resolver = resolve_host,
) -> FeedSync:
    """One pass over one feed; never raises for a feed that cannot be fetched or read."""
    result = FeedSync(url)
    try:
        fetched = fetch_url(url, settings, resolve=resolve, headers=state.validators(url))
    except FetchError as e:
        result.error = e.reason
        return result
    if fetched.status == 304:
        result.not_modified = True
        return result
    host = urlsplit(fetched.url).hostname or ""
    hints = Hints(
        url=fetched.url, source=host.removeprefix("www.") or None, charset=fetched.charset
    )
    try:
        entries = parse_feed(settings, url, fetched.body, hints)
    except Rejected as e:
        result.error = e.reason
        return result
    result.entries = len(entries)
    seen = state.seen(url)
    fresh = [e for e in entries if e.guid not in seen]
    result.skipped = len(entries) - len(fresh)
    loaded = [e.result for e in fresh]
    if settings.feed_full_text:
        loaded = with_full_text(loaded, settings, resolve=resolve)
    result.report = ingestor.ingest_items(loaded)
    stored = set(result.report.added + result.report.replaced + result.report.unchanged)
    done = {
        e.guid: r.id
        for e, r in zip(fresh, loaded, strict=True)
        if isinstance(r, Article) and r.id in stored
    }
    state.record(url, fetched.etag, fetched.last_modified, done)
    return result


def sync_feeds(
    urls: list[str],
    settings: Settings,
    ingestor: Ingestor,
    *,
    resolve: Resolver = resolve_host,
) -> list[FeedSync]:
    state = FeedState(feed_state_path(settings))
    return [sync_feed(u, settings, ingestor, state, resolve=resolve) for u in urls]
