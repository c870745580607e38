"""API keys, scopes, the widget's origin allowlist, rate limits and who CORS admits.

* Keys are random 256-bit tokens shown once at creation; only their SHA-256 is stored.
  Clients send ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``.
* Scopes: ``ask`` (questions, conversations, reading articles), ``admin`` (everything),
  ``widget`` (a public key for the chat widget: questions and conversations only, and only from
  a page whose ``Origin`` is in the key's allowlist).
* No key at all = local-only mode: no key is needed, but only clients on this machine are
  served (and ``newsrag serve`` refuses to listen on another interface).
* Rate limits: ``rate_limit_per_minute`` per key (per key and client IP for a widget key, which
  every visitor of a site shares; per client IP in local-only mode): with NEWSRAG_REDIS_URL one
  moving window in Redis for all workers, else a token bucket per process (api/state/shared.py).
* Widget visitors: every visitor of a site shares the widget key, so a widget conversation is
  filed under the key and the visitor's own secret (``X-Newsrag-Visitor``, random, kept by the
  widget in the browser's localStorage; only its SHA-256 is stored). Another visitor who learns
  the conversation's id gets 404, as for an id that does not exist.
* CORS: ``settings.cors_origins`` for every route, plus the origins of widget keys for the
  routes the widget calls; never ``*`` (``Authenticator.cors_allows``; the middleware that
  applies it is ``api/server/middleware.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from starlette.datastructures import Headers

from api import metrics
from api.errors import Forbidden, Invalid, TooManyRequests, Unauthorized
from api.state.appdb import AppDB, utcnow
from api.state.config import StateSettings
from api.state.schema import api_keys
from api.state.shared import SharedRateLimiter
from rag.settings import Settings

SCOPES: tuple[str, ...] = ("ask", "admin", "widget")

# What each permission needs, and what it is called in error messages.
PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    "ask": (frozenset({"ask", "admin", "widget"}), "asking questions"),
    "read": (frozenset({"ask", "admin"}), "reading articles"),
    "admin": (frozenset({"admin"}), "this operation (it needs an admin key)"),
}
# Paths a widget key's origins may call cross-origin.
WIDGET_PATHS = (
    "/v1/ask",
    "/v1/conversations",
    "/v1/feedback",
    "/v1/chat/completions",  # OpenAI-compatible chat: the same rules as /v1/ask
    "/v1/models",
)
VISITOR_HEADER = "X-Newsrag-Visitor"
_VISITOR = re.compile(r"[A-Za-z0-9_-]{22,128}")

_CACHE_SECONDS = 2.0  # keys created or revoked by another process take effect within this


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_origin(value: str | None) -> str | None:
    """``scheme://host[:port]`` in lower case without a default port or path, or None if
    ``value`` is not an http(s) origin. "null" (sandboxed frames, file://) is never an origin."""
    if not value or value.strip().lower() == "null":
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scope: str
    origins: tuple[str, ...]
    prefix: str
    created_at: str
    revoked_at: str | None = None
    last_used_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class KeyStore:
    """API keys in the app database (hashed), with a short in-process cache."""

    def __init__(self, db: AppDB) -> None:
        self.db = db
        self._lock = threading.Lock()
        self._verified: dict[str, tuple[ApiKey, float]] = {}
        self._summary: tuple[bool, frozenset[str], float] | None = None
        self._last_used_written: dict[str, float] = {}

    # --- management (CLI, tests) -----------------------------------------------------------
    def create(
        self, scope: str, *, origins: list[str] | tuple[str, ...] = (), name: str | None = None
    ) -> tuple[ApiKey, str]:
        """A new key; returns it with its secret, which is not stored and cannot be shown again."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
        clean: list[str] = []
        for origin in origins:
            norm = normalize_origin(origin)
            if norm is None:
                raise ValueError(
                    f"{origin!r} is not an origin; write it like https://news.example.org "
                    "(scheme, host and port only)"
                )
            clean.append(norm)
        if scope == "widget" and not clean:
            raise ValueError("a widget key needs at least one --origin (the site that embeds it)")
        if scope != "widget" and clean:
            raise ValueError("--origin only applies to widget keys")
        secret = "nrk_" + secrets.token_urlsafe(32)
        key = ApiKey(
            id=secrets.token_hex(4),
            name=(name or f"{scope} key").strip()[:100],
            scope=scope,
            origins=tuple(dict.fromkeys(clean)),
            prefix=secret[:10],
            created_at=utcnow(),
        )
        with self.db.write() as conn:
            conn.execute(
                sa.insert(api_keys).values(
                    id=key.id,
                    name=key.name,
                    scope=key.scope,
                    origins=json.dumps(list(key.origins)),
                    key_hash=hash_key(secret),
                    prefix=key.prefix,
                    created_at=key.created_at,
                )
            )
        self.invalidate()
        return key, secret

    def list(self, *, include_revoked: bool = False) -> list[ApiKey]:
        query = sa.select(api_keys).order_by(api_keys.c.created_at, api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [_key(r) for r in rows]

    def revoke(self, id_or_prefix: str) -> ApiKey | None:
        """Revoke by id or by the prefix shown at creation; None if nothing matched."""
        c = api_keys.c
        with self.db.write() as conn:
            row = (
                conn.execute(
                    sa.select(api_keys)
                    .where(sa.or_(c.id == id_or_prefix, c.prefix == id_or_prefix))
                    .where(c.revoked_at.is_(None))
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            conn.execute(sa.update(api_keys).where(c.id == row["id"]).values(revoked_at=utcnow()))
        self.invalidate()
        return _key(row)

    def invalidate(self) -> None:
        with self._lock:
            self._verified.clear()
            self._summary = None

    # --- request path ----------------------------------------------------------------------
    def verify(self, secret: str) -> ApiKey | None:
        """The active key with this secret, or None."""
        digest = hash_key(secret)
        now = time.monotonic()
        with self._lock:
            cached = self._verified.get(digest)
            if cached and cached[1] > now:
                return cached[0]
        c = api_keys.c
        with self.db.read() as conn:
            row = (
                conn.execute(
                    sa.select(api_keys).where(c.key_hash == digest, c.revoked_at.is_(None))
                )
                .mappings()
                .first()
            )
        if row is None or not hmac.compare_digest(row["key_hash"], digest):
            return None
        key = _key(row)
        with self._lock:
            if len(self._verified) > 1000:
                self._verified.clear()
            self._verified[digest] = (key, now + _CACHE_SECONDS)
        self._touch(key.id, now)
        return key

    def _touch(self, key_id: str, now: float) -> None:
        """Record ``last_used_at``, at most once a minute per key."""
        if now - self._last_used_written.get(key_id, -math.inf) < 60:
            return
        self._last_used_written[key_id] = now
        with self.db.write() as conn:
            conn.execute(
                sa.update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=utcnow())
            )

    def _load_summary(self) -> tuple[bool, frozenset[str]]:
        now = time.monotonic()
        with self._lock:
            if self._summary and self._summary[2] > now:
                return self._summary[0], self._summary[1]
        with self.db.read() as conn:
            rows = (
                conn.execute(
                    sa.select(api_keys.c.scope, api_keys.c.origins).where(
                        api_keys.c.revoked_at.is_(None)
                    )
                )
                .mappings()
                .all()
            )
        origins = frozenset(
            o for r in rows if r["scope"] == "widget" for o in json.loads(r["origins"] or "[]")
        )
        with self._lock:
            self._summary = (bool(rows), origins, now + _CACHE_SECONDS)
        return bool(rows), origins

    def has_keys(self) -> bool:
        return self._load_summary()[0]

    def widget_origins(self) -> frozenset[str]:
        return self._load_summary()[1]


def _key(row) -> ApiKey:
    return ApiKey(
        id=row["id"],
        name=row["name"],
        scope=row["scope"],
        origins=tuple(json.loads(row["origins"] or "[]")),
        prefix=row["prefix"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
    )


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key, or anyone on this machine in local-only mode."""

    scope: str
    client: str
    key_id: str | None = None
    key_name: str | None = None
    origins: tuple[str, ...] = ()
    local: bool = False
    visitor: str | None = None  # widget keys: SHA-256 of the visitor's secret

    @property
    def is_admin(self) -> bool:
        return self.scope == "admin"

    @property
    def owner(self) -> str | None:
        """What conversations are filed under (None in local-only mode): the key id; for a
        widget key, the key id and the visitor's hashed secret, so the id alone reads nothing."""
        if self.scope == "widget":
            return f"{self.key_id}:visitor:{self.visitor}"
        return self.key_id

    @property
    def bucket(self) -> str:
        if self.local or self.key_id is None:
            return f"ip:{self.client}"
        if self.scope == "widget":
            return f"widget:{self.key_id}:{self.client}"
        return f"key:{self.key_id}"


class RateLimiter:
    """Token buckets: ``per_minute`` requests of burst, refilled at ``per_minute`` a minute."""

    def __init__(self, per_minute: int, *, max_buckets: int = 50_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, bucket: str, now: float | None = None) -> tuple[bool, float]:
        """(allowed, seconds until a request would be allowed)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(bucket, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[bucket] = (tokens, now)
            while len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)  # least recently seen; it was nearly full
        return allowed, 0.0 if allowed else (1.0 - tokens) / self.rate


class Authenticator:
    def __init__(self, settings: Settings, keys: KeyStore) -> None:
        self.settings = settings
        self.keys = keys
        self.limiter = _limiter(settings)
        # Set by `newsrag serve` (api/cli/instance.py): what `newsrag ingest|delete` on this
        # machine send as their admin key, read from the data dir.
        self.local_token: str | None = None

    def local_only(self) -> bool:
        return not self.keys.has_keys()

    def authenticate(self, headers: Headers, client: str) -> Principal:
        secret = _presented_key(headers)
        if (
            self.local_token
            and secret
            and is_loopback(client)
            and hmac.compare_digest(secret.encode(), self.local_token.encode())
        ):
            return Principal(scope="admin", client=client, key_name="local newsrag", local=True)
        if self.local_only():
            if not is_loopback(client):
                metrics.AUTH_FAILURES.labels(reason="local_only").inc()
                raise Forbidden(
                    "this server runs in local-only mode (no API keys exist) and only serves "
                    "requests from this machine; create a key with `newsrag keys create --scope ask`"
                )
            return Principal(scope="admin", client=client, local=True)
        if not secret:
            metrics.AUTH_FAILURES.labels(reason="missing").inc()
            raise Unauthorized(
                "an API key is required: send `Authorization: Bearer KEY` or `X-API-Key: KEY`",
                headers={"WWW-Authenticate": "Bearer"},
            )
        key = self.keys.verify(secret)
        if key is None:
            metrics.AUTH_FAILURES.labels(reason="invalid").inc()
            raise Unauthorized(
                "invalid or revoked API key",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Principal(
            scope=key.scope,
            client=client,
            key_id=key.id,
            key_name=key.name,
            origins=key.origins,
            visitor=_visitor(headers) if key.scope == "widget" else None,
        )

    def authorize(self, principal: Principal, permission: str, headers: Headers) -> None:
        allowed, what = PERMISSIONS[permission]
        if principal.scope not in allowed:
            metrics.AUTH_FAILURES.labels(reason="scope").inc()
            raise Forbidden(f"a key with scope '{principal.scope}' cannot be used for {what}")
        if principal.scope == "widget":
            origin = normalize_origin(headers.get("origin"))
            if origin is None or origin not in principal.origins:
                metrics.AUTH_FAILURES.labels(reason="origin").inc()
                shown = headers.get("origin") or "no Origin header"
                raise Forbidden(
                    f"this widget key is not allowed from {shown}; add the site's origin with "
                    "`newsrag keys create --scope widget --origin https://…`"
                )

    def limit(self, principal: Principal) -> None:
        allowed, wait = self.limiter.take(principal.bucket)
        if not allowed:
            metrics.RATE_LIMITED.labels(scope=principal.scope).inc()
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(
                f"rate limit of {self.settings.rate_limit_per_minute} requests a minute "
                f"exceeded; retry in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )

    # --- CORS ------------------------------------------------------------------------------
    def cors_allows(self, origin: str, path: str) -> bool:
        norm = normalize_origin(origin)
        if norm is None:
            return False
        if norm in {normalize_origin(o) for o in self.settings.cors_origins}:
            return True
        return path.startswith(WIDGET_PATHS) and norm in self.keys.widget_origins()


def _limiter(settings: Settings) -> RateLimiter | SharedRateLimiter:
    """One moving window per bucket in Redis for every worker, or a token bucket per process."""
    local = RateLimiter(settings.rate_limit_per_minute)
    url = StateSettings().redis_url
    return SharedRateLimiter(url, settings.rate_limit_per_minute, local) if url else local


def _presented_key(headers: Headers) -> str | None:
    auth = headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    key = headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def _visitor(headers: Headers) -> str:
    """The hashed visitor secret of a widget request. Without one, a fresh random value: the
    conversation it starts can be neither read back nor continued by anyone."""
    secret = (headers.get(VISITOR_HEADER) or "").strip()
    if not secret:
        return "none-" + secrets.token_hex(16)
    if not _VISITOR.fullmatch(secret):
        raise Invalid(
            f"{VISITOR_HEADER} must be 22 to 128 URL-safe characters (A-Z a-z 0-9 _ -): "
            "a random secret the widget keeps for this browser"
        )
    return hash_key(secret)
