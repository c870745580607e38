"""Prometheus metrics: one registry for newsrag, and helpers any feature can import.

    from api import metrics
    FEEDBACK = metrics.counter("newsrag_slack_feedback_total", "Feedback clicks.", ["value"])
    FEEDBACK.labels(value="up").inc()

``counter``/``histogram``/``gauge`` return the existing metric when the name is already
registered, so a module imported twice (tests, reloads) does not crash.

Several workers behind one port (``newsrag serve --workers N``): each process counts in files
under ``PROMETHEUS_MULTIPROC_DIR`` (serve creates a fresh one for its workers), and ``/metrics``,
whichever worker answers it, adds up every worker's counters and histograms (prometheus-client's
multiprocess mode; gauges say how they combine: requests in flight are summed over live
workers). Several machines: scrape each machine; their counters are separate series.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from rag.schema import Answer, IngestReport

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

_lock = threading.Lock()
_metrics: dict[str, MetricWrapperBase] = {}

# Latency buckets for a CPU-bound answer on a laptop: 5 ms … 60 s.
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60)


def _get_or_create(kind: type, name: str, doc: str, labels: Sequence[str], **kw):
    with _lock:
        existing = _metrics.get(name)
        if existing is not None:
            if not isinstance(existing, kind):
                raise ValueError(f"metric {name} already exists as a {type(existing).__name__}")
            return existing
        metric = kind(name, doc, list(labels), registry=REGISTRY, **kw)
        _metrics[name] = metric
        return metric


def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
    return _get_or_create(Counter, name, doc, labels)


def histogram(
    name: str, doc: str, labels: Sequence[str] = (), buckets: Sequence[float] = SECONDS_BUCKETS
) -> Histogram:
    return _get_or_create(Histogram, name, doc, labels, buckets=tuple(buckets))


def gauge(name: str, doc: str, labels: Sequence[str] = (), multiprocess_mode: str = "all") -> Gauge:
    """``multiprocess_mode``: how several workers' values combine ("all": one series per pid,
    "livesum", "livemax", …; prometheus-client's names)."""
    return _get_or_create(Gauge, name, doc, labels, multiprocess_mode=multiprocess_mode)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def render() -> tuple[bytes, str]:
    """The exposition text and its content type: every worker's metrics in multiprocess mode,
    this process's otherwise."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exit() -> None:
    """A worker that stops takes its live gauges with it (multiprocess mode)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())


# --- what the API counts ---------------------------------------------------------------------

HTTP_REQUESTS = counter(
    "newsrag_http_requests_total",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = histogram(
    "newsrag_http_request_duration_seconds",
    "HTTP request latency (until the last byte of the response) by route template and status.",
    ["method", "route", "status"],
)
HTTP_IN_FLIGHT = gauge(
    "newsrag_http_requests_in_flight", "HTTP requests being served.", multiprocess_mode="livesum"
)
ANSWERS = counter(
    "newsrag_answers_total",
    "Answers by status, backend and endpoint.",
    ["status", "backend", "via"],
)
ANSWER_STAGE = histogram(
    "newsrag_answer_stage_seconds",
    "Time per answer stage, from Answer.timings (retrieval, answer, total, embed_query, …).",
    ["stage"],
)
ASK_ERRORS = counter("newsrag_ask_errors_total", "Questions that failed with an error.", ["via"])
INGEST_ARTICLES = counter(
    "newsrag_ingest_articles_total",
    "Ingested articles by outcome (added, unchanged, replaced, rejected).",
    ["outcome", "via"],
)
INGEST_CHUNKS = counter("newsrag_ingest_chunks_total", "Chunks embedded and stored.", ["via"])
INGEST_SECONDS = histogram(
    "newsrag_ingest_seconds", "Duration of one ingest request or job.", ["via"]
)
INGEST_JOBS = counter("newsrag_ingest_jobs_total", "Ingest jobs by final state.", ["state"])
RATE_LIMITED = counter("newsrag_rate_limited_total", "Requests refused with 429.", ["scope"])
AUTH_FAILURES = counter("newsrag_auth_failures_total", "Refused credentials.", ["reason"])
ARTICLES = gauge(
    "newsrag_articles",
    "Articles in the store (updated by /healthz and ingest).",
    multiprocess_mode="livemax",
)

_STAGE = re.compile(r"^([a-z][a-z0-9_]{0,40})_ms$")


def observe_answer(answer: Answer, via: str) -> None:
    ANSWERS.labels(status=answer.status, backend=answer.backend, via=via).inc()
    for key, ms in answer.timings.items():
        m = _STAGE.match(key)
        if m and isinstance(ms, int | float):
            ANSWER_STAGE.labels(stage=m.group(1)).observe(ms / 1000)


def observe_ingest(report: IngestReport, via: str) -> None:
    for outcome, items in (
        ("added", report.added),
        ("unchanged", report.unchanged),
        ("replaced", report.replaced),
        ("rejected", report.rejected),
    ):
        if items:
            INGEST_ARTICLES.labels(outcome=outcome, via=via).inc(len(items))
    INGEST_CHUNKS.labels(via=via).inc(report.chunks_added)
    INGEST_SECONDS.labels(via=via).observe(report.seconds)
