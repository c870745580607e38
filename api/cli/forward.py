"""``newsrag ingest`` and ``newsrag delete`` through a running server (``--server``, or the one
announced in the data dir: ``api/cli/instance.py``).

The CLI loads and checks the articles itself, exactly as it would for a local ingest (files,
folders, feeds, URLs; bad records become rejections here), and sends them to the server's
``POST /v1/articles`` in requests within the server's body limit; the server chunks, embeds and
writes them, so its searches see them as soon as each request returns. Deletes are
``DELETE /v1/articles…``. The reports of the requests are merged into one.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import typer

from api.cli import discovery, instance
from api.cli.common import err
from rag.schema import Article, IngestReport, Rejection
from rag.settings import Settings

TIMEOUT = httpx.Timeout(900.0, connect=10.0)


class ServerError(RuntimeError):
    pass


class Remote:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=TIMEOUT)

    def close(self) -> None:
        self.client.close()

    def reachable(self) -> bool:
        try:
            return self.client.get("/healthz", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One call, waiting out rate limits (Retry-After); ServerError for anything but 2xx
        and 404."""
        for _ in range(100):
            try:
                response = self.client.request(method, path, **kw)
            except httpx.HTTPError as e:
                raise ServerError(f"{self.url} did not answer: {e}") from None
            if response.status_code == 429:
                time.sleep(float(response.headers.get("retry-after", "1")))
                continue
            if response.status_code >= 400 and response.status_code != 404:
                raise ServerError(f"{method} {path}: {response.status_code} {_message(response)}")
            return response
        raise ServerError(f"{method} {path}: still rate limited after 100 tries")

    # --- ingest ----------------------------------------------------------------------------
    def ingest(
        self,
        items: Iterable[Article | Rejection],
        settings: Settings,
        progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        seen = 0
        for group in _groups(items, settings, report):
            seen += len(group)
            report.merge(self._send(group))
            if progress:
                progress(seen, report.chunks_added)
        report.seconds = time.perf_counter() - started
        return report

    def _send(self, group: list[dict]) -> IngestReport:
        response = self.request("POST", "/v1/articles", json={"articles": group})
        if response.status_code == 202:
            return self._wait_for_job(response.json()["status_url"])
        return IngestReport.model_validate(response.json())

    def _wait_for_job(self, status_url: str) -> IngestReport:
        delay = 0.2
        while True:
            job = self.request("GET", status_url).json()
            if job.get("state") == "done":
                return IngestReport.model_validate(job.get("report") or {})
            if job.get("state") in ("failed", "cancelled"):
                raise ServerError(f"ingest job {job.get('id')} {job['state']}: {job.get('error')}")
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)

    # --- delete ----------------------------------------------------------------------------
    def delete_article(self, article_id: str) -> bool:
        response = self.request("DELETE", f"/v1/articles/{article_id}")
        return response.status_code != 404

    def delete_source(self, source: str) -> int:
        return int(
            self.request("DELETE", "/v1/articles", params={"source": source}).json()["deleted"]
        )


def _record(article: Article) -> dict:
    record = article.model_dump(
        include={"id", "title", "text", "url", "source", "authors", "origin"}, exclude_none=True
    )
    if article.published:
        record["published"] = article.published.isoformat()
    return record


def _groups(
    items: Iterable[Article | Rejection], settings: Settings, report: IngestReport
) -> Iterator[list[dict]]:
    """Records in groups the server ingests inline (at most its sync limit) and whose JSON
    stays well inside its body limit; rejections go straight into ``report``."""
    most = max(1, settings.sync_ingest_max_articles)
    budget = int(settings.max_body_bytes * 0.8)
    group: list[dict] = []
    size = 0
    for item in items:
        if isinstance(item, Rejection):
            report.rejected.append(item)
            continue
        record = _record(item)
        length = len(json.dumps(record).encode()) + 2
        if length > budget:
            report.rejected.append(
                Rejection(
                    origin=item.origin or item.id,
                    reason=f"too large to send to the server ({length:,} bytes of JSON; "
                    "its NEWSRAG_MAX_BODY_BYTES is the limit)",
                )
            )
            continue
        if group and (len(group) >= most or size + length > budget):
            yield group
            group, size = [], 0
        group.append(record)
        size += length
    if group:
        yield group


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message"))
    except ValueError:
        return response.text[:300]


SERVER_HELP = (
    "Send the work to this newsrag server (NEWSRAG_API_KEY: its admin key). Default: the "
    "server running on this data dir, if one is."
)


def target(settings: Settings, server: str | None) -> Remote | None:
    """The server a write command must go through, or None to write the store here.

    An embedded store served by a running ``newsrag serve`` is written through that server:
    written here, its searches would never see the new vectors. With a Chroma server every
    process sees every write, so the command writes itself (the server's sync catches up)."""
    running = instance.running_server(settings.data_dir) if not settings.chroma_url else None
    if server:
        token = os.environ.get("NEWSRAG_API_KEY") or (running.token if running else None)
        remote = Remote(server, token)
    elif running is None:
        return None
    else:
        url = discovery.running_server(settings.data_dir)
        if url is None:
            err.print(
                f"[red]newsrag serve (pid {running.pid}) holds {settings.data_dir} but does not "
                "answer yet.[/] Nothing was written: wait until it has started, or stop it, "
                "or pass --server URL.",
                highlight=False,
            )
            raise typer.Exit(2)
        remote = Remote(url, running.token)
    if not remote.reachable():
        err.print(f"[red]the server at {remote.url} does not answer;[/] nothing was written")
        raise typer.Exit(2)
    return remote


@contextlib.contextmanager
def local_write(settings: Settings) -> Iterator[None]:
    """Hold the data dir against a server starting half-way through this write."""
    if settings.chroma_url:
        yield
        return
    try:
        hold = instance.LocalWrite(settings.data_dir)
    except instance.AlreadyServed as e:  # a server started since ``target`` looked
        err.print(f"[red]{e}[/]; nothing was written: run the command again", highlight=False)
        raise typer.Exit(2) from None
    try:
        yield
    finally:
        hold.close()


def failed(e: ServerError) -> typer.Exit:
    err.print(f"[red]{e}[/]", highlight=False)
    return typer.Exit(1)
