"""Articles over the API: the CLI's ingest pipeline and report, jobs for big batches and URLs
(stored as data in the job queue, run by whichever worker claims them), consistent reads while
ingest runs.

All writes (ingest, delete) go through one lock per process: the store is safe under
concurrent writers, but serialising them keeps "same article twice at once" out of the picture
and costs nothing (embedding already saturates the CPU).
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from typing import Any

from api import metrics
from api.components import Components
from api.errors import Invalid, NotFound
from api.state.jobs import JobManager, Progress
from ingest.fetch import FetchError, UrlRefused, check_url_allowed
from ingest.loaders.base import Hints, Rejected
from ingest.loaders.records import record_article
from rag.schema import Article, Chunk, IngestReport, Rejection
from rag.settings import Settings

log = logging.getLogger(__name__)


class ArticleService:
    def __init__(self, settings: Settings, components: Components, jobs: JobManager) -> None:
        self.settings = settings
        self.components = components
        self.jobs = jobs
        self.write_lock = threading.Lock()
        # Jobs are stored as data, so whichever worker claims one runs it with these.
        jobs.register("articles", self.run_items)
        jobs.register("urls", self.run_urls)

    # --- ingest ----------------------------------------------------------------------------
    def to_items(self, records: list[dict[str, Any]]) -> list[Article | Rejection]:
        """JSON records → articles, with the loaders' rules (ids, limits, dates); a bad record
        becomes a rejection in the report, as in ``newsrag ingest``."""
        items: list[Article | Rejection] = []
        for i, record in enumerate(records):
            origin = str(record.pop("origin", None) or f"request:articles[{i}]")
            try:
                items.append(record_article(self.settings, origin, record, Hints()))
            except Rejected as e:
                items.append(Rejection(origin=origin, reason=e.reason))
        return items

    def ingest_now(self, items: list[Article | Rejection]) -> IngestReport:
        with self.write_lock:
            report = self.components.ingestor.ingest_items(items)
        metrics.observe_ingest(report, "request")
        self._count_articles()
        return report

    def submit_items(self, items: list[Article | Rejection], owner: str | None) -> str:
        payload = [
            {"rejection" if isinstance(i, Rejection) else "article": i.model_dump(mode="json")}
            for i in items
        ]
        return self.jobs.submit("articles", payload, total=len(items), owner=owner)

    def run_items(self, payload: list[dict[str, Any]], progress: Progress) -> IngestReport:
        """An "articles" job, on whichever worker claimed it."""
        items: list[Article | Rejection] = [
            Rejection.model_validate(i["rejection"])
            if "rejection" in i
            else Article.model_validate(i["article"])
            for i in payload
        ]
        with self.write_lock:
            report = self.components.ingestor.ingest_items(items, progress)
        self._count_articles()
        return report

    def check_urls(self, urls: list[str]) -> list[str]:
        """Refuse, before queueing anything, URLs the SSRF guard refuses (private addresses…).

        A host that does not resolve now is not refused here: the job reports it."""
        clean: list[str] = []
        for url in urls:
            url = url.strip()
            try:
                check_url_allowed(url, self.settings)
            except UrlRefused as e:
                raise Invalid(f"{url}: {e.reason}") from None
            except FetchError:
                pass
            clean.append(url)
        return clean

    def submit_urls(self, urls: list[str], owner: str | None) -> str:
        return self.jobs.submit("urls", urls, total=None, owner=owner)

    def run_urls(self, urls: list[str], progress: Progress) -> IngestReport:
        # The loaders fetch each URL through the same guard, on every redirect hop.
        with self.write_lock:
            report = self.components.ingestor.ingest(urls, progress)
        self._count_articles()
        return report

    # --- reads -----------------------------------------------------------------------------
    def list(
        self,
        *,
        source: str | None,
        since: date | None,
        until: date | None,
        offset: int,
        limit: int,
    ) -> tuple[int, list[Article]]:
        return self.components.store.catalog.list_articles(
            source=source, since=since, until=until, offset=offset, limit=limit
        )

    def get(self, article_id: str) -> tuple[Article, list[Chunk]]:
        """The article and its chunks from one snapshot: a concurrent re-ingest can never pair
        the old text with the new chunks."""
        catalog = self.components.store.catalog
        with catalog.snapshot():
            article = catalog.get_article(article_id)
            chunks = catalog.chunks_of(article_id) if article else []
        if article is None:
            raise NotFound(f"no article with id {article_id!r}")
        return article, chunks

    # --- deletes ---------------------------------------------------------------------------
    def delete(self, article_id: str) -> None:
        with self.write_lock:
            deleted = self.components.store.delete_article(article_id)
        if not deleted:
            raise NotFound(f"no article with id {article_id!r}")
        self._count_articles()

    def delete_source(self, source: str) -> int:
        with self.write_lock:
            count = self.components.store.delete_source(source)
        self._count_articles()
        return count

    def _count_articles(self) -> None:
        """After every write: the article gauge, and the shared sync position."""
        self.components.notify_write()
        try:
            metrics.ARTICLES.set(self.components.store.catalog.stats()["articles"])
        except Exception:  # a gauge is not worth failing a request for
            log.debug("could not count articles", exc_info=True)
