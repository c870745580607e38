"""Background ingest jobs: one worker thread per process, state and progress in the app database.

A job is a function ``run(progress) -> IngestReport``. Progress (articles seen, chunks embedded)
is kept in memory and written to SQLite at most twice a second, so ``GET /v1/jobs/{id}`` works
from any worker process and after a restart. Cancelling (``DELETE /v1/jobs/{id}`` or server
shutdown) stops a running job at its next progress call: articles already committed stay (each
is written atomically), the rest is not ingested, and the job ends as ``cancelled``. Jobs left
``queued``/``running`` by a process that died are marked ``failed`` when the next one starts.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psutil

from api import metrics
from api.state.appdb import AppDB, utcnow
from rag.schema import IngestReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
JobFn = Callable[[Progress], IngestReport]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    owner           TEXT,
    process         TEXT NOT NULL,
    articles_total  INTEGER,
    articles_seen   INTEGER NOT NULL DEFAULT 0,
    chunks_embedded INTEGER NOT NULL DEFAULT 0,
    report          TEXT,
    error           TEXT,
    created_at      TEXT NOT NULL,
    started_at      TEXT,
    finished_at     TEXT
);
CREATE INDEX IF NOT EXISTS ingest_jobs_created ON ingest_jobs(created_at);
"""
FINAL_STATES = ("done", "failed", "cancelled")
_FLUSH_SECONDS = 0.5


class JobCancelled(Exception):
    pass


@dataclass
class _Job:
    id: str
    run: JobFn
    cancel: threading.Event = field(default_factory=threading.Event)
    seen: int = 0
    embedded: int = 0
    flushed_at: float = 0.0


