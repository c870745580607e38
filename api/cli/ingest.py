"""``newsrag ingest``: load, chunk, embed and index articles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli import forward
from api.cli.common import DataDir, components_from, console, err
from api.cli.progress import ingest_with_progress

app = typer.Typer()


@app.command()
def ingest(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive), feeds or http(s) URLs.")
    ],
    data_dir: DataDir = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    defer_vectors: Annotated[
        bool,
        typer.Option(
            "--defer-vectors",
            help="Index for BM25 only, without running the encoder (minutes for a corpus the "
            "encoder needs hours for); `newsrag embed` adds the vectors later. Until then "
            "these articles are found by keywords only. Not with a Chroma server.",
        ),
    ] = False,
    server: Annotated[str | None, typer.Option("--server", help=forward.SERVER_HELP)] = None,
) -> None:
    """Load articles (.txt/.md/.html/.json/.jsonl[.gz], RSS/Atom, URLs), chunk, embed and index them."""
    c = components_from(data_dir)
    remote = forward.target(c.settings, server)
    if remote is not None and defer_vectors:
        err.print("--defer-vectors writes the store itself: stop the server first")
        raise typer.Exit(2)
    if defer_vectors and c.settings.chroma_url:
        err.print(
            "--defer-vectors needs the embedded Chroma: with a Chroma server, other machines "
            "learn of an article only through its vectors"
        )
        raise typer.Exit(2)
    if remote is not None:
        from ingest.loaders import iter_articles

        err.print(f"sending the articles to the running server at {remote.url}", highlight=False)
        try:
            report = remote.ingest(iter_articles(sources, c.settings), c.settings)
        except forward.ServerError as e:
            raise forward.failed(e) from None
        finally:
            remote.close()
    else:
        with forward.local_write(c.settings):
            report = ingest_with_progress(
                c, sources, err, defer_vectors=defer_vectors, disable=json_out
            )
    if json_out:
        console.print_json(report.model_dump_json())
    else:
        rate = report.chunks_added / report.seconds if report.seconds else 0.0
        console.print(
            f"added {len(report.added)}, unchanged {len(report.unchanged)}, "
            f"replaced {len(report.replaced)}, rejected {len(report.rejected)} "
            f"— {report.chunks_added} chunks in {report.seconds:.1f}s ({rate:.1f} chunks/s)"
            + (" without vectors: `newsrag embed` adds them" if defer_vectors else "")
        )
        for r in report.rejected:
            console.print(f"  [yellow]rejected[/] {r.origin}: {r.reason}", highlight=False)
        for w in report.warnings[:50]:
            console.print(f"  [cyan]warning[/] {escape(w.origin)}: {escape(w.warning)}")
        if len(report.warnings) > 50:
            console.print(f"  … {len(report.warnings) - 50} more warnings (--json lists all)")
    if report.rejected and not (report.added or report.unchanged or report.replaced):
        raise typer.Exit(1)


@app.command()
def embed(
    data_dir: DataDir = None,
    limit: Annotated[
        int | None, typer.Option(help="Embed at most this many articles, then stop.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Add the vectors an `ingest --defer-vectors` left out (resumable; with
    NEWSRAG_EMBEDDING_URL an embeddings server does the encoding)."""
    import dataclasses
    import json

    from ingest.backfill import embed_missing

    c = components_from(data_dir)
    with Progress(
        TextColumn("[bold]embed"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("articles, {task.fields[chunks]} chunks"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=json_out or not err.is_terminal,
    ) as bar:
        task = bar.add_task("embed", total=None, chunks=0)

        def progress(done: int, total: int, chunks: int) -> None:
            bar.update(task, completed=done, total=total, chunks=chunks)

        report = embed_missing(c.store, c.embeddings, limit=limit, progress=progress)
    if json_out:
        console.print_json(json.dumps(dataclasses.asdict(report)))
    else:
        console.print(report.summary(), highlight=False)
