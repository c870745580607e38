"""``newsrag stats|delete|repair|sync``: look after the store."""

from __future__ import annotations

import dataclasses
import json
from typing import Annotated

import typer
from rich.table import Table

from api.cli import forward
from api.cli.common import DataDir, components_from, console, err

app = typer.Typer()


@app.command()
def stats(data_dir: DataDir = None) -> None:
    """Articles, chunks, sources and date range of the store."""
    c = components_from(data_dir)
    s = c.store.stats()
    table = Table(show_header=False, box=None)
    for key in (
        "articles",
        "chunks",
        "vectors",
        "undated_articles",
        "first_published",
        "last_published",
        "chroma",
    ):
        table.add_row(key, str(s[key]))
    console.print(table)
    for name, count in list(s["sources"].items())[:20]:
        console.print(f"  {count:>7}  {name}", highlight=False)


@app.command()
def delete(
    article: Annotated[str | None, typer.Option("--article", help="An article id.")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Every article of a source.")
    ] = None,
    data_dir: DataDir = None,
    server: Annotated[str | None, typer.Option("--server", help=forward.SERVER_HELP)] = None,
) -> None:
    """Delete one article or every article of a source (chunks, vectors and BM25 rows)."""
    if (article is None) == (source is None):
        raise typer.BadParameter("give exactly one of --article ID or --source NAME")
    c = components_from(data_dir)
    remote = forward.target(c.settings, server)
    if remote is not None:
        _delete_through(remote, article, source)
        return
    with forward.local_write(c.settings):
        _delete_here(c, article, source)


def _delete_through(remote, article: str | None, source: str | None) -> None:
    try:
        if article:
            deleted = remote.delete_article(article)
        else:
            count = remote.delete_source(source or "")
    except forward.ServerError as e:
        raise forward.failed(e) from None
    finally:
        remote.close()
    if article:
        if not deleted:
            err.print(f"no article with id {article!r} on {remote.url}")
            raise typer.Exit(1)
        console.print(f"deleted article {article} (through {remote.url})")
    else:
        console.print(f"deleted {count} articles of source {source!r} (through {remote.url})")
        if count == 0:
            raise typer.Exit(1)


def _delete_here(c, article: str | None, source: str | None) -> None:
    if article:
        if not c.store.delete_article(article):
            err.print(f"no article with id {article!r}; `newsrag stats` lists what is stored")
            raise typer.Exit(1)
        console.print(f"deleted article {article}")
    else:
        n = c.store.delete_source(source)
        console.print(f"deleted {n} articles of source {source!r}")
        if n == 0:
            raise typer.Exit(1)


@app.command()
def repair(
    data_dir: DataDir = None,
    grace: Annotated[
        float,
        typer.Option(
            help="With a Chroma server: prune only article versions written longer ago than "
            "this many seconds (a version being written right now is left alone)."
        ),
    ] = 600.0,
) -> None:
    """Remove vectors left behind by an interrupted ingest (they are never served)."""
    c = components_from(data_dir)
    if c.store.shared:
        removed = c.store.sync.prune(grace)
        console.print(f"removed {removed} chunks of unfinished or superseded article versions")
    else:
        console.print(f"removed {c.store.repair()} orphaned vectors")


@app.command()
def sync(
    data_dir: DataDir = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Catch this machine's catalog (articles, BM25) up with the Chroma server.

    With NEWSRAG_CHROMA_URL set, every process already does this when it starts, and
    `newsrag serve` again every NEWSRAG_SYNC_INTERVAL seconds; this runs it now."""
    c = components_from(data_dir, sync_on_start=False)
    report = c.store.sync.run()
    if json_out:
        print(json.dumps(dataclasses.asdict(report) | {"summary": report.summary()}))
        return
    console.print(report.summary(), highlight=False)
    for article_id, why in list(report.skipped.items())[:20]:
        console.print(f"  [yellow]skipped[/] {article_id}: {why}", highlight=False)
    if not c.settings.chroma_url:
        err.print("(no NEWSRAG_CHROMA_URL: synced with the embedded Chroma under the data dir)")
