"""Embeddings from an OpenAI-compatible server, as a LangChain ``Embeddings``.

Hugging Face TEI, vLLM, Ollama and OpenAI all answer ``POST {url}/embeddings`` with
``{"model": ..., "input": [texts]}`` → ``{"data": [{"index": i, "embedding": [...]}]}``. A GPU box
running one of them embeds a corpus that the CPU encoder needs hours for (``newsrag ingest``,
``newsrag embed``), and the API workers embed their questions there too: the vectors of a
collection and of its queries must come from the same model.

Requests go out in batches of ``embedding_batch_size``; a timeout, a dropped connection, 429 and
5xx are retried with exponential backoff (``Retry-After`` honoured), and a 413 splits the batch.
Vectors are L2-normalised here, as the local model's are, whatever the server does.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable

import httpx
import numpy as np
from langchain_core.embeddings import Embeddings

from rag.settings import Settings
from rag.text.tokens import clean_text

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
BACKOFF_BASE_S = 0.5
BACKOFF_MAX_S = 30.0


class EmbeddingServerError(RuntimeError):
    """The embeddings server refused a request, or kept failing past the retries."""


class RemoteEmbeddings(Embeddings):
    def __init__(
        self,
        settings: Settings,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.embedding_url:
            raise ValueError("RemoteEmbeddings needs NEWSRAG_EMBEDDING_URL")
        self._settings = settings
        self._url = settings.embedding_url.rstrip("/") + "/embeddings"
        self._client = client
        self._sleep = sleep
        self._lock = threading.Lock()
        self._dimension: int | None = None

    def _http(self) -> httpx.Client:
        # Built on first use, not at construction: building parts never opens connections.
        if self._client is None:
            with self._lock:
                if self._client is None:
                    headers = {}
                    key = self._settings.embedding_api_key
                    if key is not None and key.get_secret_value():
                        headers["Authorization"] = f"Bearer {key.get_secret_value()}"
                    self._client = httpx.Client(
                        headers=headers, timeout=self._settings.embedding_timeout
                    )
        return self._client

    @property
    def model_name(self) -> str:
        return self._settings.embedding_model

    @property
    def loaded(self) -> bool:
        """True once the server has answered (nothing to load here)."""
        return self._dimension is not None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.encode(["dimension probe"])
        assert self._dimension is not None
        return self._dimension

    def encode(self, texts: list[str], batch_size: int | None = None) -> list[list[float]]:
        size = batch_size or self._settings.embedding_batch_size
        cleaned = [clean_text(t) or " " for t in texts]  # an empty input is a 400 on some servers
        out: list[list[float]] = []
        for i in range(0, len(cleaned), size):
            out += self._embed_batch(cleaned[i : i + size])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts))

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # --- one batch ---------------------------------------------------------------------------
    def _embed_batch(self, texts: list[str]) -> list[list[float]]:
        response = self._post(texts)
        if response.status_code == 413 and len(texts) > 1:
            # The server takes fewer inputs per request than our batch (TEI's
            # --max-client-batch-size): halve until it does.
            half = len(texts) // 2
            return self._embed_batch(texts[:half]) + self._embed_batch(texts[half:])
        if response.status_code != 200:
            raise EmbeddingServerError(
                f"embeddings server {self._url} answered {response.status_code}: "
                f"{response.text[:300]}"
            )
        return self._vectors(response, len(texts))

    def _post(self, texts: list[str]) -> httpx.Response:
        body = {"model": self.model_name, "input": texts}
        attempts = self._settings.embedding_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._http().post(self._url, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as e:
                if last:
                    raise EmbeddingServerError(
                        f"embeddings server {self._url} unreachable after {attempts} attempts: "
                        f"{type(e).__name__}: {e}"
                    ) from e
                self._wait(attempt, None, f"{type(e).__name__}")
                continue
            if response.status_code not in RETRY_STATUS:
                return response
            if last:
                raise EmbeddingServerError(
                    f"embeddings server {self._url} answered {response.status_code} "
                    f"{attempts} times: {response.text[:300]}"
                )
            self._wait(attempt, response.headers.get("retry-after"), str(response.status_code))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait(self, attempt: int, retry_after: str | None, why: str) -> None:
        delay = min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**attempt) * (0.5 + random.random() / 2)
        if retry_after:
            # An HTTP date instead of seconds: keep our own backoff.
            with contextlib.suppress(ValueError):
                delay = min(BACKOFF_MAX_S, max(delay, float(retry_after)))
        log.warning("embeddings server: %s, retrying in %.1fs", why, delay)
        self._sleep(delay)

    def _vectors(self, response: httpx.Response, expected: int) -> list[list[float]]:
        try:
            data = response.json()["data"]
            rows = sorted(data, key=lambda d: d.get("index", 0))
            vectors = [list(d["embedding"]) for d in rows]
        except (ValueError, KeyError, TypeError) as e:
            raise EmbeddingServerError(
                f"embeddings server {self._url} sent no OpenAI-style embeddings "
                f"({{'data': [{{'embedding': [...]}}]}}): {response.text[:200]}"
            ) from e
        if len(vectors) != expected:
            raise EmbeddingServerError(
                f"embeddings server {self._url} returned {len(vectors)} vectors for {expected} inputs"
            )
        dims = {len(v) for v in vectors}
        if len(dims) != 1 or (self._dimension is not None and dims != {self._dimension}):
            raise EmbeddingServerError(
                f"embeddings server {self._url} changed vector size ({sorted(dims)} after "
                f"{self._dimension}): is another model behind it now?"
            )
        self._dimension = dims.pop()
        matrix = np.asarray(vectors, dtype=np.float64)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return (matrix / np.where(norms > 0, norms, 1.0)).tolist()
