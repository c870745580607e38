"""NewsStore: the catalog (SQLite + BM25) and the vectors (Chroma), kept consistent.

Write protocol, so that a crash at any point leaves each article fully indexed or absent:
1. upsert the new chunk vectors into Chroma (ids are content hashes: repeating this is a no-op);
2. commit the article, its chunks and their BM25 rows in one SQLite transaction;
3. delete the vectors of chunks the new version no longer has.
Searches only return chunks committed in step 2, so vectors left over by a crash between steps
are invisible, and ``repair()`` removes them.

With a Chroma server (``NEWSRAG_CHROMA_URL``) several machines share the vectors, each with its
own catalog, and Chroma becomes the source of truth: every chunk carries its article's fields
and fingerprint (``vectors.article_metadata``), an article version is committed once all its
chunks are in Chroma (after step 1), and ``rag.store.sync`` brings a local catalog up to date from it.
Deletes then go to Chroma first, so that a crash cannot leave an article that a sync would bring
back, and ``repair()`` prunes only what no machine can use (see ``rag.store.sync``).

Lexical first (local Chroma only): an article may be committed without vectors
(``PreparedArticle.vectors is None``, ``newsrag ingest --defer-vectors``); BM25 finds it at once,
the dense leg once ``write_vectors`` (``newsrag embed``) has added them. The catalog stays the
source of truth, so such a chunk is simply one the dense search does not return yet.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rag.models.embeddings import LocalEmbeddings
from rag.schema import Article, Chunk
from rag.settings import Settings
from rag.store.catalog import Catalog, ChunkRow
from rag.store.filters import Filters
from rag.store.sync import CatalogSync
from rag.store.vectors import VectorIndex, article_metadata, chunk_metadata

WriteStatus = Literal["added", "unchanged", "replaced"]


@dataclass
class PreparedArticle:
    article: Article
    chunks: list[Chunk]
    vectors: list[list[float]] | None  # None: committed for BM25 now, embedded later


class NewsStore:
    def __init__(self, settings: Settings, embeddings: LocalEmbeddings) -> None:
        self.settings = settings
        self.catalog = Catalog(settings.catalog_path)
        self.vectors = VectorIndex(settings, embeddings)
        # Shared = a Chroma server that other machines (with their own catalogs) write to.
        self.shared = bool(settings.chroma_url)
        # The catalog's catch-up from Chroma; it holds no connection of its own.
        self.sync = CatalogSync(self.catalog, self.vectors)

    def status_of(self, article: Article) -> WriteStatus:
        known = self.catalog.fingerprint(article.id)
        if known == article.fingerprint:
            return "unchanged"
        # Another machine (or an interrupted run) may have stored this very version already.
        if self.shared and self.sync.adopt(article.id, article.fingerprint):
            return "unchanged"
        return "added" if known is None else "replaced"

    def write(self, batch: Sequence[PreparedArticle]) -> None:
        deferred = [item for item in batch if item.vectors is None]
        if deferred and self.shared:
            # Another machine learns of an article only through its vectors in Chroma.
            raise ValueError(
                "articles without vectors cannot be written with a shared Chroma server "
                "(NEWSRAG_CHROMA_URL): other machines would never see them; ingest with vectors"
            )
        self.vectors.upsert(*_vector_rows([item for item in batch if item.vectors is not None]))
        stale: list[str] = []
        for item in batch:
            stale += self.catalog.replace_article(item.article, item.chunks)
        self.vectors.delete(stale)

    def articles_missing_vectors(self) -> list[str]:
        """Ids of committed articles with at least one chunk that has no vector yet."""
        owners = self.catalog.chunk_owners()
        missing = set(owners).difference(self.vectors.all_ids())
        return sorted({owners[cid] for cid in missing})

    def write_vectors(self, batch: Sequence[PreparedArticle]) -> int:
        """Add the vectors of committed articles (``newsrag embed``); returns how many articles
        got them. An article replaced or deleted meanwhile keeps none of these: its vectors are
        removed again (until then no committed chunk owned them, so none was served)."""
        self.vectors.upsert(*_vector_rows(batch))
        gone = [
            item
            for item in batch
            if self.catalog.fingerprint(item.article.id) != item.article.fingerprint
        ]
        for item in gone:  # a chunk the new version shares keeps its (identical) vector
            owned = {c.id for c in self.catalog.chunks_of(item.article.id)}
            self.vectors.delete([c.id for c in item.chunks if c.id not in owned])
        return len(batch) - len(gone)

    def delete_article(self, article_id: str) -> bool:
        if self.shared:
            return self.sync.delete_article(article_id)
        chunk_ids = self.catalog.delete_article(article_id)
        if chunk_ids is None:
            return False
        self.vectors.delete(chunk_ids)
        return True

    def delete_source(self, source: str) -> int:
        if self.shared:
            return self.sync.delete_source(source)
        count, chunk_ids = self.catalog.delete_source(source)
        self.vectors.delete(chunk_ids)
        return count

    def repair(self) -> int:
        """Delete vectors that no committed chunk owns (left by an interrupted ingest).

        With a shared Chroma server the local catalog does not own every vector: there, only
        unfinished and superseded article versions are pruned (``CatalogSync.prune``)."""
        if self.shared:
            return self.sync.prune()
        orphans = sorted(self.vectors.all_ids() - self.catalog.all_chunk_ids())
        self.vectors.delete(orphans)
        return len(orphans)

    def dense_search(self, vector: list[float], filters: Filters, limit: int):
        return self.vectors.search(vector, filters, limit)

    def lexical_search(self, query: str, filters: Filters, limit: int):
        return self.catalog.lexical_search(query, filters, limit)

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, ChunkRow]:
        return self.catalog.chunk_rows(chunk_ids)

    def chunk_texts(self, page: int = 500) -> Iterator[str]:
        """The text of every committed chunk, article by article, ``page`` articles read at a
        time (what ``newsrag eval`` counts answers in)."""
        offset = 0
        while True:
            _, articles = self.catalog.list_articles(offset=offset, limit=page)
            if not articles:
                return
            for article in articles:
                for chunk in self.catalog.chunks_of(article.id):
                    yield chunk.text
            offset += page

    def stats(self) -> dict:
        stats = self.catalog.stats()
        stats["vectors"] = self.vectors.count()
        stats["chroma"] = self.settings.chroma_url or str(self.settings.chroma_path)
        return stats


def _vector_rows(batch: Sequence[PreparedArticle]) -> tuple[list, list, list, list]:
    """Ids, vectors, documents and metadatas of the batch's chunks, as Chroma takes them."""
    ids, vecs, docs, metas = [], [], [], []
    written_at = time.time()
    for item in batch:
        a = item.article
        extra = article_metadata(a, item.chunks, written_at)
        for chunk, vector, more in zip(item.chunks, item.vectors or [], extra, strict=True):
            ids.append(chunk.id)
            vecs.append(vector)
            docs.append(chunk.text)
            meta = chunk_metadata(
                a.id, a.title, a.published, a.source, chunk.index, chunk.start, chunk.end
            )
            metas.append(meta | more)
    return ids, vecs, docs, metas
