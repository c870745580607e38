"""PostgreSQL and Redis for the shared-state tests: real servers, never mocks.

Defaults: PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and Redis on 127.0.0.1:6379,
as on the project's machines and CI; NEWSRAG_TEST_POSTGRES_URL / NEWSRAG_TEST_REDIS_URL point
elsewhere. Where a server does not answer (a laptop), the tests that need it skip and say how to
run them; with NEWSRAG_REQUIRE_SERVICES=1 (``.ci/run``) they fail instead.

* ``postgres_url``: a database of its own per test session, created here and dropped at the end.
* ``redis_url``: a Redis database number of its own per test (flushed before and after).
"""

from __future__ import annotations

import itertools
import os
import uuid

import pytest

PG_ADMIN = os.environ.get(
    "NEWSRAG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("NEWSRAG_TEST_REDIS_URL", "redis://127.0.0.1:6379")
HOW = (
    "start PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth on loopback) and Redis on "
    "127.0.0.1:6379 (e.g. `sudo apt-get install postgresql redis-server`, as .ci/run does), or "
    "point NEWSRAG_TEST_POSTGRES_URL / NEWSRAG_TEST_REDIS_URL at yours"
)


def unavailable(what: str, error: Exception) -> None:
    message = f"{what} does not answer ({error}); to run these tests, {HOW}"
    if os.environ.get("NEWSRAG_REQUIRE_SERVICES") == "1":
        pytest.fail(f"NEWSRAG_REQUIRE_SERVICES=1 but {message}", pytrace=False)
    pytest.skip(message)


def _admin():
    import psycopg

    return psycopg.connect(
        PG_ADMIN.replace("postgresql+psycopg://", "postgresql://"),
        autocommit=True,
        connect_timeout=3,
    )


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database for this session (SQLAlchemy URL), dropped afterwards."""
    try:
        admin = _admin()
    except Exception as e:
        unavailable("PostgreSQL", e)
    name = f"newsrag_test_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    url = f"{base}/{name}"
    yield url
    from api.state.appdb import dispose

    dispose(url)
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# db 0 is left to whoever else uses this Redis; a random start keeps two sessions apart.
_start = uuid.uuid4().int % 15
_numbers = itertools.cycle([1 + (_start + i) % 15 for i in range(15)])


@pytest.fixture
def redis_url():
    """redis://…/N: a database number of its own for this test, flushed before and after."""
    import redis

    url = f"{REDIS.rstrip('/')}/{next(_numbers)}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as e:
        unavailable("Redis", e)
    yield url
    client.flushdb()
    client.close()
