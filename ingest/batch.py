"""Batch semantics of one ingest run: the last record of an id wins; a bad record never stops
the batch.

* **One id twice.** A batch (a file, a folder, a feed, one ``POST /v1/articles``, one job) may
  hold several records with one id. The last one wins: each earlier version is listed under
  ``rejected`` with the reason ("superseded by a later record with the same id …"), is never
  written if it had not been yet, and the report counts the id once, as what the batch did to
  the store (``added`` if the store did not have it before the batch, else ``replaced``). The
  same version twice is simply ``unchanged`` the second time.
* **A record the store refuses.** If writing a group of articles fails, each is retried alone,
  and the ones that still fail are rejected with the error; the others are stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from rag.schema import Article, IngestReport, Rejection

log = logging.getLogger(__name__)

Pending = list[tuple[Article, str]]


@dataclass
class _Entry:
    article: Article
    status: str  # what the batch does to the store: added, replaced or unchanged


class Ledger:
    """The version of each id this run keeps, and what the report says about it."""

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        self._latest: dict[str, _Entry] = {}

    def decide(self, item: Article, status_of: Callable[[Article], str], pending: Pending) -> str:
        """The status to write ``item`` with ("unchanged": nothing to write). An earlier
        version of the same id is superseded: taken out of ``pending`` (in place) and out of
        the report, and listed as rejected."""
        prev = self._latest.get(item.id)
        if prev is None:
            status = status_of(item)
        elif prev.article.fingerprint == item.fingerprint:
            self.report.unchanged.append(item.id)
            return "unchanged"
        else:
            written = prev.status != "unchanged" and all(a is not prev.article for a, _ in pending)
            self._supersede(prev, item, pending)
            # Not written yet: the store still holds what it held before the batch.
            status = prev.status if written else status_of(item)
        self._latest[item.id] = _Entry(item, status)
        if status == "unchanged":
            self.report.unchanged.append(item.id)
        return status

    def _supersede(self, prev: _Entry, item: Article, pending: Pending) -> None:
        pending[:] = [(a, s) for a, s in pending if a is not prev.article]
        for listed in (self.report.added, self.report.replaced, self.report.unchanged):
            if item.id in listed:
                listed.remove(item.id)
                break
        where = item.origin or "later in the batch"
        self.report.rejected.append(
            Rejection(
                origin=prev.article.origin or item.id,
                reason=f"superseded by a later record with the same id {item.id!r} ({where}): "
                "within a batch the last version of an id wins",
            )
        )


def write_each_on_failure(
    write: Callable[[Pending], int], pending: Pending, report: IngestReport
) -> int:
    """``write(pending)``; if it fails, each article alone, rejecting those that still fail.
    Returns the number of chunks embedded."""
    mark = len(report.rejected)
    try:
        return write(pending)
    except Exception as exc:
        del report.rejected[mark:]  # what the failed attempt noted is noted again on retry
        if len(pending) == 1:
            article = pending[0][0]
            log.exception("storing article %s failed", article.id)
            report.rejected.append(
                Rejection(origin=article.origin or article.id, reason=_failure_reason(exc))
            )
            return 0
        log.warning("storing a group of %d articles failed; retrying one by one", len(pending))
    return sum(write_each_on_failure(write, [one], report) for one in pending)


def _failure_reason(exc: Exception) -> str:
    shown = f"{type(exc).__name__}: {exc}"[:300]
    return f"could not be stored ({shown}); the rest of the batch was"
