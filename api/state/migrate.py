"""Schema migrations of the app database (Alembic, scripts in ``api/state/migrations``).

``upgrade`` runs under a lock, so N workers starting at once on one database migrate it once:
PostgreSQL takes a transaction-scoped advisory lock, SQLite the write lock (BEGIN IMMEDIATE).
On PostgreSQL and SQLite DDL is transactional, so a failed migration leaves nothing half done.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x6E657773  # "news": the advisory lock newsrag's migrations hold


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@functools.cache
def head() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current(engine: Engine) -> str | None:
    """The revision the database is at (None: never migrated, e.g. a pre-Alembic file)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``revision``; returns (before, after)."""
    if revision == "head" and current(engine) == head():
        return head(), head()
    with engine.connect() as conn:
        conn = conn.execution_options(newsrag_immediate=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            before = MigrationContext.configure(conn).get_current_revision()
            command.upgrade(_config(conn), revision)
            after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        log.info("app database migrated from %s to %s", before or "(none)", after)
    return before, after
