"""App state past one machine: the app database on SQLite and PostgreSQL (migrations, stores,
the job queue) and what Redis shares (rate limits, Slack claims, the sync position).

PostgreSQL and Redis are the real servers (tests/services.py); where none answers these tests
skip, saying how to run them, except on CI (NEWSRAG_REQUIRE_SERVICES=1), where they fail.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from api.auth import KeyStore, RateLimiter
from api.slack.dedupe import EventDeduper
from api.slack.feedback import FeedbackStore
from api.slack.threads import ThreadMemory
from api.state import migrate
from api.state.appdb import AppDB
from api.state.config import StateSettings
from api.state.conversations import ConversationStore
from api.state.feedback import ApiFeedbackStore
from api.state.jobs import JobManager
from api.state.schema import ingest_jobs
from api.state.shared import SharedClaims, SharedRateLimiter, SyncPosition, redis_client
from api.state.syncloop import GatedSync
from rag.schema import Answer, IngestReport
from tests import services
from tests.servers import wait_for

postgres_url = services.postgres_url  # fixtures: a database per session, a Redis db per test
redis_url = services.redis_url

# What the code before Alembic created (CREATE TABLE IF NOT EXISTS, feature by feature).
LEGACY = """
CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, scope TEXT NOT NULL,
    origins TEXT NOT NULL DEFAULT '[]', key_hash TEXT NOT NULL UNIQUE, prefix TEXT NOT NULL,
    created_at TEXT NOT NULL, revoked_at TEXT, last_used_at TEXT);
CREATE TABLE conversations (id TEXT PRIMARY KEY, owner TEXT, meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, question TEXT NOT NULL, standalone TEXT NOT NULL, answer TEXT NOT NULL,
    short_answer TEXT, status TEXT NOT NULL, answer_json TEXT NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, idx));
CREATE TABLE ingest_jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL,
    owner TEXT, process TEXT NOT NULL, articles_total INTEGER,
    articles_seen INTEGER NOT NULL DEFAULT 0, chunks_embedded INTEGER NOT NULL DEFAULT 0,
    report TEXT, error TEXT, created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT);
CREATE INDEX ingest_jobs_created ON ingest_jobs(created_at);
"""


def _answer(question: str, text: str = "It says so [1].") -> Answer:
    return Answer(question=question, answer=text, status="answered", backend="extractive")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> AppDB:
    """The app database on each dialect (PostgreSQL: the session's database)."""
    if request.param == "sqlite":
        return AppDB(tmp_path / "app.sqlite3")
    database = AppDB(request.getfixturevalue("postgres_url"))
    with database.write() as conn:  # one database per session: start each test empty
        for table in ("conversation_turns", "conversations", "api_keys", "ingest_jobs"):
            conn.execute(sa.text(f"DELETE FROM {table}"))
    return database


# --- migrations --------------------------------------------------------------------------------
def test_a_pre_alembic_sqlite_database_upgrades_in_place(tmp_path):
    path = tmp_path / "app.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(LEGACY)
        old.execute(
            "INSERT INTO api_keys (id, name, scope, key_hash, prefix, created_at) "
            "VALUES ('k1', 'old key', 'ask', 'h', 'nrk_x', '2025-01-01T00:00:00+00:00')"
        )
        old.execute(
            "INSERT INTO ingest_jobs (id, kind, state, process, created_at) "
            "VALUES ('j1', 'urls', 'running', 'gone:1', '2025-01-01T00:00:00+00:00')"
        )
    db = AppDB(path)
    assert migrate.current(db.engine) == migrate.head()
    # Rows kept, the tables old code had not created yet exist, new columns are there.
    assert [k.name for k in KeyStore(db).list()] == ["old key"]
    names = set(sa.inspect(db.engine).get_table_names())
    assert {"slack_threads", "slack_events", "api_feedback", "alembic_version"} <= names
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("ingest_jobs")}
    assert {"payload", "lease_until", "attempts", "cancel_requested"} <= columns
    # The job old code left running (no payload: nothing to re-run) ends as failed.
    jobs = JobManager(db, StateSettings(job_poll_seconds=0.05))
    jobs.register("urls", lambda payload, progress: IngestReport())
    jobs.start()
    try:
        job = wait_for(lambda: (j := jobs.get("j1"))["state"] != "running" and j, 30, "job j1")
    finally:
        jobs.shutdown()
    assert job["state"] == "failed" and "stopped" in job["error"]


