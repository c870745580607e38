"""URL ingest: a real HTTP server on 127.0.0.1, and the SSRF guard on every hop.

Nothing here touches the internet: public-looking hosts are resolved by an injected resolver
and answered by an httpx mock transport.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from ingest.fetch import (
    FetchError,
    UrlRefused,
    address_problem,
    check_url_allowed,
    fetch_url,
)
from ingest.loaders import iter_articles, load_url
from rag.schema import Article, Rejection
from rag.settings import Settings

PAGE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Council approves budget</title></head><body>
<nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Council approves budget</h1>
<p>The city council approved a 40 million euro budget on Tuesday after a long debate.</p>
<p>Opposition members said the plan cut funding for libraries and public transport.</p>
</article><footer>Copyright Local News</footer></body></html>"""

FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Local News</title><link>http://news.test/</link>
<item><title>Budget vote</title><link>http://news.test/budget</link>
<pubDate>Tue, 03 Jun 2025 09:00:00 +0000</pubDate><description>Short teaser only.</description></item>
<item><title>No body</title><link>http://news.test/empty</link></item>
</channel></rss>"""


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, Callable[[Handler], None]] = {}
    seen: list[dict[str, str]] = []
    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        route = self.routes.get(self.path.split("?")[0])
        try:
            if route is None:
                self.reply(404, b"not here", "text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on a huge body, as it should

    def reply(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _endless(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()  # no Content-Length: the body runs until the connection closes
    for _ in range(200):
        h.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")


def _declared_huge(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "50000000")
    h.end_headers()


def _gzip_bomb(h: Handler) -> None:
    body = gzip.compress(b"<p>" + b"a" * 5_000_000 + b"</p>")
    h.reply(200, body, "text/html", Content_Encoding="gzip")


def _hang(h: Handler) -> None:
    h.release.wait(10)  # until the test is over; the client must give up first


Handler.routes = {
    "/article.html": lambda h: h.reply(200, PAGE, "text/html; charset=utf-8"),
    "/feed.xml": lambda h: h.reply(200, FEED, "application/rss+xml"),
    "/feed-as-html": lambda h: h.reply(200, FEED, "text/html"),
    "/notes": lambda h: h.reply(200, b"Notes title\nSome plain notes.", "text/plain"),
    "/records": lambda h: h.reply(
        200, b'[{"id": "j1", "title": "From JSON", "text": "Record body."}]', "application/json"
    ),
    "/report.pdf": lambda h: h.reply(200, b"%PDF-1.4 ...", "application/pdf"),
    "/redirect": lambda h: h.redirect("/article.html"),
    "/loop": lambda h: h.redirect("/loop", 307),
    "/huge": _endless,
    "/declared-huge": _declared_huge,
    "/bomb": _gzip_bomb,
    "/hang": _hang,
    "/error": lambda h: h.reply(503, b"down", "text/plain"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    Handler.release.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def open_settings() -> Settings:
    return Settings(allow_private_urls=True, max_url_bytes=200_000)


def fetch_all(url: str, settings: Settings, **kwargs: object) -> list[Article | Rejection]:
    return list(load_url(url, settings, **kwargs))  # type: ignore[arg-type]


def one(results: list[Article | Rejection]) -> Article | Rejection:
    assert len(results) == 1, results
    return results[0]


# --- loading from a real server -------------------------------------------------------------


def test_html_page(server: str, open_settings: Settings) -> None:
    a = one(fetch_all(f"{server}/article.html", open_settings))
    assert isinstance(a, Article), a
    assert a.title == "Council approves budget"
    assert "The city council approved a 40 million euro budget on Tuesday" in a.text
    assert "Copyright" not in a.text and "Sport" not in a.text
    assert a.url == f"{server}/article.html"
    assert a.source == "127.0.0.1"  # no site name in the page: the host
    assert a.origin == f"{server}/article.html"
    assert "newsrag/" in Handler.seen[-1]["user-agent"]


def test_redirect_gives_final_url(server: str, open_settings: Settings) -> None:
    a = one(fetch_all(f"{server}/redirect", open_settings))
    assert isinstance(a, Article), a
    assert a.url == f"{server}/article.html"
    assert a.origin == f"{server}/redirect"


def test_feed_entries_keep_their_summary(server: str, open_settings: Settings) -> None:
    # Full text from the entries' links is tests/test_feeds_fulltext.py's; here it is off.
    settings = open_settings.model_copy(update={"feed_full_text": False})
    for path in ("/feed.xml", "/feed-as-html"):
        first, second = fetch_all(server + path, settings)
        assert isinstance(first, Article), first
        assert (first.title, first.text, first.source) == (
            "Budget vote",
            "Short teaser only.",
            "Local News",
        )
        assert first.url == "http://news.test/budget"  # the entry's link, not fetched
        assert first.published == date(2025, 6, 3)
        assert first.origin == f"{server}{path}#1"
        assert second == Rejection(
            origin=f"{server}{path}#2", reason="entry has no content or summary"
        )
    assert not any(seen["path"] == "/budget" for seen in Handler.seen)


def test_text_and_json_bodies(server: str, open_settings: Settings) -> None:
    notes = one(fetch_all(f"{server}/notes", open_settings))
    assert isinstance(notes, Article)
    assert (notes.title, notes.text, notes.url) == (
        "Notes title",
        "Some plain notes.",
        f"{server}/notes",
    )
    record = one(fetch_all(f"{server}/records", open_settings))
    assert isinstance(record, Article)
    assert (record.id, record.title, record.url, record.source) == (
        "j1",
        "From JSON",
        None,
        "127.0.0.1",
    )


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing", "HTTP 404 Not Found from {server}/missing: check the URL"),
        (
            "/error",
            "HTTP 503 Service Unavailable from {server}/error: the site failed; try again later",
        ),
        ("/huge", "response is over the 200 KB limit (NEWSRAG_MAX_URL_BYTES)"),
        ("/declared-huge", "response is 50 MB, over the 200 KB limit (NEWSRAG_MAX_URL_BYTES)"),
        ("/bomb", "response is over the 200 KB limit (NEWSRAG_MAX_URL_BYTES)"),
        ("/loop", "too many redirects (more than 5) from {server}/loop"),
        ("/report.pdf", "unsupported content type application/pdf; newsrag reads HTML"),
    ],
)
def test_http_errors_are_rejections(server: str, open_settings: Settings, path: str, reason: str):
    result = one(fetch_all(server + path, open_settings))
    assert isinstance(result, Rejection)
    assert result.origin == server + path
    assert result.reason.startswith(reason.format(server=server))


def test_loop_stops_after_max_redirects(server: str, open_settings: Settings) -> None:
    before = len(Handler.seen)
    fetch_all(f"{server}/loop", open_settings)
    assert len(Handler.seen) - before == 6  # the first request and 5 redirects


def test_timeout(server: str) -> None:
    settings = Settings(allow_private_urls=True, url_timeout=0.2)
    result = one(fetch_all(f"{server}/hang", settings))
    assert isinstance(result, Rejection)
    assert result.reason.startswith("timed out after 0.2 s fetching")
    assert "NEWSRAG_URL_TIMEOUT" in result.reason


def test_connection_refused(open_settings: Settings) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = one(fetch_all(f"http://127.0.0.1:{port}/", open_settings))
    assert isinstance(result, Rejection)
    assert result.reason.startswith("cannot connect to 127.0.0.1")


def test_unresolvable_host(open_settings: Settings) -> None:
    def no_dns(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    result = one(fetch_all("http://no-such-host.test/", open_settings, resolve=no_dns))
    assert isinstance(result, Rejection)
    assert result.reason == (
        "cannot resolve no-such-host.test: Name or service not known; "
        "check the host name and the network"
    )


def test_connects_to_the_checked_address(server: str, open_settings: Settings) -> None:
    """No second DNS lookup: the request goes to the address the guard checked, with the
    original Host header, so a rebinding DNS server cannot swap in another address."""
    port = server.rsplit(":", 1)[1]
    lookups: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["127.0.0.1"]

    a = one(fetch_all(f"http://News.Test:{port}/article.html", open_settings, resolve=resolve))
    assert isinstance(a, Article), a
    assert lookups == ["news.test"]
    assert Handler.seen[-1]["host"] == f"news.test:{port}"
    assert (a.url, a.source) == (f"http://news.test:{port}/article.html", "news.test")


# --- the guard --------------------------------------------------------------------------------

REFUSED = [
    ("http://127.0.0.1/", "refused: 127.0.0.1 is a loopback address"),
    ("http://localhost:8000/", "refused: localhost resolves to"),
    ("http://2130706433/", "refused: 2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://10.0.0.1/", "refused: 10.0.0.1 is a private address"),
    ("http://192.168.1.1/", "refused: 192.168.1.1 is a private address"),
    (
        "http://169.254.169.254/latest/meta-data/",
        "refused: 169.254.169.254 is a link-local address",
    ),
    ("http://[::1]/", "refused: ::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "refused: ::ffff:127.0.0.1 is a loopback address"),
    ("http://[::ffff:10.0.0.1]/", "refused: ::ffff:10.0.0.1 is a private address"),
    ("http://[2002:7f00:1::]/", "refused: 2002:7f00:1:: is a loopback address"),  # 6to4
    ("http://[64:ff9b::a00:1]/", "refused: 64:ff9b::a00:1 is a private address"),  # NAT64
    ("http://[fe80::1]/", "refused: fe80::1 is a link-local address"),
    ("http://[fd00::1]/", "refused: fd00::1 is a private address"),
    ("http://0.0.0.0/", "refused: 0.0.0.0 is an unspecified address"),
    ("http://224.0.0.1/", "refused: 224.0.0.1 is a multicast address"),
    ("http://240.0.0.1/", "refused: 240.0.0.1 is a private address"),
    ("http://100.64.0.1/", "refused: 100.64.0.1 is a non-public address"),
    ("ftp://example.com/file", "refused: only http and https URLs can be fetched, not ftp"),
    ("file:///etc/passwd", "refused: only http and https URLs can be fetched, not file"),
    ("javascript:alert(1)", "refused: only http and https URLs can be fetched, not javascript"),
    ("http:///nohost", "refused: the URL has no host"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_guard_refuses_by_default(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused) as caught:
        check_url_allowed(url, Settings())
    assert caught.value.reason.startswith(reason)
    if "address" in reason:
        assert caught.value.reason.endswith("; set NEWSRAG_ALLOW_PRIVATE_URLS=true to allow it")


def test_local_server_refused_by_default(server: str) -> None:
    before = len(Handler.seen)
    results = list(iter_articles([f"{server}/article.html"], Settings()))
    assert results == [
        Rejection(
            origin=f"{server}/article.html",
            reason="refused: 127.0.0.1 is a loopback address; "
            "set NEWSRAG_ALLOW_PRIVATE_URLS=true to allow it",
        )
    ]
    assert len(Handler.seen) == before  # not a single request reached the server


def test_host_with_any_private_address_is_refused() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(UrlRefused, match="news.test resolves to 10.0.0.7, a private address"):
        check_url_allowed("https://news.test/a", Settings(), resolve=resolve)


def test_public_addresses_are_allowed() -> None:
    allowed = check_url_allowed(
        "https://news.test:8443/a?b=1", Settings(), resolve=lambda host, port: ["93.184.216.34"]
    )
    assert (allowed.host, allowed.addresses) == ("news.test", ("93.184.216.34",))
    assert check_url_allowed("http://[2606:4700::1111]/", Settings()).addresses == (
        "2606:4700::1111",
    )
    assert address_problem("8.8.8.8") is None


def test_private_allowed_when_configured() -> None:
    allowed = check_url_allowed("http://10.0.0.5/x", Settings(allow_private_urls=True))
    assert allowed.addresses == ("10.0.0.5",)
    with pytest.raises(UrlRefused):  # the scheme rule still holds
        check_url_allowed("file:///etc/passwd", Settings(allow_private_urls=True))


def _public_dns(mapping: dict[str, str]) -> Callable[[str, int], list[str]]:
    return lambda host, port: [mapping[host]]


def test_redirect_to_private_address_is_refused() -> None:
    """A public first hop that redirects inward: the second hop is checked and never sent."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(302, headers={"Location": "http://internal.test/admin"})

    resolve = _public_dns({"public.test": "93.184.216.34", "internal.test": "10.1.2.3"})
    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    with client, pytest.raises(UrlRefused) as caught:
        fetch_url("https://public.test/story", Settings(), resolve=resolve, client=client)
    assert caught.value.reason == (
        "redirect to http://internal.test/admin refused: internal.test resolves to 10.1.2.3, "
        "a private address; set NEWSRAG_ALLOW_PRIVATE_URLS=true to allow it"
    )
    assert len(sent) == 1
    # The first hop went to the checked address, with the real name for Host and TLS.
    assert sent[0].url.host == "93.184.216.34"
    assert sent[0].headers["host"] == "public.test"
    assert sent[0].extensions["sni_hostname"] == "public.test"


def test_public_fetch_through_mock_transport() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"Location": "/new#frag"})
        return httpx.Response(200, content=PAGE, headers={"Content-Type": "text/html"})

    resolve = _public_dns({"news.test": "93.184.216.34"})
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        fetched = fetch_url("http://news.test/old", Settings(), resolve=resolve, client=client)
    assert fetched.url == "http://news.test/new"
    assert fetched.content_type == "text/html"
    assert fetched.body == PAGE


def test_fetch_error_is_raised_not_returned() -> None:
    with pytest.raises(FetchError):
        fetch_url("gopher://x/", Settings())
