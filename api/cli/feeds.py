"""``newsrag sync-feeds``: keep RSS/Atom feeds current, ingesting only what is new."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import DataDir, components_from, console, err

app = typer.Typer()


@app.command("sync-feeds")
def sync_feeds(
    feeds: Annotated[list[str], typer.Argument(help="RSS or Atom feed URLs.")],
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep going: sync again every --interval.")
    ] = False,
    interval: Annotated[
        float,
        typer.Option("--interval", min=10, help="Seconds between passes with --watch."),
    ] = 900,
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON object per feed and pass.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Fetch each feed (skipped when its ETag/Last-Modified says unchanged), skip entries already
    ingested (by GUID), fetch the full text of the new ones and ingest them. With --watch, repeat
    every --interval seconds until Ctrl-C."""
    from ingest.feedsync import sync_feeds as run_pass

    bad = [f for f in feeds if not f.lower().startswith(("http://", "https://"))]
    if bad:
        raise typer.BadParameter(f"feeds are http(s) URLs; for files use `newsrag ingest`: {bad}")
    c = components_from(data_dir)
    failed = False
    try:
        while True:
            results = run_pass(feeds, c.settings, c.ingestor)
            failed = any(r.error for r in results)
            for r in results:
                _show(r, json_out)
            if not watch:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        err.print("stopped", style="dim")
    if failed and not watch:
        raise typer.Exit(1)


def _show(r, json_out: bool) -> None:
    report = r.report
    if json_out:
        record = {
            "feed": r.url,
            "not_modified": r.not_modified,
            "error": r.error,
            "entries": r.entries,
            "skipped": r.skipped,
            **json.loads(report.model_dump_json()),
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)
        return
    feed = escape(r.url)
    if r.error:
        console.print(f"[red]{feed}[/]: {escape(r.error)}")
    elif r.not_modified:
        console.print(f"{feed}: not modified since the last pass")
    else:
        console.print(
            f"{feed}: {r.entries} entries, {r.skipped} already ingested; added "
            f"{len(report.added)}, replaced {len(report.replaced)}, unchanged "
            f"{len(report.unchanged)}, rejected {len(report.rejected)}"
        )
        for x in report.rejected:
            console.print(f"  [yellow]rejected[/] {escape(x.origin)}: {escape(x.reason)}")
        for w in report.warnings:
            console.print(f"  [cyan]warning[/] {escape(w.origin)}: {escape(w.warning)}")
