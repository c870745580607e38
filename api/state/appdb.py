"""The app database: state of the ways in (API keys, conversations, feedback, ingest jobs, Slack
threads and dedupe), not of the corpus.

One SQLAlchemy engine per database URL and process (``api.state.config``): by default the SQLite
file ``settings.app_db_path`` (WAL, a connection per unit of work: safe from any thread and from
several worker processes on one machine); with ``NEWSRAG_DATABASE_URL=postgresql+psycopg://…``
one PostgreSQL database for every worker on every machine. The tables are declared in
``api.state.schema`` and created or changed only by the Alembic migrations in
``api/state/migrations`` (``AppDB`` applies them when it opens a database; ``newsrag db
upgrade`` does it by hand)::

    db = AppDB.for_settings(settings)
    with db.write() as conn:
        conn.execute(insert(api_keys).values(...))
    with db.read() as conn:
        rows = conn.execute(select(api_keys)).mappings().all()
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from api.state.config import StateSettings, database_url, normalize_url
from rag.settings import Settings

BUSY_TIMEOUT_S = 60


def utcnow() -> str:
    """Timestamps in the app database: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_engines: dict[str, Engine] = {}
_upgraded: set[str] = set()
_lock = threading.Lock()


class AppDB:
    """One app database. ``target`` is a SQLAlchemy URL or the path of a SQLite file."""

    def __init__(self, target: str | Path, *, upgrade: bool = True) -> None:
        text = str(target)
        self.url = normalize_url(text) if "://" in text else f"sqlite:///{Path(text)}"
        self.engine = _engine(self.url)
        self.dialect = self.engine.dialect.name
        self.path: Path | None = (
            Path(self.engine.url.database) if self.dialect == "sqlite" else None
        )
        if upgrade:
            self.upgrade()

    @classmethod
    def for_settings(
        cls, settings: Settings, state: StateSettings | None = None, *, upgrade: bool = True
    ) -> AppDB:
        return cls(database_url(settings, state), upgrade=upgrade)

    def upgrade(self) -> None:
        """Apply pending migrations (once per database and process)."""
        with _lock:
            if self.url in _upgraded:
                return
        from api.state import migrate

        migrate.upgrade(self.engine)
        with _lock:
            _upgraded.add(self.url)

    # --- units of work ---------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read transaction (committed, or rolled back on an exception)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so
        a read-then-write never fails half way; on PostgreSQL lock rows with FOR UPDATE."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(newsrag_immediate=True)
            with conn.begin():
                yield conn

    def ping(self) -> bool:
        with self.read() as conn:
            return conn.execute(sa.text("SELECT 1")).scalar() == 1

    # --- dialect helpers -------------------------------------------------------------------
    def insert(self, table: sa.Table):
        """INSERT with ``on_conflict_do_nothing``/``on_conflict_do_update`` on either dialect."""
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def insert_ignore(self, conn: Connection, table: sa.Table, **values: Any) -> bool:
        """Insert unless the primary key exists; True if a row was inserted."""
        # RETURNING, not rowcount: drivers report -1 as the rowcount of an INSERT.
        key = list(table.primary_key.columns)[0]
        stmt = self.insert(table).values(**values).on_conflict_do_nothing().returning(key)
        return conn.execute(stmt).first() is not None


def _engine(url: str) -> Engine:
    with _lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        if url.startswith("sqlite"):
            engine = _sqlite_engine(url)
        else:
            # Each worker keeps a few connections; pre-ping survives a restarted database.
            engine = sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
        _engines[url] = engine
        return engine


def _sqlite_engine(url: str) -> Engine:
    path = sa.engine.make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # A connection per unit of work, as before SQLAlchemy: opening a SQLite file is cheap, and
    # a pool per data dir would keep files open in processes that touch many (tests, tools).
    engine = sa.create_engine(
        url,
        poolclass=NullPool,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # the "begin" hook below issues BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get("newsrag_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def dispose(url: str) -> None:
    """Close the pooled connections of a database (tests drop their databases afterwards)."""
    with _lock:
        engine = _engines.pop(normalize_url(url), None)
        _upgraded.discard(normalize_url(url))
    if engine is not None:
        engine.dispose()