def test_migrations_on_a_fresh_postgresql_database_and_again(postgres_url):
    db = AppDB(postgres_url)
    assert migrate.current(db.engine) == migrate.head()
    assert migrate.upgrade(db.engine) == (migrate.head(), migrate.head())  # idempotent


# --- the stores, on both dialects ---------------------------------------------------------------
def test_a_key_made_through_one_worker_verifies_through_another(db):
    made_by, used_by = KeyStore(db), KeyStore(AppDB(db.url))
    key, secret = made_by.create("ask", name="shared")
    assert used_by.verify(secret) == key
    made_by.revoke(key.id)
    used_by.invalidate()  # the cache of another process lasts two seconds
    assert used_by.verify(secret) is None


def test_concurrent_turns_of_one_conversation_get_distinct_indexes(db):
    store = ConversationStore(db)
    cid = store.create(owner="k1")
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            for i in range(5):
                store.add_turn(cid, _answer(f"question {n}.{i}"))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    turns = store.get(cid).turns
    assert [t.index for t in turns] == list(range(20))
    assert len({t.question for t in turns}) == 20
    assert [t.question for t in store.history(cid, limit=2)] == [t.question for t in turns[-2:]]
    assert store.delete(cid) and store.get(cid) is None


def test_slack_state_and_feedback_on_both_dialects(db):
    conversations = ConversationStore(db)
    threads = ThreadMemory(db, conversations)
    key = "slack:T1:C1:1700000000.000100"
    cid = threads.conversation(key, followups=True)
    assert threads.conversation(key, followups=False) == cid and threads.get(key).followups
    dedupe = EventDeduper(db)
    assert dedupe.claim("Ev1") and not dedupe.claim("Ev1")

    slack = FeedbackStore(db)
    answer_id = slack.save_answer(_answer("q?"), kind="mention", team="T1", user="U1")
    stored = slack.get_answer(answer_id)
    assert slack.record(stored, "U2", helpful=True) and not slack.record(stored, "U2", False)
    assert slack.counts() == {"helpful": 0, "not_helpful": 1}

    api = ApiFeedbackStore(db)
    common = {"via": "widget", "key_name": "w", "question": "q?", "answer": "a", "status": "ok"}
    assert api.record(
        conversation_id=cid, turn=0, helpful=True, comment="good", citations=[], **common
    )
    assert not api.record(
        conversation_id=cid, turn=0, helpful=False, comment=None, citations=[], **common
    )
    [vote] = api.list()
    assert vote.helpful is False and vote.comment == "good"


# --- the job queue -------------------------------------------------------------------------------
def _manager(db: AppDB, name: str, lease: float = 30.0) -> JobManager:
    jobs = JobManager(db, StateSettings(job_lease_seconds=lease, job_poll_seconds=0.05))
    jobs.process = name  # two "machines" in one test process
    return jobs


def test_every_job_runs_exactly_once_across_workers(db):
    ran: list[tuple[str, int]] = []
    lock = threading.Lock()

    def handler(name):
        def run(payload, progress):
            progress(1, 0)
            time.sleep(0.05)
            with lock:
                ran.append((name, payload["n"]))
            return IngestReport()

        return run

    workers = [_manager(db, f"machine-{i}:1") for i in range(3)]
    for w in workers:
        w.register("articles", handler(w.process))
    ids = [workers[0].submit("articles", {"n": n}, total=1) for n in range(12)]
    for w in workers:
        w.start()
    try:
        for job_id in ids:
            wait_for(lambda j=job_id: workers[1].get(j)["state"] == "done", 60, f"job {job_id}")
    finally:
        for w in workers:
            w.shutdown()
    assert sorted(n for _, n in ran) == list(range(12))  # each once, none twice
    views = [workers[2].get(j) for j in ids]  # progress and outcome visible from anywhere
    assert all(v["attempts"] == 1 and v["progress"]["articles_seen"] >= 1 for v in views)


