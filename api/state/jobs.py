"""Background ingest jobs any worker can run: the queue is the ``ingest_jobs`` table.

``submit`` stores what to run (a kind and a JSON payload) and returns at once; every process
that ``start``-ed a ``JobManager`` claims queued jobs of the kinds it has a handler for and runs
them one at a time. On PostgreSQL a claim is ``SELECT … FOR UPDATE SKIP LOCKED`` (workers on
every machine take different jobs without waiting on each other); on SQLite (one machine) it is
the same statement under SQLite's write lock, so exactly one process gets each job.

A running job holds a *lease* (``lease_until``) that its worker renews every couple of seconds.
If the worker dies (killed, machine lost), the lease lapses and another worker takes the job
over and runs it again from the start: ingest is idempotent (articles already stored are
``unchanged``), so nothing is stored twice. After ``job_max_attempts`` takeovers it is failed.
A graceful shutdown hands the running job back to the queue, so a job survives a restart.

Progress (articles seen, chunks embedded) is written to the table at most twice a second, so
``GET /v1/jobs/{id}`` shows it from any worker on any machine. Cancelling (``DELETE
/v1/jobs/{id}``, from any worker) cancels a queued job at once and stops a running one at its
next progress step: articles already committed stay (each is written atomically), the rest is
not ingested, and the job ends as ``cancelled``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from api import metrics
from api.state.appdb import AppDB, utcnow
from api.state.config import StateSettings
from api.state.schema import ingest_jobs as jobs_t
from rag.schema import IngestReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Handler = Callable[[Any, Progress], IngestReport]  # (payload, progress) -> report

FINAL_STATES = ("done", "failed", "cancelled")
_FLUSH_SECONDS = 0.5
J = jobs_t.c


class JobCancelled(Exception):
    pass


class _Interrupted(Exception):
    """The job stops here and goes back to the queue (shutdown, or its lease was lost)."""


@dataclass
class _Job:
    id: str
    kind: str
    payload: Any
    cancel: threading.Event = field(default_factory=threading.Event)
    interrupt: threading.Event = field(default_factory=threading.Event)
    seen: int = 0
    embedded: int = 0
    flushed_at: float = 0.0


class JobManager:
    def __init__(self, db: AppDB, state: StateSettings | None = None) -> None:
        state = state or StateSettings()
        self.db = db
        self.lease = state.job_lease_seconds
        self.poll = state.job_poll_seconds
        self.max_attempts = state.job_max_attempts
        self.beat = min(self.lease / 3, 2.0)
        self.process = f"{socket.gethostname()}:{os.getpid()}"
        self._handlers: dict[str, Handler] = {}
        self._current: _Job | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._closing = False

    def register(self, kind: str, handler: Handler) -> None:
        """Run jobs of ``kind`` in this process: ``handler(payload, progress) -> report``."""
        self._handlers[kind] = handler

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._closing = False
        self._stop.clear()
        self._threads = [
            threading.Thread(target=target, name=name, daemon=True)
            for target, name in ((self._work, "newsrag-jobs"), (self._heartbeat, "newsrag-lease"))
        ]
        for thread in self._threads:
            thread.start()

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop claiming; the running job stops at its next progress step and goes back to the
        queue for the next worker (or this server once it is back). Waits up to ``timeout``."""
        self._closing = True
        with self._lock:
            job = self._current
        if job is not None:
            job.interrupt.set()
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("an ingest job did not stop within %.0f s; exiting anyway", timeout)
        self._threads = []
        # Whatever did not stop in time is released: its lease lapses, or it is queued now.
        with self.db.write() as conn:
            conn.execute(
                sa.update(jobs_t)
                .where(J.process == self.process, J.state == "running")
                .values(state="queued", lease_until=None)
            )

    # --- jobs ------------------------------------------------------------------------------
    def submit(
        self, kind: str, payload: Any, *, total: int | None = None, owner: str | None = None
    ) -> str:
        if self._closing:
            raise RuntimeError("the server is shutting down")
        job_id = secrets.token_hex(8)
        with self.db.write() as conn:
            conn.execute(
                sa.insert(jobs_t).values(
                    id=job_id,
                    kind=kind,
                    state="queued",
                    owner=owner,
                    process=self.process,
                    articles_total=total,
                    payload=json.dumps(payload, ensure_ascii=False),
                    created_at=utcnow(),
                )
            )
        self._wake.set()
        return job_id

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = conn.execute(_VIEW.where(J.id == job_id)).mappings().first()
        if row is None:
            return None
        view = _view(row)
        with self._lock:
            live = self._current if self._current and self._current.id == job_id else None
        if live is not None and view["state"] == "running":
            # Fresher than the last flush to the table.
            view["progress"]["articles_seen"] = max(view["progress"]["articles_seen"], live.seen)
            view["progress"]["chunks_embedded"] = max(
                view["progress"]["chunks_embedded"], live.embedded
            )
        return view

    def list(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            rows = conn.execute(_VIEW.order_by(J.created_at.desc(), J.id).limit(limit)).mappings()
            return [_view(r) for r in rows]

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Ask a job to stop; a queued job is cancelled at once, a running one (on any worker)
        at its next step."""
        with self.db.write() as conn:
            conn.execute(
                sa.update(jobs_t)
                .where(J.id == job_id, J.state.in_(("queued", "running")))
                .values(cancel_requested=1)
            )
            conn.execute(
                sa.update(jobs_t)
                .where(J.id == job_id, J.state == "queued")
                .values(
                    state="cancelled",
                    finished_at=utcnow(),
                    error="cancelled before it started",
                    lease_until=None,
                )
            )
        with self._lock:
            if self._current is not None and self._current.id == job_id:
                self._current.cancel.set()
        return self.get(job_id)

    def active(self) -> dict[str, int]:
        """Jobs waiting anywhere, and jobs running in this process."""
        with self.db.read() as conn:
            queued = conn.execute(
                sa.select(sa.func.count()).where(J.state == "queued")
            ).scalar_one()
            running = conn.execute(
                sa.select(sa.func.count()).where(J.state == "running", J.process == self.process)
            ).scalar_one()
        return {"queued": queued, "running": running}

    # --- claiming --------------------------------------------------------------------------
    def _claim(self) -> _Job | None:
        """Take the oldest job that is queued, or running under a lapsed lease."""
        while not self._stop.is_set() and self._handlers:
            now = time.time()
            lapsed = sa.and_(
                J.state == "running", sa.or_(J.lease_until.is_(None), J.lease_until < now)
            )
            with self.db.write() as conn:
                row = (
                    conn.execute(
                        sa.select(J.id, J.kind, J.payload, J.attempts, J.cancel_requested, J.state)
                        .where(sa.or_(J.state == "queued", lapsed))
                        .where(J.kind.in_(sorted(self._handlers)))
                        .order_by(J.created_at, J.id)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    )
                    .mappings()
                    .first()
                )
                if row is None:
                    return None
                ending = self._unrunnable(row)
                if ending is not None:
                    state, error = ending
                    conn.execute(
                        sa.update(jobs_t)
                        .where(J.id == row["id"])
                        .values(state=state, error=error, finished_at=utcnow(), lease_until=None)
                    )
                    metrics.INGEST_JOBS.labels(state=state).inc()
                    continue
                conn.execute(
                    sa.update(jobs_t)
                    .where(J.id == row["id"])
                    .values(
                        state="running",
                        process=self.process,
                        attempts=row["attempts"] + 1,
                        lease_until=now + self.lease,
                        started_at=sa.func.coalesce(J.started_at, utcnow()),
                    )
                )
            if row["state"] == "running":
                log.warning(
                    "ingest job %s: its worker stopped renewing the lease; taking it over",
                    row["id"],
                    extra={"fields": {"job_id": row["id"]}},
                )
            return _Job(id=row["id"], kind=row["kind"], payload=json.loads(row["payload"]))
        return None

    def _unrunnable(self, row) -> tuple[str, str] | None:
        if row["cancel_requested"]:
            return "cancelled", "cancelled while its worker was gone; articles stored stay"
        if row["payload"] is None:
            return "failed", "the server stopped before the job finished"
        if row["attempts"] >= self.max_attempts:
            return "failed", f"gave up after {row['attempts']} workers stopped during the job"
        return None

    # --- the worker ------------------------------------------------------------------------
    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job = self._claim()
            except Exception as e:  # the database restarting: try again shortly
                log.warning("could not look for ingest jobs (retrying): %s", e)
                job = None
            if job is None:
                self._wake.wait(self.poll)
                self._wake.clear()
                continue
            with self._lock:
                self._current = job
            try:
                self._run(job)
            except Exception:  # never let one job kill the worker
                log.exception("ingest job %s crashed", job.id)
            finally:
                with self._lock:
                    self._current = None

    def _heartbeat(self) -> None:
        """Renew the running job's lease; learn of cancels made through other workers."""
        while not self._stop.wait(self.beat):
            with self._lock:
                job = self._current
            if job is None:
                continue
            try:
                with self.db.write() as conn:
                    renewed = conn.execute(
                        sa.update(jobs_t)
                        .where(J.id == job.id, J.process == self.process, J.state == "running")
                        .values(
                            lease_until=time.time() + self.lease,
                            articles_seen=job.seen,
                            chunks_embedded=job.embedded,
                        )
                    ).rowcount
                    cancel = conn.execute(
                        sa.select(J.cancel_requested).where(J.id == job.id)
                    ).scalar()
            except Exception as e:
                log.warning("could not renew the lease of ingest job %s: %s", job.id, e)
                continue
            if not renewed:
                log.warning("ingest job %s was taken over by another worker; stopping", job.id)
                job.interrupt.set()
            elif cancel:
                job.cancel.set()

    def _run(self, job: _Job) -> None:
        handler = self._handlers[job.kind]
        log.info("ingest job %s started", job.id, extra={"fields": {"job_id": job.id}})

        def progress(seen: int, embedded: int) -> None:
            job.seen, job.embedded = seen, embedded
            now = time.monotonic()
            if now - job.flushed_at >= _FLUSH_SECONDS:
                job.flushed_at = now
                with self.db.write() as conn:
                    conn.execute(
                        sa.update(jobs_t)
                        .where(J.id == job.id, J.process == self.process)
                        .values(articles_seen=seen, chunks_embedded=embedded)
                    )
            if job.cancel.is_set():
                raise JobCancelled
            if job.interrupt.is_set():
                raise _Interrupted

        state, report, error = "done", None, None
        try:
            report = handler(job.payload, progress)
        except JobCancelled:
            state, error = "cancelled", "cancelled while running; articles already stored stay"
        except _Interrupted:
            self._release(job)
            return
        except Exception as exc:
            log.exception("ingest job %s failed", job.id, extra={"fields": {"job_id": job.id}})
            state, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
        if report is not None:
            job.seen = max(job.seen, _articles_in(report))
            job.embedded = max(job.embedded, report.chunks_added)
            metrics.observe_ingest(report, "job")
        metrics.INGEST_JOBS.labels(state=state).inc()
        with self.db.write() as conn:
            conn.execute(
                sa.update(jobs_t)
                .where(J.id == job.id, J.process == self.process)
                .values(
                    state=state,
                    articles_seen=job.seen,
                    chunks_embedded=job.embedded,
                    report=report.model_dump_json() if report is not None else None,
                    error=error,
                    finished_at=utcnow(),
                    lease_until=None,
                )
            )
        log.info(
            "ingest job %s %s",
            job.id,
            state,
            extra={"fields": {"job_id": job.id, "articles": job.seen, "chunks": job.embedded}},
        )

    def _release(self, job: _Job) -> None:
        """Back to the queue, for whichever worker claims it next (unless another holds it)."""
        with self.db.write() as conn:
            conn.execute(
                sa.update(jobs_t)
                .where(J.id == job.id, J.process == self.process, J.state == "running")
                .values(state="queued", lease_until=None)
            )
        log.info("ingest job %s handed back to the queue", job.id)


_VIEW = sa.select(*[c for c in jobs_t.c if c.name != "payload"])  # payloads can be megabytes


def _articles_in(report: IngestReport) -> int:
    return len(report.added) + len(report.unchanged) + len(report.replaced) + len(report.rejected)


def _view(row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "state": row["state"],
        "worker": row["process"] if row["state"] in ("running", *FINAL_STATES) else None,
        "attempts": row["attempts"],
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "progress": {
            "articles_total": row["articles_total"],
            "articles_seen": row["articles_seen"],
            "chunks_embedded": row["chunks_embedded"],
        },
        "report": IngestReport.model_validate_json(row["report"]) if row["report"] else None,
        "error": row["error"],
    }
