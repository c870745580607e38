"""The composition root: builds newsrag's parts once from one Settings object.

Every way in (CLI, HTTP app, Slack bot, eval) asks this for the store, the chain and the
ingestor; nothing is built at import time and models load on first use.
"""

from __future__ import annotations

from functools import cached_property

from ingest.pipeline import Ingestor
from rag.answer.chain import AnswerChain
from rag.models.embeddings import LocalEmbeddings, make_embeddings
from rag.settings import Settings
from rag.store.newsstore import NewsStore


class Components:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._background = None

    @cached_property
    def embeddings(self) -> LocalEmbeddings:
        return make_embeddings(self.settings)  # the local model, or NEWSRAG_EMBEDDING_URL

    @cached_property
    def store(self) -> NewsStore:
        store = NewsStore(self.settings, self.embeddings)
        if store.shared and self.settings.sync_on_start:
            store.sync.run()  # other machines may have written to the Chroma server
        return store

    def start_background_sync(self) -> None:
        """With a Chroma server, keep the local catalog caught up (API workers call this)."""
        if self.store.shared and self.settings.sync_interval > 0 and self._background is None:
            from rag.store.sync import BackgroundSync

            self._background = BackgroundSync(self.store.sync, self.settings.sync_interval)
            self._background.start()

    def stop_background_sync(self) -> None:
        if self._background is not None:
            self._background.stop()
            self._background = None

    @cached_property
    def chain(self) -> AnswerChain:
        return AnswerChain(self.settings, self.store, self.embeddings)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(self.settings, self.store, self.embeddings)
