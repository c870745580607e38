"""The ingest progress display: reading sources, loading the model, then a determinate bar.

Sources are read ahead (up to ``READ_AHEAD`` articles) so the bar knows its total: "37/120
articles" instead of a pulsing "0/? chunks". A larger input keeps an open-ended count for the
rest rather than holding the whole corpus in memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from api.components import Components
    from rag.schema import Article, IngestReport, Rejection

READ_AHEAD = 20_000


def read_ahead(
    items: Iterable[Article | Rejection], limit: int = READ_AHEAD, on_item=None
) -> tuple[list[Article | Rejection], Iterator[Article | Rejection] | None]:
    """The first ``limit`` items, and the rest (None when everything fit)."""
    it = iter(items)
    head: list[Article | Rejection] = []
    for item in it:
        head.append(item)
        if on_item:
            on_item(len(head))
        if len(head) >= limit:
            peek = next(it, None)
            if peek is None:
                return head, None
            return head, itertools.chain([peek], it)
    return head, None


def ingest_with_progress(
    c: Components,
    sources: Sequence[str],
    console: Console,
    *,
    defer_vectors: bool = False,
    disable: bool = False,
) -> IngestReport:
    from ingest.loaders import iter_articles

    disable = disable or not console.is_terminal
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=disable,
    ) as bar:
        reading = bar.add_task("reading sources", total=None, info="articles")
        head, rest = read_ahead(
            iter_articles(sources, c.settings),
            on_item=lambda n: bar.update(reading, completed=n),
        )
        bar.remove_task(reading)
        if not defer_vectors and _anything_new(c, head):
            loading = bar.add_task("loading the embedding model", total=None, info="")
            c.embeddings.embed_query("warm up")  # seconds on a CPU; say so rather than stall
            bar.remove_task(loading)
        total = len(head) if rest is None else None
        verb = "indexed" if defer_vectors else "embedded"
        task = bar.add_task("ingest", total=total, info=f"articles, 0 chunks {verb}")

        def progress(articles: int, chunks: int) -> None:
            bar.update(task, completed=articles, info=f"articles, {chunks} chunks {verb}")

        items = head if rest is None else itertools.chain(head, rest)
        return c.ingestor.ingest_items(items, progress, defer_vectors=defer_vectors)


def _anything_new(c: Components, items: list[Article | Rejection]) -> bool:
    """Whether the encoder will run (an unchanged re-ingest should not load it)."""
    from rag.schema import Article

    catalog = c.store.catalog
    return any(isinstance(i, Article) and catalog.fingerprint(i.id) != i.fingerprint for i in items)
