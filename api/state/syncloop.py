"""The background catalog sync of an API worker, told by Redis when there is something to do.

``rag.store.sync.BackgroundSync`` lists every chunk id of the Chroma server each interval to
learn what other machines wrote; at the full corpus that is ~200k ids per worker every few
seconds. With ``NEWSRAG_REDIS_URL`` every writer bumps a shared position (``SyncPosition``),
so an idle worker reads one Redis key per interval and lists ids only when it moved, plus once
every ``full_every`` seconds for writers that do not bump it (e.g. ``newsrag ingest`` run
elsewhere without Redis configured).
"""

from __future__ import annotations

import time

from api.state.shared import SyncPosition
from rag.store.sync import BackgroundSync, CatalogSync


class GatedSync(BackgroundSync):
    """``BackgroundSync`` that runs only when the shared position moved or a full sync is due."""

    def __init__(
        self,
        sync: CatalogSync,
        interval: float,
        position: SyncPosition,
        full_every: float = 300.0,
    ) -> None:
        super().__init__(sync, interval)
        self.position = position
        self.full_every = full_every
        self._seen: object = None
        self._last_full = 0.0
        self.runs = 0

    def tick(self) -> bool:
        """One interval: catch up if the position moved or a full sync is due; True if it ran."""
        position = self.position.read()  # read first: a write during the run moves it again
        now = time.monotonic()
        if position == self._seen and now - self._last_full < self.full_every:
            return False
        self.sync.run()
        self.runs += 1
        self._seen, self._last_full = position, now
        return True