def test_a_dead_workers_job_is_taken_over_when_its_lease_lapses(db):
    survivor = _manager(db, "machine-b:2", lease=1.0)
    survivor.register("articles", lambda payload, progress: IngestReport(seconds=payload["s"]))
    job_id = survivor.submit("articles", {"s": 1.5}, total=1)
    with db.write() as conn:  # as a worker that claimed it and then died would leave it
        conn.execute(
            sa.update(ingest_jobs)
            .where(ingest_jobs.c.id == job_id)
            .values(
                state="running", process="machine-a:1", attempts=1, lease_until=time.time() + 0.5
            )
        )
    survivor.start()
    try:
        job = wait_for(lambda: (j := survivor.get(job_id))["state"] == "done" and j, 30, "takeover")
    finally:
        survivor.shutdown()
    assert job["worker"] == "machine-b:2" and job["attempts"] == 2
    assert job["report"].seconds == 1.5


def test_cancel_through_another_worker_stops_the_running_job(db):
    runner, other = _manager(db, "machine-a:1", lease=3.0), _manager(db, "machine-b:2")
    started = threading.Event()

    def endless(payload, progress):
        started.set()
        while True:
            progress(1, 0)
            time.sleep(0.02)

    runner.register("articles", endless)
    job_id = other.submit("articles", {}, total=1)
    runner.start()
    try:
        assert started.wait(30)
        other.cancel(job_id)  # another process: only the table tells the runner
        job = wait_for(lambda: (j := other.get(job_id))["state"] == "cancelled" and j, 30, "cancel")
    finally:
        runner.shutdown()
    assert job["worker"] == "machine-a:1" and job["finished_at"]


# --- Redis -----------------------------------------------------------------------------------
def test_rate_limits_are_one_bucket_across_workers(redis_url):
    workers = [SharedRateLimiter(redis_url, 4, RateLimiter(4)) for _ in range(2)]
    allowed = [workers[i % 2].take("key:k1")[0] for i in range(6)]
    assert allowed == [True, True, True, True, False, False]
    refused, wait = workers[0].take("key:k1")
    assert not refused and 0 < wait <= 60
    assert workers[1].take("key:k2")[0]  # another key has its own bucket


def test_without_redis_answering_limits_fall_back_to_the_process():
    limiter = SharedRateLimiter("redis://127.0.0.1:1/0", 2, RateLimiter(2))
    assert [limiter.take("key:k")[0] for _ in range(3)] == [True, True, False]


def test_slack_claims_in_redis_are_shared(redis_url, tmp_path):
    db = AppDB(tmp_path / "a.sqlite3")
    claims = SharedClaims(redis_client(redis_url), "slack:claim")
    one, two = (
        EventDeduper(db, shared=claims),
        EventDeduper(AppDB(tmp_path / "b.sqlite3"), shared=claims),
    )
    assert one.claim("Ev9") and not two.claim("Ev9") and not one.claim("Ev9")


def test_the_sync_runs_only_when_the_shared_position_moved(redis_url):
    class CountingSync:
        runs = 0

        def run(self):
            self.runs += 1

    sync = CountingSync()
    position = SyncPosition(redis_client(redis_url), "collection-x")
    gated = GatedSync(sync, interval=60, position=position, full_every=3600)
    assert gated.tick() and sync.runs == 1  # the first tick always catches up
    assert not gated.tick() and sync.runs == 1  # nothing written since
    SyncPosition(redis_client(redis_url), "collection-x").bump()  # another machine wrote
    assert gated.tick() and sync.runs == 2
    assert not gated.tick()
