"""``newsrag embed``: add the vectors that a lexical-first ingest (``--defer-vectors``) left out.

The catalog is the source of truth: every committed chunk without a vector in Chroma is embedded
(the same text an ordinary ingest embeds, ``embedding_text``) and written, one batch of articles
at a time, so an interrupted backfill resumes where it stopped. Until then BM25 finds those chunks
and the dense leg does not.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ingest.chunking import embedding_text
from rag.store.newsstore import NewsStore, PreparedArticle

# progress(articles_done, articles_total, chunks_embedded)
BackfillProgress = Callable[[int, int, int], None]


@dataclass
class BackfillReport:
    articles: int = 0  # articles that got their vectors
    chunks: int = 0
    skipped: int = 0  # deleted or replaced while they were being embedded
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.chunks / self.seconds if self.seconds else 0.0
        return (
            f"embedded {self.chunks} chunks of {self.articles} articles in {self.seconds:.1f}s "
            f"({rate:.1f} chunks/s); {self.skipped} changed meanwhile, left to the next run"
        )


def embed_missing(
    store: NewsStore,
    embeddings,
    *,
    batch_chunks: int = 256,
    limit: int | None = None,
    progress: BackfillProgress | None = None,
) -> BackfillReport:
    """Embed every committed article that has a chunk without a vector (at most ``limit``)."""
    started = time.perf_counter()
    report = BackfillReport()
    todo = store.articles_missing_vectors()
    if limit is not None:
        todo = todo[:limit]
    batch: list[PreparedArticle] = []
    texts: list[str] = []

    def flush() -> None:
        nonlocal batch, texts
        if not batch:
            return
        vectors = embeddings.encode(texts) if texts else []
        cursor = 0
        for item in batch:
            item.vectors = vectors[cursor : cursor + len(item.chunks)]
            cursor += len(item.chunks)
        written = store.write_vectors(batch)
        report.articles += written
        report.skipped += len(batch) - written
        report.chunks += len(texts)
        batch, texts = [], []

    for done, article_id in enumerate(todo, 1):
        with store.catalog.snapshot():  # the article and its chunks from one version
            article = store.catalog.get_article(article_id)
            chunks = store.catalog.chunks_of(article_id) if article else []
        if article is None or not chunks:
            report.skipped += 1  # deleted since the listing
        else:
            batch.append(PreparedArticle(article, chunks, None))
            texts += [embedding_text(article, c) for c in chunks]
        if len(texts) >= batch_chunks:
            flush()
            if progress:
                progress(done, len(todo), report.chunks)
    flush()
    if progress:
        progress(len(todo), len(todo), report.chunks)
    report.seconds = time.perf_counter() - started
    return report
