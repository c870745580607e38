"""The ingest pipeline: load → chunk → embed → store, with a report and progress callbacks."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence

from ingest.batch import Ledger, write_each_on_failure
from ingest.chunking import chunk_article, embedding_text
from rag.models.embeddings import LocalEmbeddings
from rag.schema import Article, IngestReport, IngestWarning, Rejection
from rag.settings import Settings
from rag.store.newsstore import NewsStore, PreparedArticle

# progress(articles_seen, chunks_embedded): called after each article is decided and each batch.
Progress = Callable[[int, int], None]


class Ingestor:
    def __init__(self, settings: Settings, store: NewsStore, embeddings: LocalEmbeddings) -> None:
        self.settings = settings
        self.store = store
        self.embeddings = embeddings

    def ingest(
        self,
        sources: Sequence[str],
        progress: Progress | None = None,
        *,
        defer_vectors: bool = False,
    ) -> IngestReport:
        from ingest.loaders import iter_articles

        items = iter_articles(sources, self.settings)
        return self.ingest_items(items, progress, defer_vectors=defer_vectors)

    def ingest_items(
        self,
        items: Iterable[Article | Rejection],
        progress: Progress | None = None,
        *,
        defer_vectors: bool = False,
    ) -> IngestReport:
        """With ``defer_vectors`` articles are committed for BM25 only, without running the
        encoder; ``ingest.backfill.embed_missing`` (``newsrag embed``) adds their vectors."""
        started = time.perf_counter()
        report = IngestReport()
        pending: list[tuple[Article, str]] = []
        pending_chunks = 0
        seen = embedded = 0
        # A batch worth several encoder batches keeps the encoder busy without holding much.
        flush_at = max(64, self.settings.embedding_batch_size * 4)
        ledger = Ledger(report)  # the last version of an id wins (ingest/batch.py)

        def flush() -> None:
            nonlocal pending, pending_chunks, embedded
            if not pending:
                return
            embedded += write_each_on_failure(
                lambda group: self._write(group, report, defer_vectors), pending, report
            )
            pending, pending_chunks = [], 0
            if progress:
                progress(seen, embedded)

        for item in items:
            seen += 1
            item = _valid_unicode(item)
            if isinstance(item, Article):  # stored (or kept), but the user should know
                origin = item.origin or item.id
                report.warnings += [
                    IngestWarning(origin=origin, article_id=item.id, warning=n) for n in item.notes
                ]
            if isinstance(item, Rejection):
                report.rejected.append(item)
            else:
                status = ledger.decide(item, self.store.status_of, pending)
                if status != "unchanged":
                    pending.append((item, status))
                    pending_chunks += max(1, len(item.text) // 1500)
            if pending_chunks >= flush_at:
                flush()
            elif progress:
                progress(seen, embedded)
        flush()
        report.seconds = time.perf_counter() - started
        return report

    def _write(
        self, pending: list[tuple[Article, str]], report: IngestReport, defer_vectors: bool
    ) -> int:
        prepared: list[PreparedArticle] = []
        texts: list[str] = []
        kept: list[tuple[Article, str]] = []
        for article, status in pending:
            chunks = chunk_article(
                article, self.settings.chunk_words, self.settings.chunk_overlap_words
            )
            if not chunks:
                report.rejected.append(
                    Rejection(origin=article.origin or article.id, reason="no text to index")
                )
                continue
            kept.append((article, status))
            prepared.append(PreparedArticle(article, chunks, None))
            texts += [embedding_text(article, c) for c in chunks]
        pending = kept
        if not defer_vectors:
            vectors = self.embeddings.encode(texts)
            cursor = 0
            for item in prepared:
                item.vectors = vectors[cursor : cursor + len(item.chunks)]
                cursor += len(item.chunks)
        self.store.write(prepared)
        for (article, status), item in zip(pending, prepared, strict=True):
            (report.added if status == "added" else report.replaced).append(article.id)
            report.chunks_added += len(item.chunks)
        return len(texts)


# Unpaired UTF-16 surrogates are not characters: a JSON "\ud800" escape, or a file name that is
# not UTF-8 (Python keeps its bytes as surrogates). SQLite, the tokenizer and JSON output all
# refuse them, so an article carrying one is rejected, and a name carrying one is repaired.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _valid_unicode(item: Article | Rejection) -> Article | Rejection:
    def clean(s: str) -> str:
        return _SURROGATE.sub("\ufffd", s)

    if isinstance(item, Rejection):
        if _SURROGATE.search(item.origin + item.reason):
            return Rejection(origin=clean(item.origin), reason=clean(item.reason))
        return item
    if _SURROGATE.search(item.origin):
        item = item.model_copy(update={"origin": clean(item.origin)})
    fields = [item.id, item.title, item.text, item.url or "", item.source or "", *item.authors]
    if any(_SURROGATE.search(f) for f in fields):
        return Rejection(
            origin=item.origin,
            reason="contains unpaired surrogate code points (e.g. a JSON \\ud800 escape), "
            "which are not Unicode text; fix the source",
        )
    return item
