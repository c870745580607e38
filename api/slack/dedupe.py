"""Slack retries an event it thinks we missed (``X-Slack-Retry-Num``, same ``event_id``); the
bot must answer it once. The first delivery claims the id in SQLite, so the claim holds across
restarts and across worker processes sharing the data dir; ids expire after ``ttl`` (Slack
gives up retrying after about five minutes)."""

from __future__ import annotations

import time
from collections.abc import Callable

from api.state.appdb import AppDB


class EventDeduper:
    def __init__(self, db: AppDB, ttl: float = 3600.0, clock: Callable[[], float] = time.time):
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self._last_prune = 0.0

    def claim(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen (act on it), False for a repeat."""
        now = self.clock()
        with self.db.connect() as db:
            if now - self._last_prune > 60:
                db.execute("DELETE FROM slack_events WHERE seen < ?", (now - self.ttl,))
                self._last_prune = now
            cur = db.execute(
                "INSERT OR IGNORE INTO slack_events(event_id, seen) VALUES (?, ?)", (event_id, now)
            )
            if cur.rowcount == 1:
                return True
            # Seen before; an id older than the TTL counts as new (and is re-claimed).
            cur = db.execute(
                "UPDATE slack_events SET seen = ? WHERE event_id = ? AND seen < ?",
                (now, event_id, now - self.ttl),
            )
            return cur.rowcount == 1
