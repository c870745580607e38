"""Redis, when ``NEWSRAG_REDIS_URL`` names one: what every worker on every machine must count or
remember together, and may lose without harm (it is never the only copy of anything).

* rate limits: one moving window per key across all workers (``SharedRateLimiter``, through the
  ``limits`` library's Redis storage);
* Slack dedupe: the claim on an event id or a replayed command (``api.slack.dedupe``);
* the catalog sync's position: a counter every writer bumps, so an idle worker's background
  sync reads one key instead of listing every chunk id of the Chroma server (``SyncPosition``).

Without Redis each falls back to what one process can do on its own (docs/deploy.md): rate
limits count per process, dedupe claims go to the app database, every sync lists the ids. When
Redis stops answering, the same fallbacks take over until it answers again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Protocol

import redis
from limits import RateLimitItemPerMinute
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()
PREFIX = "newsrag"


def redis_client(url: str | None) -> redis.Redis | None:
    """One client (a connection pool) per URL and process; None without a URL."""
    if not url:
        return None
    with _lock:
        client = _clients.get(url)
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            _clients[url] = client
        return client


class _Breaker:
    """After a Redis failure, use the fallback for ``pause`` seconds instead of waiting on a
    connect timeout in every request; log a failure once a minute, not once a request."""

    def __init__(self, what: str, pause: float = 5.0) -> None:
        self.what = what
        self.pause = pause
        self._down_until = 0.0
        self._logged = 0.0

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + self.pause
        if now - self._logged > 60:
            self._logged = now
            log.warning("redis unavailable for %s (falling back for now): %s", self.what, exc)


class Limiter(Protocol):
    def take(self, bucket: str) -> tuple[bool, float]: ...


class SharedRateLimiter:
    """``per_minute`` requests in any 60 s per bucket, counted in Redis by every worker."""

    def __init__(self, url: str, per_minute: int, fallback: Limiter) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.storage = RedisStorage(url, key_prefix=f"{PREFIX}:ratelimit")
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.fallback = fallback
        self._breaker = _Breaker("rate limits")

    def take(self, bucket: str) -> tuple[bool, float]:
        """(allowed, seconds until a request would be allowed)."""
        if self._breaker.down:
            return self.fallback.take(bucket)
        try:
            if self.strategy.hit(self.item, bucket):
                return True, 0.0
            reset = self.strategy.get_window_stats(self.item, bucket).reset_time
            return False, max(0.0, reset - time.time())
        except Exception as e:  # an unreachable Redis must not take the API down with it
            self._breaker.failed(e)
            return self.fallback.take(bucket)


class SharedClaims:
    """First-claim-wins ids with a time to live (Slack event ids, replayed commands)."""

    def __init__(self, client: redis.Redis, namespace: str) -> None:
        self.client = client
        self.namespace = namespace
        self._breaker = _Breaker(namespace)

    def claim(self, key: str, ttl: float) -> bool | None:
        """True if this call claimed ``key``, False if it was claimed before, None if Redis
        did not answer (the caller decides by other means)."""
        if self._breaker.down:
            return None
        try:
            done = self.client.set(
                f"{PREFIX}:{self.namespace}:{key}", b"1", nx=True, ex=max(1, int(ttl))
            )
            return bool(done)
        except redis.RedisError as e:
            self._breaker.failed(e)
            return None


class SyncPosition:
    """A counter of writes to one shared Chroma collection. Writers ``bump`` it after each
    ingest or delete; a background sync runs the full catch-up only when it has moved (or
    every ``full_every`` seconds regardless, for writers that do not bump it)."""

    def __init__(self, client: redis.Redis, collection: str) -> None:
        self.client = client
        self.key = f"{PREFIX}:sync:{collection}:position"
        self._breaker = _Breaker("the sync position")

    def bump(self) -> None:
        try:
            self.client.incr(self.key)
        except redis.RedisError as e:
            self._breaker.failed(e)

    def read(self) -> Any:
        """The position, or a fresh object (never equal to anything) if Redis is away."""
        try:
            return self.client.get(self.key) or b"0"
        except redis.RedisError as e:
            self._breaker.failed(e)
            return object()
