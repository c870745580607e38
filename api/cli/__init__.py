"""The ``newsrag`` command line."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# Models come from installed packages; never let a library reach for a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

# trafilatura warns on every page without text; the ingest report already says why it was skipped.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

app = typer.Typer(
    help="newsrag: ask questions about your news articles; every claim cites its source.",
    no_args_is_help=True,
    add_completion=False,
)

from api.keys_cli import app as keys_app  # noqa: E402 - light (Typer only)

app.add_typer(keys_app, name="keys")
from api.cli.eval import eval_app  # noqa: E402 - light (Typer only)

app.add_typer(eval_app, name="eval")
console = Console()
err = Console(stderr=True)


def _components(data_dir: Path | None = None):
    from api.components import Components
    from rag.settings import Settings

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    return Components(settings)


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Where the store lives (default: NEWSRAG_DATA_DIR or ./data)."),
]


@app.command()
def ingest(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive), feeds or http(s) URLs.")
    ],
    data_dir: DataDir = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load articles (.txt/.md/.html/.json/.jsonl[.gz], RSS/Atom, URLs), chunk, embed and index them."""
    c = _components(data_dir)
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


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2025-06-02") from None


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in plain language.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Answer each line of this file.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="YYYY-MM-DD: ignore articles published after this date."),
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only search this source (repeatable).")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=50)] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the answer contract as JSON.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Answer a question with numbered citations (or every line of --file)."""
    if (question is None) == (file is None):
        raise typer.BadParameter("give a QUESTION or --file QUESTIONS.txt (not both)")
    if question is not None:
        if not question.strip():
            raise typer.BadParameter("the question is empty")
        questions = [question]
    else:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise typer.BadParameter(f"cannot read {file} as UTF-8 text: {e}") from None
        questions = [line.strip() for line in lines if line.strip()]
    # A command-line argument that is not UTF-8 arrives with surrogates; they are not text.
    questions = [q.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for q in questions]
    c = _components(data_dir)
    when = _parse_date(as_of)
    for q in questions:
        answer = c.chain.ask(q, as_of=when, sources=source, top_k=top_k)
        if json_out:
            print(answer.model_dump_json(), flush=True)
        else:
            _print_answer(answer, heading=q if file else None)


def _print_answer(answer, heading: str | None = None) -> None:
    if heading:
        console.rule(heading, style="dim")
    style = "bold" if answer.status == "answered" else "bold yellow"
    console.print(answer.answer, style=style, highlight=False)
    for c in answer.citations:
        when = c.published.isoformat() if c.published else "undated"
        where = f" — {c.url}" if c.url else ""
        console.print(
            f"  [{c.marker}] {c.title} ({c.source or 'unknown source'}, {when}){where}",
            highlight=False,
            markup=False,
        )
        console.print(
            f"      “{c.quote}” (chars {c.start}–{c.end})",
            style="dim",
            highlight=False,
            markup=False,
        )
    if answer.status != "answered":
        for note in answer.notes:
            console.print(f"  ({note})", style="dim", highlight=False)
    console.print(f"  {answer.timings.get('total_ms', 0):.0f} ms", style="dim")


@app.command()
def chat(
    data_dir: DataDir = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
) -> None:
    """Ask questions interactively; follow-ups ("and at Timbuktu?") use the conversation."""
    from rag.answer.condense import Turn

    c = _components(data_dir)
    when = _parse_date(as_of)
    history: list[Turn] = []
    console.print("Ask about your articles (empty line or Ctrl-D to quit).", style="dim")
    while True:
        try:
            q = console.input("[bold cyan]? [/]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not q:
            break
        answer = c.chain.ask(q, as_of=when, history=history)
        _print_answer(answer)
        history.append(Turn(q, answer.standalone_question or q, answer.answer))


@app.command()
def stats(data_dir: DataDir = None) -> None:
    """Articles, chunks, sources and date range of the store."""
    c = _components(data_dir)
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
) -> None:
    """Delete one article or every article of a source (chunks, vectors and BM25 rows)."""
    if (article is None) == (source is None):
        raise typer.BadParameter("give exactly one of --article ID or --source NAME")
    c = _components(data_dir)
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
    c = _components(data_dir)
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
    from api.components import Components
    from rag.settings import Settings

    settings = Settings(sync_on_start=False, **({"data_dir": data_dir} if data_dir else {}))
    c = Components(settings)
    report = c.store.sync.run()
    if json_out:
        print(json.dumps(dataclasses.asdict(report) | {"summary": report.summary()}))
        return
    console.print(report.summary(), highlight=False)
    for article_id, why in list(report.skipped.items())[:20]:
        console.print(f"  [yellow]skipped[/] {article_id}: {why}", highlight=False)
    if not settings.chroma_url:
        err.print("(no NEWSRAG_CHROMA_URL: synced with the embedded Chroma under the data dir)")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default NEWSRAG_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default NEWSRAG_PORT (8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    ingest_path: Annotated[
        list[str] | None,
        typer.Option("--ingest", help="Ingest these sources before serving (unchanged = skipped)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API, the chat widget and the Slack bot."""
    import uvicorn

    from api.auth import KeyStore, is_loopback
    from api.logs import configure_logging, logging_config
    from api.state.appdb import AppDB
    from rag.settings import Settings

    settings = Settings(data_dir=data_dir) if data_dir else Settings()
    host = host or settings.host
    port = port or settings.port
    if workers > 1 and not settings.chroma_url:
        # An embedded Chroma keeps its vector index in the memory of the process that opened
        # it: other worker processes would not see what one ingests, and their writes collide.
        err.print(
            f"[red]refusing --workers {workers} with the embedded Chroma:[/] its vector index "
            "lives in one process. Run a Chroma server (chroma run --path DIR --port 8001) and "
            "set NEWSRAG_CHROMA_URL=http://127.0.0.1:8001 (docs/deploy.md), or use --workers 1.",
            highlight=False,
        )
        raise typer.Exit(2)
    keys = KeyStore(AppDB(settings.app_db_path)).list()
    if not keys and not is_loopback(host):
        err.print(
            f"[red]refusing to serve on {host}:[/] no API key exists, so anyone who can reach "
            "it could use the API.\n  Create one first: newsrag keys create --scope admin "
            "(and --scope ask / widget for clients)\n  or serve locally: newsrag serve --host "
            "127.0.0.1",
            highlight=False,
        )
        raise typer.Exit(2)
    if keys:
        err.print(f"API keys required ({len(keys)} active); serving on http://{host}:{port}")
    else:
        err.print(
            f"local-only mode: no API key exists, so only requests from this machine are "
            f"served on http://{host}:{port} (create one with `newsrag keys create`)"
        )
    if ingest_path:
        c = _components(data_dir)
        report = c.ingestor.ingest(ingest_path)
        err.print(
            f"ingest: added {len(report.added)}, unchanged {len(report.unchanged)}, "
            f"replaced {len(report.replaced)}, rejected {len(report.rejected)}"
        )
    configure_logging(settings.log_level, json_lines=settings.log_json)
    # The app (built in each worker from Settings()) reads these back; it re-checks the
    # local-only rule itself.
    if data_dir:
        os.environ["NEWSRAG_DATA_DIR"] = str(data_dir)
    os.environ["NEWSRAG_HOST"] = host
    os.environ["NEWSRAG_PORT"] = str(port)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(settings.log_level, json_lines=settings.log_json),
        access_log=False,  # ours has the route, the key and the request id
        timeout_graceful_shutdown=30,  # then open streams are cut and jobs cancelled
    )


app.command("feedback")(__import__("api.feedback_cli", fromlist=["feedback"]).feedback)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
