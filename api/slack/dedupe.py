"""Slack retries an event it thinks we missed (``X-Slack-Retry-Num``, same ``event_id``); the
bot must answer it once. The first delivery claims the id in Redis when ``NEWSRAG_REDIS_URL`` is
set (one SET NX for all workers), else in the app database; either way the claim holds across
restarts and across every worker that shares it. Ids expire after ``ttl`` (Slack gives up
retrying after about five minutes)."""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa

from api.state.appdb import AppDB
from api.state.schema import slack_events
from api.state.shared import SharedClaims


class EventDeduper:
    def __init__(
        self,
        db: AppDB,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
        shared: SharedClaims | None = None,
    ):
        self.db = db
        self.shared = shared
        self.ttl = ttl
        self.clock = clock
        self._last_prune = 0.0

    def claim(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen (act on it), False for a repeat."""
        if self.shared is not None:
            claimed = self.shared.claim(event_id, self.ttl)
            if claimed is not None:
                return claimed
        now = self.clock()
        seen = slack_events.c.seen
        with self.db.write() as conn:
            if now - self._last_prune > 60:
                conn.execute(sa.delete(slack_events).where(seen < now - self.ttl))
                self._last_prune = now
            if self.db.insert_ignore(conn, slack_events, event_id=event_id, seen=now):
                return True
            # Seen before; an id older than the TTL counts as new (and is re-claimed).
            cur = conn.execute(
                sa.update(slack_events)
                .where(slack_events.c.event_id == event_id, seen < now - self.ttl)
                .values(seen=now)
            )
            return cur.rowcount == 1
