"""The catalog: committed articles, their chunks and the BM25 index, in one SQLite file.

SQLite's FTS5 gives a persisted, incremental BM25 index that commits in the same transaction
as the article rows, so an article is either fully indexed or absent: the catalog is the source
of truth for what is searchable (dense hits whose chunk is not in the catalog are ignored).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from rag.schema import Article, Chunk
from rag.store.bm25 import BODY_WEIGHT, SEARCH_SQL, TITLE_WEIGHT, Bm25, or_query, query_words
from rag.store.filters import Filters, day_number
from rag.store.sqlite import open_db, transaction

ANY = object()  # ``expect=ANY``: write whatever the article's current version is

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    url           TEXT,
    published     TEXT,
    published_day INTEGER NOT NULL,
    source        TEXT,
    authors       TEXT NOT NULL DEFAULT '[]',
    origin        TEXT NOT NULL DEFAULT '',
    fingerprint   TEXT NOT NULL,
    text          TEXT NOT NULL,
    ingested_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_day ON articles(published_day);
-- Covers the BM25 query's filter join (as_of, source) without reading the article rows.
CREATE INDEX IF NOT EXISTS articles_filter ON articles(id, published_day, source);
CREATE TABLE IF NOT EXISTS chunks (
    rowid      INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""


@dataclass
class ChunkRow:
    chunk: Chunk
    article: Article


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._bm25 = Bm25()
        self._db().executescript(_SCHEMA)  # executescript manages its own transaction

    # One connection per thread: sqlite3 connections must not be shared across threads.
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.path)
            self._local.db = db
        return db

    def _tx(self):
        return transaction(self._db())

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads on this thread inside the block see one consistent state (a WAL snapshot)."""
        db = self._db()
        if db.in_transaction:
            yield
            return
        db.execute("BEGIN")
        try:
            yield
        finally:
            db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- writes ------------------------------------------------------------------------------
    def replace_article(
        self, article: Article, chunks: Sequence[Chunk], *, expect: object = ANY
    ) -> list[str] | None:
        """Atomically store ``article`` and its chunks; returns the ids of chunks it replaced.

        With ``expect`` (a fingerprint, or None for "absent"), nothing is written and None is
        returned unless the stored version is still that one (a concurrent write won)."""
        with self._tx() as db:
            if expect is not ANY and self._fingerprint(db, article.id) != expect:
                return None
            old = self._delete(db, article.id)
            db.execute(
                "INSERT INTO articles (id, title, url, published, published_day, source, authors,"
                " origin, fingerprint, text, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    article.id,
                    article.title,
                    article.url,
                    article.published.isoformat() if article.published else None,
                    day_number(article.published),
                    article.source,
                    json.dumps(article.authors),
                    article.origin,
                    article.fingerprint,
                    article.text,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
            for c in chunks:
                cur = db.execute(
                    'INSERT INTO chunks (id, article_id, idx, start, "end") VALUES (?,?,?,?,?)',
                    (c.id, c.article_id, c.index, c.start, c.end),
                )
                db.execute(
                    "INSERT INTO chunks_fts (rowid, title, body) VALUES (?,?,?)",
                    (cur.lastrowid, article.title, c.text),
                )
        return [cid for cid in old if cid not in {c.id for c in chunks}]

    def delete_article(self, article_id: str, *, expect: object = ANY) -> list[str] | None:
        """Removes the article; returns its chunk ids, or None if it was not there (or, with
        ``expect``, if its stored fingerprint is not that one)."""
        with self._tx() as db:
            found = self._fingerprint(db, article_id)
            if found is None or (expect is not ANY and found != expect):
                return None
            return self._delete(db, article_id)

    @staticmethod
    def _fingerprint(db: sqlite3.Connection, article_id: str) -> str | None:
        row = db.execute("SELECT fingerprint FROM articles WHERE id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def delete_source(self, source: str) -> tuple[int, list[str]]:
        with self._tx() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM articles WHERE source=?", (source,))]
            chunk_ids: list[str] = []
            for article_id in ids:
                chunk_ids += self._delete(db, article_id)
        return len(ids), chunk_ids

    @staticmethod
    def _delete(db: sqlite3.Connection, article_id: str) -> list[str]:
        rows = db.execute(
            "SELECT rowid, id FROM chunks WHERE article_id=?", (article_id,)
        ).fetchall()
        db.executemany("DELETE FROM chunks_fts WHERE rowid=?", [(r[0],) for r in rows])
        db.execute("DELETE FROM chunks WHERE article_id=?", (article_id,))
        db.execute("DELETE FROM articles WHERE id=?", (article_id,))
        return [r[1] for r in rows]

    # --- reads -------------------------------------------------------------------------------
    def fingerprint(self, article_id: str) -> str | None:
        row = (
            self._db()
            .execute("SELECT fingerprint FROM articles WHERE id=?", (article_id,))
            .fetchone()
        )
        return row[0] if row else None

    def get_article(self, article_id: str) -> Article | None:
        row = self._db().execute("SELECT * FROM articles WHERE id=?", (article_id,)).fetchone()
        return _article(row) if row else None

    def chunks_of(self, article_id: str) -> list[Chunk]:
        article = self.get_article(article_id)
        if article is None:
            return []
        rows = self._db().execute(
            'SELECT id, idx, start, "end" FROM chunks WHERE article_id=? ORDER BY idx',
            (article_id,),
        )
        return [
            Chunk(
                id=r[0],
                article_id=article_id,
                index=r[1],
                start=r[2],
                end=r[3],
                text=article.text[r[2] : r[3]],
            )
            for r in rows
        ]

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Committed chunks among ``chunk_ids`` with their articles (uncommitted ones are absent)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = (
            self._db()
            .execute(
                f'SELECT c.id AS cid, c.idx, c.start, c."end", a.* FROM chunks c '
                f"JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})",
                list(chunk_ids),
            )
            .fetchall()
        )
        out: dict[str, ChunkRow] = {}
        for r in rows:
            article = _article(r)
            out[r["cid"]] = ChunkRow(
                chunk=Chunk(
                    id=r["cid"],
                    article_id=article.id,
                    index=r["idx"],
                    start=r["start"],
                    end=r["end"],
                    text=article.text[r["start"] : r["end"]],
                ),
                article=article,
            )
        return out

    def list_articles(
        self,
        *,
        source: str | None = None,
        since: date | None = None,
        until: date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[int, list[Article]]:
        where, args = ["1=1"], []
        if source:
            where.append("source = ?")
            args.append(source)
        if since:
            where.append("published_day >= ?")
            args.append(day_number(since))
        if until:
            where.append("published_day BETWEEN 0 AND ?")
            args.append(day_number(until))
        clause = " AND ".join(where)
        # SQLite integers are 64-bit: an offset past that is past the end anyway.
        offset, limit = min(max(offset, 0), 2**62), min(max(limit, 0), 2**62)
        db = self._db()
        with self.snapshot():  # the count and the page from the same state, even mid-ingest
            total = db.execute(f"SELECT count(*) FROM articles WHERE {clause}", args).fetchone()[0]
            rows = db.execute(
                f"SELECT * FROM articles WHERE {clause} "
                "ORDER BY published_day DESC, id LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return total, [_article(r) for r in rows]

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self._db().execute("SELECT id FROM chunks")}

    def chunk_owners(self) -> dict[str, str]:
        """Every committed chunk id -> its article id."""
        return dict(self._db().execute("SELECT id, article_id FROM chunks").fetchall())

    def article_ids_of_source(self, source: str) -> list[str]:
        return [
            r[0] for r in self._db().execute("SELECT id FROM articles WHERE source=?", (source,))
        ]

    def stats(self) -> dict:
        db = self._db()
        articles, chunks = db.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM chunks)"
        ).fetchone()
        first, last = db.execute(
            "SELECT min(published), max(published) FROM articles WHERE published IS NOT NULL"
        ).fetchone()
        undated = db.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0]
        sources = {
            (r[0] or "(none)"): r[1]
            for r in db.execute(
                "SELECT source, count(*) FROM articles GROUP BY source ORDER BY count(*) DESC"
            )
        }
        return {
            "articles": articles,
            "chunks": chunks,
            "undated_articles": undated,
            "first_published": first,
            "last_published": last,
            "sources": sources,
        }

    # --- BM25 --------------------------------------------------------------------------------
    def lexical_search(
        self, query: str, filters: Filters, limit: int, *, prune: bool = True
    ) -> list[tuple[str, float]]:
        """(chunk id, bm25 score; higher is better) for the best ``limit`` chunks.

        Pruned (``rag.store.bm25``): common words only add to the scores of chunks that hold a
        rarer one, so the cost stays flat as the store grows. ``prune=False`` runs the plain
        OR-query over every word (what the pruned search is measured against)."""
        where, args = _filter_sql(filters)
        if prune:
            return self._bm25.search(self._db(), query, where, args, limit)
        match = fts_query(query)
        if not match:
            return []
        sql = SEARCH_SQL.format(title=TITLE_WEIGHT, body=BODY_WEIGHT, where=where)
        rows = self._db().execute(sql, [match, *args, limit]).fetchall()
        return [(r[1], -r[2]) for r in rows]

    def matching_article_count(self, filters: Filters) -> int:
        where, args = _filter_sql(filters)
        return (
            self._db()
            .execute(f"SELECT count(*) FROM articles a WHERE 1=1 {where}", args)
            .fetchone()[0]
        )


def fts_query(text: str) -> str:
    """An FTS5 OR-query of the question's content words (quoted: user text is never syntax)."""
    return or_query(query_words(text))


def _filter_sql(filters: Filters) -> tuple[str, list]:
    sql, args = "", []
    days = filters.day_range()
    if days is not None:
        sql += " AND a.published_day BETWEEN ? AND ?"
        args += list(days)
    if filters.sources:
        sql += f" AND a.source IN ({','.join('?' * len(filters.sources))})"
        args += list(filters.sources)
    return sql, args


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        url=row["url"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        source=row["source"],
        authors=json.loads(row["authors"] or "[]"),
        origin=row["origin"],
    )
