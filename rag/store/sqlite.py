"""SQLite, configured one way for every database newsrag keeps (catalog, app state).

WAL so readers never block the writer, a generous busy timeout so concurrent writers queue
instead of failing, and explicit ``BEGIN IMMEDIATE`` transactions for writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 60


def open_db(path: Path) -> sqlite3.Connection:
    """A configured connection in autocommit mode (the caller closes it)."""
    db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    db.execute("PRAGMA foreign_keys=ON")
    return db


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived configured connection, closed afterwards."""
    db = open_db(path)
    try:
        yield db
    finally:
        db.close()


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction: BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
