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

    @cached_property
    def sync_position(self):
        """With a Chroma server and Redis: the shared count of writes (api/state/syncloop.py)."""
        from api.state.config import StateSettings
        from api.state.shared import SyncPosition, redis_client

        client = redis_client(StateSettings().redis_url)
        if client is None or not self.settings.chroma_url:
            return None
        return SyncPosition(client, self.settings.collection)

    def notify_write(self) -> None:
        """Tell the other machines' background syncs that this one wrote to Chroma."""
        if self.sync_position is not None:
            self.sync_position.bump()

    def start_background_sync(self) -> None:
        """With a Chroma server, keep the local catalog caught up (API workers call this)."""
        if self.store.shared and self.settings.sync_interval > 0 and self._background is None:
            if self.sync_position is not None:
                from api.state.syncloop import GatedSync

                self._background = GatedSync(
                    self.store.sync, self.settings.sync_interval, self.sync_position
                )
            else:
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
