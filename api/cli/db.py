"""``newsrag db``: the app database's schema (Alembic migrations in api/state/migrations)."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.common import DataDir, console, settings_from

app = typer.Typer(
    help="The app database (keys, conversations, jobs, feedback, Slack state): migrations.",
    no_args_is_help=True,
)


def _engine(data_dir: Path | None):
    from api.state.appdb import AppDB

    db = AppDB.for_settings(settings_from(data_dir), upgrade=False)
    return db, db.engine


@app.command()
def upgrade(data_dir: DataDir = None) -> None:
    """Apply pending migrations (every `newsrag serve` also does this when it starts).

    An app database made before migrations existed is brought in as it is: missing tables are
    created, existing tables and rows are kept."""
    from api.state import migrate

    db, engine = _engine(data_dir)
    before, after = migrate.upgrade(engine)
    where = db.engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"{where}: up to date (revision {after})")
    else:
        console.print(f"{where}: migrated from {before or 'no revision'} to {after}")


@app.command()
def current(data_dir: DataDir = None) -> None:
    """The revision the app database is at, and the newest one this version knows."""
    from api.state import migrate

    db, engine = _engine(data_dir)
    where = db.engine.url.render_as_string(hide_password=True)
    console.print(
        f"{where}: revision {migrate.current(engine) or 'none'} (newest {migrate.head()})"
    )
