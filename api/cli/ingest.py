"""``newsrag ingest``: load, chunk, embed and index articles."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.common import DataDir, components_from, console, err

app = typer.Typer()


@app.command()
def ingest(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive), feeds or http(s) URLs.")
    ],
    data_dir: DataDir = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load articles (.txt/.md/.html/.json/.jsonl[.gz], RSS/Atom, URLs), chunk, embed and index them."""
    c = components_from(data_dir)
    with Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        TextColumn("{task.fields[articles]} articles read"),
        MofNCompleteColumn(),
        TextColumn("chunks embedded"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=json_out or not err.is_terminal,
    ) as bar:
        task = bar.add_task("ingest", total=None, articles=0)

        def progress(articles: int, chunks: int) -> None:
            bar.update(task, completed=chunks, articles=articles)

        report = c.ingestor.ingest(sources, progress=progress)
    if json_out:
        console.print_json(report.model_dump_json())
    else:
        rate = report.chunks_added / report.seconds if report.seconds else 0.0
        console.print(
            f"added {len(report.added)}, unchanged {len(report.unchanged)}, "
            f"replaced {len(report.replaced)}, rejected {len(report.rejected)} "
            f"— {report.chunks_added} chunks in {report.seconds:.1f}s ({rate:.1f} chunks/s)"
        )
        for r in report.rejected:
            console.print(f"  [yellow]rejected[/] {r.origin}: {r.reason}", highlight=False)
    if report.rejected and not (report.added or report.unchanged or report.replaced):
        raise typer.Exit(1)
