"""The ``newsrag`` command line: one Typer app, each command group in its own module.

Every module holds a Typer app of its own; this one mounts them all the same way
(``add_typer``: without a name their commands sit at the top level, with one they form a group).
Importing it is light (Typer and rich): each command imports what it needs when it runs.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from api.cli import ask, db, feedback, feeds, ingest, keys, maintenance, serve
from api.cli import eval as evaluation

app = typer.Typer(
    help="newsrag: ask questions about your news articles; every claim cites its source.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"newsrag {version('newsrag')}")
        except PackageNotFoundError:
            typer.echo("newsrag (not installed: running from a source tree)")
        raise typer.Exit()


@app.callback()
def _entry(
    _show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Runs before any command: the process-wide setup an entry point owns."""
    from rag.models.offline import configure_offline

    configure_offline()  # models come from installed packages, never from a model hub
    # trafilatura warns on every page without text; the ingest report already says why.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)


for group, name in (
    (ingest.app, None),
    (feeds.app, None),
    (ask.app, None),
    (maintenance.app, None),
    (serve.app, None),
    (feedback.app, None),
    (keys.app, "keys"),
    (db.app, "db"),
    (evaluation.eval_app, "eval"),
):
    app.add_typer(group, name=name)


def main() -> None:  # pragma: no cover
    app()