class JobManager:
    def __init__(self, db: AppDB) -> None:
        self.db = db
        db.ensure_schema(_SCHEMA)
        self.process = f"{socket.gethostname()}:{os.getpid()}"
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._jobs: dict[str, _Job] = {}  # queued or running in this process
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = False

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self._recover()
        self._closing = False
        self._thread = threading.Thread(target=self._work, name="newsrag-ingest-jobs", daemon=True)
        self._thread.start()

    def shutdown(self, timeout: float = 30.0) -> None:
        """Cancel every job of this process and wait (up to ``timeout``) for the running one."""
        self._closing = True
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("an ingest job did not stop within %.0f s; exiting anyway", timeout)
        # Whatever never started (or did not stop in time) ends here, not in limbo.
        with self.db.transaction() as db:
            db.execute(
                "UPDATE ingest_jobs SET state='cancelled', finished_at=?, "
                "error=coalesce(error, 'the server shut down') "
                "WHERE process=? AND state IN ('queued', 'running')",
                (utcnow(), self.process),
            )

    def _recover(self) -> None:
        """Mark jobs of dead processes on this host as failed."""
        host = self.process.split(":", 1)[0]
        with self.db.transaction() as db:
            rows = db.execute(
                "SELECT id, process FROM ingest_jobs WHERE state IN ('queued', 'running')"
            ).fetchall()
            for row in rows:
                owner_host, _, pid = row["process"].rpartition(":")
                alive = owner_host != host or (
                    pid.isdigit() and int(pid) != os.getpid() and psutil.pid_exists(int(pid))
                )
                if not alive:
                    db.execute(
                        "UPDATE ingest_jobs SET state='failed', finished_at=?, error=? WHERE id=?",
                        (utcnow(), "the server stopped before the job finished", row["id"]),
                    )

    # --- jobs ------------------------------------------------------------------------------
    def submit(
        self, kind: str, run: JobFn, *, total: int | None = None, owner: str | None = None
    ) -> str:
        if self._closing:
            raise RuntimeError("the server is shutting down")
        job = _Job(id=secrets.token_hex(8), run=run)
        with self.db.transaction() as db:
            db.execute(
                "INSERT INTO ingest_jobs (id, kind, state, owner, process, articles_total, "
                "created_at) VALUES (?,?,?,?,?,?,?)",
                (job.id, kind, "queued", owner, self.process, total, utcnow()),
            )
        with self._lock:
            self._jobs[job.id] = job
        self._queue.put(job)
        return job.id

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self.db.connect() as db:
            row = db.execute("SELECT * FROM ingest_jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            return None
        view = _view(row)
        with self._lock:
            live = self._jobs.get(job_id)
        if live is not None and view["state"] == "running":
            # Fresher than the last flush to SQLite.
            view["progress"]["articles_seen"] = max(view["progress"]["articles_seen"], live.seen)
            view["progress"]["chunks_embedded"] = max(
                view["progress"]["chunks_embedded"], live.embedded
            )
        return view

    def list(self, limit: int = 50) -> list[dict[str, Any]]:
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT * FROM ingest_jobs ORDER BY created_at DESC, id LIMIT ?", (limit,)
            ).fetchall()
        return [_view(r) for r in rows]

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        """Ask a job to stop; a queued job is cancelled at once, a running one at its next step."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None:
            job.cancel.set()
            with self.db.transaction() as db:
                db.execute(
                    "UPDATE ingest_jobs SET state='cancelled', finished_at=?, "
                    "error='cancelled before it started' WHERE id=? AND state='queued'",
                    (utcnow(), job_id),
                )
        return self.get(job_id)

    def active(self) -> dict[str, int]:
        with self.db.connect() as db:
            rows = db.execute(
                "SELECT state, count(*) FROM ingest_jobs WHERE state IN ('queued', 'running') "
                "AND process=? GROUP BY state",
                (self.process,),
            ).fetchall()
        counts = {"queued": 0, "running": 0}
        counts.update({r[0]: r[1] for r in rows})
        return counts

    # --- the worker ------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                if not job.cancel.is_set():
                    self._run(job)
            except Exception:  # never let one job kill the worker
                log.exception("ingest job %s crashed", job.id)
            finally:
                with self._lock:
                    self._jobs.pop(job.id, None)

    def _run(self, job: _Job) -> None:
        with self.db.transaction() as db:
            db.execute(
                "UPDATE ingest_jobs SET state='running', started_at=? WHERE id=? AND state='queued'",
                (utcnow(), job.id),
            )
        log.info("ingest job %s started", job.id, extra={"fields": {"job_id": job.id}})

        def progress(seen: int, embedded: int) -> None:
            job.seen, job.embedded = seen, embedded
            now = time.monotonic()
            if now - job.flushed_at >= _FLUSH_SECONDS:
                job.flushed_at = now
                with self.db.connect() as db:
                    db.execute(
                        "UPDATE ingest_jobs SET articles_seen=?, chunks_embedded=? WHERE id=?",
                        (seen, embedded, job.id),
                    )
            if job.cancel.is_set():
                raise JobCancelled

        state, report, error = "done", None, None
        try:
            report = job.run(progress)
        except JobCancelled:
            state, error = "cancelled", "cancelled while running; articles already stored stay"
        except Exception as exc:
            log.exception("ingest job %s failed", job.id, extra={"fields": {"job_id": job.id}})
            state, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
        if report is not None:
            job.seen = max(job.seen, _articles_in(report))
            job.embedded = max(job.embedded, report.chunks_added)
            metrics.observe_ingest(report, "job")
        metrics.INGEST_JOBS.labels(state=state).inc()
        with self.db.transaction() as db:
            db.execute(
                "UPDATE ingest_jobs SET state=?, articles_seen=?, chunks_embedded=?, report=?, "
                "error=?, finished_at=? WHERE id=?",
                (
                    state,
                    job.seen,
                    job.embedded,
                    report.model_dump_json() if report is not None else None,
                    error,
                    utcnow(),
                    job.id,
                ),
            )
        log.info(
            "ingest job %s %s",
            job.id,
            state,
            extra={"fields": {"job_id": job.id, "articles": job.seen, "chunks": job.embedded}},
        )


def _articles_in(report: IngestReport) -> int:
    return len(report.added) + len(report.unchanged) + len(report.replaced) + len(report.rejected)


def _view(row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "state": row["state"],
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
