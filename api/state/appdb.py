"""The app database: state of the ways in (API keys, ingest jobs; conversations live in the same
file through ``api.state.conversations.ConversationStore``), not of the corpus.

One SQLite file at ``settings.app_db_path`` in WAL mode, a short-lived connection per unit of
work, so it is safe from any thread and from several worker processes. Features add their own
tables with ``AppDB.ensure_schema`` and use ``AppDB.connect()`` / ``AppDB.transaction()``::

    db = AppDB(settings.app_db_path)
    db.ensure_schema("CREATE TABLE IF NOT EXISTS slack_feedback (...)")
    with db.transaction() as conn:
        conn.execute("INSERT INTO slack_feedback ...", (...))
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rag.store import sqlite


def utcnow() -> str:
    """Timestamps in the app database: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class AppDB:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def connect(self):
        """A connection in autocommit mode (each statement commits); closed afterwards."""
        return sqlite.connect(self.path)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception)."""
        with self.connect() as db, sqlite.transaction(db):
            yield db

    def ensure_schema(self, script: str) -> None:
        """Run ``CREATE … IF NOT EXISTS`` statements (idempotent; call at start-up)."""
        with self.connect() as db:
            db.executescript(script)

    def ping(self) -> bool:
        with self.connect() as db:
            return db.execute("SELECT 1").fetchone()[0] == 1
