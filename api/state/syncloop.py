"""The background catalog sync of an API worker, told by Redis when there is something to do.

``rag.store.sync.BackgroundSync`` lists every chunk id of the Chroma server each interval to
learn what other machines wrote; at the full corpus that is ~200k ids per worker every few
seconds. With ``NEWSRAG_REDIS_URL`` every writer bumps a shared position (``SyncPosition``),
so an idle worker reads one Redis key per interval and lists ids only when it moved, plus once
every ``full_every`` seconds for writers that do not bump it (e.g. ``newsrag ingest`` run
elsewhere without Redis configured).
"""

from __future__ import annotations

import logging
import threading
import time

from api.state.shared import SyncPosition
from rag.store.sync import CatalogSync

log = logging.getLogger(__name__)


class GatedSync:
    def __init__(
        self,
        sync: CatalogSync,
        interval: float,
        position: SyncPosition,
        full_every: float = 300.0,
    ) -> None:
        self.sync = sync
        self.interval = interval
        self.position = position
        self.full_every = full_every
        self._seen: object = None
        self._last_full = 0.0
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> GatedSync:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="catalog-sync", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

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

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.tick()
            except Exception as e:  # Chroma restarting, a network blip: try again next time
                log.warning("catalog sync failed (retrying in %gs): %s", self.interval, e)
