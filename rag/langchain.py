"""newsrag's retrieval as plain LangChain parts, for your own chains:

    from rag.langchain import news_retriever
    retriever = news_retriever("data", k=4)
    docs = retriever.invoke("How many soldiers died at Dioura?")

``news_retriever`` returns a ``BaseRetriever`` (the hybrid dense + BM25 search over a store
built by ``newsrag ingest``), ``local_embeddings`` an ``Embeddings`` (the offline model).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rag.answer.retrieval import NewsRetriever, Retriever
from rag.models.embeddings import LocalEmbeddings
from rag.settings import Settings
from rag.store.filters import Filters
from rag.store.newsstore import NewsStore


class StoreNotFound(FileNotFoundError):
    """The data dir holds no store (nothing was ingested there)."""


def _settings(data_dir: str | Path | None) -> Settings:
    return Settings(data_dir=Path(data_dir)) if data_dir is not None else Settings()


def local_embeddings(settings: Settings | None = None) -> LocalEmbeddings:
    """The embedding model the store was built with (loaded on first use, offline)."""
    return LocalEmbeddings(settings or Settings())


def news_retriever(
    data_dir: str | Path | None = None,
    *,
    k: int | None = None,
    as_of: date | None = None,
    sources: list[str] | None = None,
    settings: Settings | None = None,
) -> NewsRetriever:
    """A LangChain retriever over the store in ``data_dir`` (default: NEWSRAG_DATA_DIR or
    ./data): ``invoke(query)`` returns ``Document``s whose metadata holds the article fields,
    the passage offsets (``start``, ``end``) and the scores."""
    settings = settings or _settings(data_dir)
    if not settings.chroma_url and not settings.catalog_path.exists():
        raise StoreNotFound(
            f"no newsrag store in {settings.data_dir} (no {settings.catalog_path.name}); "
            "ingest articles first: newsrag ingest PATH --data-dir DIR"
        )
    embeddings = local_embeddings(settings)
    store = NewsStore(settings, embeddings)
    filters = Filters(
        as_of=as_of, sources=tuple(sources or ()), include_undated=settings.as_of_include_undated
    )
    return NewsRetriever(retriever=Retriever(settings, store, embeddings), filters=filters, top_k=k)
