"""Feeds with full text, and keeping feeds current, against a real HTTP server on 127.0.0.1.

The server serves a feed whose items carry teasers and the article pages they link to. The
SSRF guard refuses 127.0.0.1 by default; these tests allow private addresses explicitly
(``allow_private_urls=True``), except the one that checks the guard still applies to item links.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from ingest.feedsync import FeedState, feed_state_path, sync_feeds
from ingest.fulltext import with_full_text
from ingest.loaders import iter_articles
from rag.schema import Article
from rag.settings import Settings

BODY = (
    "The Vellmoor harbour authority approved a new ferry terminal on Tuesday after two years of "
    "planning. The terminal will cost 48 million euros and open in 2027, officials said. "
)
LONG = "The lake regatta drew 3,000 sailors to Vellmoor on Sunday. " * 40  # > 2000 characters


def page(title: str, body: str, published: str = "2025-06-03") -> bytes:
    paragraphs = "".join(f"<p>{body} Paragraph {i}.</p>" for i in range(4))
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title>"
        f'<meta property="article:published_time" content="{published}"></head><body>'
        f"<nav><a href=/>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright Lake Courier</footer></body></html>"
    ).encode()


class Site(BaseHTTPRequestHandler):
    feed_items: list[str] = []
    etag = '"v1"'
    hits: list[tuple[str, str]] = []  # (path, user agent)
    active = 0
    peak = 0
    lock = threading.Lock()
    delay = 0.0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        cls = type(self)
        with cls.lock:
            cls.hits.append((self.path, self.headers.get("User-Agent", "")))
            cls.active += 1
            cls.peak = max(cls.peak, cls.active)
        try:
            self.route()
        finally:
            with cls.lock:
                cls.active -= 1

    def route(self) -> None:
        cls = type(self)
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == cls.etag:
                self.send_response(304)
                self.send_header("ETag", cls.etag)
                self.end_headers()
                return
            body = (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Lake Courier</title>'
                + "".join(cls.feed_items)
                + "</channel></rss>"
            ).encode()
            self.reply(
                200,
                body,
                "application/rss+xml",
                ETag=cls.etag,
                **{"Last-Modified": "Tue, 03 Jun 2025 10:00:00 GMT"},
            )
        elif self.path.startswith("/story/"):
            time.sleep(cls.delay)
            n = self.path.rsplit("/", 1)[-1]
            self.reply(200, page(f"Story {n}", BODY), "text/html; charset=utf-8")
        elif self.path == "/pdf":
            self.reply(200, b"%PDF-1.4", "application/pdf")
        else:
            self.reply(404, b"not here", "text/plain")

    def reply(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def item(base: str, guid: str, link: str, description: str, date: str | None = None) -> str:
    when = f"<pubDate>{date}</pubDate>" if date else ""
    return (
        f"<item><title>Item {guid}</title><guid>{guid}</guid><link>{base}{link}</link>{when}"
        f"<description>{description}</description></item>"
    )


@pytest.fixture
def site() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Site.hits, Site.peak, Site.active, Site.delay, Site.etag = [], 0, 0, 0.0, '"v1"'
    date = "Tue, 03 Jun 2025 09:00:00 +0000"
    Site.feed_items = [
        item(base, "g1", "/story/1", "Ferry terminal approved.", date),  # teaser: fetched
        item(base, "g2", "/gone", "A teaser whose page is gone.", date),  # 404: teaser kept
        item(base, "g3", "/story/3", LONG, date),  # long enough: not fetched
        item(base, "g4", "/pdf", "A teaser linking to a PDF.", date),
        item(base, "g5", "/story/5", "Undated in the feed, dated on its page."),
    ]
    yield base
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def open_settings(**extra) -> Settings:
    return Settings(allow_private_urls=True, **extra)


def paths() -> list[str]:
    return [p for p, _ in Site.hits]


def test_feed_items_get_the_full_text_of_their_pages(site):
    results = list(iter_articles([f"{site}/feed.xml"], open_settings()))
    by_guid = {r.title.removeprefix("Item "): r for r in results}
    assert all(isinstance(r, Article) for r in results), results
    full = by_guid["g1"]
    assert BODY.strip() in full.text and "Paragraph 3." in full.text
    assert "Ferry terminal approved." not in full.text
    assert (full.title, full.source, full.url) == ("Item g1", "Lake Courier", f"{site}/story/1")
    assert full.notes == []
    # The page could not be had: the teaser is stored, and the summary will say why.
    gone = by_guid["g2"]
    assert gone.text == "A teaser whose page is gone."
    assert gone.notes[0].startswith(f"full text not fetched from {site}/gone (HTTP 404")
    assert "stored the feed's 28-character text instead" in gone.notes[0]
    assert "not an HTML page" in by_guid["g4"].notes[0]
    assert by_guid["g3"].text.startswith("The lake regatta") and by_guid["g3"].notes == []
    # The page's date fills in for a feed entry without one (and the undated warning goes).
    assert str(by_guid["g5"].published) == "2025-06-03" and by_guid["g5"].notes == []
    fetched = paths()
    assert "/story/3" not in fetched and {"/story/1", "/gone", "/pdf", "/story/5"} <= set(fetched)
    agents = {agent for _, agent in Site.hits}
    assert len(agents) == 1 and "newsrag/" in agents.pop()  # a polite, named User-Agent


def test_a_feed_file_fetches_nothing_and_the_setting_turns_fetching_off(site, tmp_path):
    import httpx

    feed = tmp_path / "feed.xml"
    feed.write_bytes(httpx.get(f"{site}/feed.xml").content)
    Site.hits.clear()
    texts = [a.text for a in iter_articles([str(feed)], open_settings())]
    assert "Ferry terminal approved." in texts and paths() == []
    results = list(iter_articles([f"{site}/feed.xml"], open_settings(feed_full_text=False)))
    assert paths() == ["/feed.xml"] and results[0].text == "Ferry terminal approved."


def test_item_links_pass_the_ssrf_guard(site):
    teaser = Article(id="x", title="T", text="Teaser.", url=f"{site}/story/1")
    (kept,) = with_full_text([teaser], Settings())  # private addresses not allowed
    assert kept.text == "Teaser." and paths() == []
    assert "refused: 127.0.0.1 is a loopback address" in kept.notes[0]


def test_at_most_the_configured_number_of_pages_at_once(site):
    Site.delay = 0.3
    links = [item(site, f"c{i}", f"/story/{i}", "Short.") for i in range(8)]
    Site.feed_items = links
    results = list(iter_articles([f"{site}/feed.xml"], open_settings(feed_fetch_concurrency=2)))
    assert len(results) == 8 and all("Paragraph 3." in r.text for r in results)
    assert 1 <= Site.peak <= 2  # the feed fetch itself is over before the pages start


def test_sync_skips_unchanged_feeds_and_known_items(site, components, tmp_path):
    from tests.conftest import make_components

    c = make_components(tmp_path / "data", components.embeddings, allow_private_urls=True)
    feed = f"{site}/feed.xml"
    (first,) = sync_feeds([feed], c.settings, c.ingestor)
    assert first.error is None and not first.not_modified
    assert (first.entries, first.skipped, len(first.report.added)) == (5, 0, 5)
    assert any("full text not fetched" in w.warning for w in first.report.warnings)
    state = FeedState(feed_state_path(c.settings))
    assert state.validators(feed) == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Tue, 03 Jun 2025 10:00:00 GMT",
    }

    # Unchanged (the server answers 304 to the ETag): nothing else is fetched or ingested.
    Site.hits.clear()
    (second,) = sync_feeds([feed], c.settings, c.ingestor)
    assert second.not_modified and paths() == ["/feed.xml"]
    assert second.report.added == []

    # A new entry: only its page is fetched; the known GUIDs are skipped before any fetch.
    Site.hits.clear()
    Site.etag = '"v2"'
    Site.feed_items.append(item(site, "g6", "/story/6", "A sixth teaser."))
    (third,) = sync_feeds([feed], c.settings, c.ingestor)
    assert (third.entries, third.skipped, len(third.report.added)) == (6, 5, 1)
    assert paths() == ["/feed.xml", "/story/6"]
    assert BODY.strip() in c.store.catalog.get_article(third.report.added[0]).text


def test_sync_feeds_command(site, tmp_path, monkeypatch):
    from api.cli import app as cli

    monkeypatch.setenv("NEWSRAG_ALLOW_PRIVATE_URLS", "true")
    data = str(tmp_path / "data")
    runner = CliRunner()
    out = runner.invoke(cli, ["sync-feeds", f"{site}/feed.xml", "--data-dir", data])
    assert out.exit_code == 0, out.output
    flat = " ".join(out.output.split())
    assert "5 entries, 0 already ingested; added 5" in flat
    assert "warning" in flat and "full text not fetched" in flat
    again = runner.invoke(cli, ["sync-feeds", f"{site}/feed.xml", "--data-dir", data])
    assert "not modified" in again.output
    bad = runner.invoke(cli, ["sync-feeds", f"{site}/nothing.xml", "--data-dir", data])
    assert bad.exit_code == 1 and "HTTP 404" in " ".join(bad.output.split())
