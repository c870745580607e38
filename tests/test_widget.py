"""The chat widget in real headless Chromium, against the real app on 127.0.0.1.

Two kinds of tests:

* end to end: uvicorn serves ``api.server.app:create_app`` over a copy of the sample store; the widget
  is loaded from the app (same origin, or from pages on other origins served by a tiny second
  HTTP server) and asks real questions;
* error paths the real server cannot be made to produce on demand (a stream ``error`` event, a
  stalled stream, 401/429): the widget talks to responses fulfilled by Playwright's router.

Set ``NEWSRAG_SCREENSHOTS=1`` to (re)write ``docs/screenshots/widget-{desktop,mobile}.png``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_components

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed: apt-get install -y chromium chromium-driver "
        "(.ci/run does it); never `playwright install`",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (dev extra) is missing")
expect = sync_api.expect

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WIDGET_JS = ROOT / "api" / "server" / "static" / "widget.js"
SHOTS = ROOT / "docs" / "screenshots"
SLOW = 120_000  # ms: answers on 2 busy cores can take a while; expect() polls, never sleeps
DIOURA = "How many soldiers died at Dioura?"
XSS_ARTICLE = {
    "id": "xss-test-article",
    "title": "Zorblat festival <img src=x onerror=\"window.__pwned='title'\"> draws record crowd",
    "url": "javascript:window.__pwned='url'",
    "published": "2025-05-20",
    "source": "Evil <b>Feed</b>",
    "text": (
        "The Zorblat lantern festival drew 5,000 visitors <img src=x "
        "onerror=\"window.__pwned='img';alert(1)\"> to the old harbour on Saturday, organisers "
        "said. <script>window.__pwned='script'</script> Stalls sold grilled fish until "
        'midnight.\n\nThe organisers said the festival <iframe src="javascript:alert(2)">'
        "</iframe> will return next year."
    ),
}


# --- servers -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app in a thread (the real HTTP stack, streaming included)."""

    def __init__(self, app, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 180
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn exited during startup (see the log above)")
            if time.monotonic() > deadline:
                raise TimeoutError("uvicorn did not start within 180 s")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


class StaticSite:
    """A second origin: a tiny HTTP server with fixed pages."""

    def __init__(self, pages: dict[str, str]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                body = pages.get(self.path.split("?", 1)[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def make_app(data_dir: Path, shared_embeddings, **settings):
    """The real app over ``data_dir``, sharing the session's loaded embedding model."""
    from api.server.app import create_app

    components = make_components(data_dir, shared_embeddings, **settings)
    return create_app(components.settings, components=components)


def copy_store(sample_data_dir: Path, dest: Path) -> Path:
    shutil.copytree(sample_data_dir, dest)
    return dest


def widget_page(script_src: str, **data: str) -> str:
    """A minimal host page with a few focusable things and the widget's script tag."""
    attrs = " ".join(f'data-{k}="{escape(v)}"' for k, v in data.items())
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        "<title>Host page</title></head><body><h1>Host page</h1>"
        '<p><a href="#one">one</a> <a href="#two">two</a></p>'
        f'<script src="{escape(script_src)}" {attrs} defer></script></body></html>'
    )


@pytest.fixture(scope="module")
def local_server(tmp_path_factory, sample_data_dir, shared_embeddings) -> Iterator[LiveServer]:
    """Local-only mode (no keys): the samples plus an article full of markup."""
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("widget-local") / "data")
    record = tmp_path_factory.mktemp("widget-xss") / "xss.json"
    record.write_text(json.dumps(XSS_ARTICLE), encoding="utf-8")
    c = make_components(data, shared_embeddings)
    report = c.ingestor.ingest([str(record)])
    assert report.added == ["xss-test-article"], report
    c.store.catalog.close()
    server = LiveServer(make_app(data, shared_embeddings)).start()
    yield server
    server.stop()


# --- browser ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, timeout=120_000)
        yield b
        b.close()


@pytest.fixture
def new_page(browser) -> Iterator[Callable]:
    """Pages in fresh contexts; page errors and dialogs are recorded on the page object."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(**context_options)
        contexts.append(context)
        # Nothing may leave the machine: fake the sample articles' external links.
        context.route(
            re.compile(r"^https://example\.org/.*"),
            lambda route: route.fulfill(
                status=200, content_type="text/html", body="<title>article</title>ok"
            ),
        )
        page = context.new_page()
        page.set_default_timeout(SLOW)
        page.errors, page.dialogs = [], []
        page.on("pageerror", lambda e: page.errors.append(str(e)))

        def on_dialog(d):
            page.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)
        return page

    yield make
    for context in contexts:
        context.close()


# --- helpers --------------------------------------------------------------------------------------
W = "newsrag-chat"  # the widget's host element; CSS locators pierce its open shadow root


def open_and_ask(page, question: str) -> None:
    bubble = page.locator(f"{W} .bubble")
    expect(bubble).to_be_visible()
    if bubble.get_attribute("aria-expanded") != "true":
        bubble.click()
    box = page.get_by_role("textbox", name="Your question")
    expect(box).to_be_focused()
    box.fill(question)
    box.press("Enter")


def answers(page):
    return page.locator(f"{W} .msg.bot:not(.greeting)")


def last_answer(page):
    return answers(page).last


def wait_answer(page, count: int = 1):
    """The ``count``-th answer is complete (no longer pending) and returned."""
    expect(page.locator(f"{W} .msg.bot:not(.greeting):not(.pending)")).to_have_count(
        count, timeout=SLOW
    )
    return answers(page).nth(count - 1)


def stored_state(page) -> dict:
    return page.evaluate(
        """() => {
          for (let i = 0; i < sessionStorage.length; i++) {
            const k = sessionStorage.key(i);
            if (k.startsWith('newsrag-widget:')) return JSON.parse(sessionStorage.getItem(k));
          }
          return null;
        }"""
    )


def shadow_eval(page, body: str):
    """Evaluate ``body`` with ``root`` bound to the widget's shadow root."""
    return page.evaluate(
        f"() => {{ const root = document.querySelector('{W}').shadowRoot; {body} }}"
    )


def active_class(page) -> str:
    return shadow_eval(page, "const a = root.activeElement; return a ? a.className : '';")


RECORD_STATUS = """
(() => {
  window.__nrStatus = [];
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    new MutationObserver(() => {
      for (const s of root.querySelectorAll('.status-text')) {
        const t = s.textContent;
        if (window.__nrStatus[window.__nrStatus.length - 1] !== t) window.__nrStatus.push(t);
      }
    }).observe(root, { subtree: true, childList: true, characterData: true });
    return root;
  };
})();
"""


# --- end to end -----------------------------------------------------------------------------------
def test_dioura_answer_streams_with_citation_popover_and_sources(local_server, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(RECORD_STATUS)
    page.goto(local_server.url + "/")
    expect(page.locator(".masthead h1")).to_have_text("The Harbour Gazette")  # the demo page
    open_and_ask(page, DIOURA)

    answer = wait_answer(page)
    expect(answer.locator(".answer-text")).to_contain_text("40")
    seen = page.evaluate("window.__nrStatus")
    assert any(s.startswith("Searching the articles") for s in seen), seen
    assert any(re.match(r"Reading \d+ passages?", s) for s in seen), seen

    state = stored_state(page)
    cited = state["turns"][-1]["answer"]["citations"][0]
    assert "Dioura" in cited["passage"] and cited["url"].startswith("https://example.org/")

    # Focus on the marker shows the passage, the supporting sentence highlighted.
    marker = answer.locator(".answer-text .cite").first
    expect(marker).to_have_text("1")
    marker.focus()
    popover = page.locator(f"{W} .popover")
    expect(popover).to_be_visible()
    expect(popover.locator(".pop-passage")).to_contain_text("Dioura")
    expect(popover.locator("mark")).to_have_text(cited["quote"])
    expect(popover.locator(".pop-title")).to_have_text(cited["title"])
    expect(popover.locator(".pop-meta")).to_contain_text(cited["source"])
    expect(popover.locator(".pop-meta")).to_contain_text(cited["published"][:4])
    assert marker.get_attribute("aria-describedby")

    # The sources list links to the article, in a new tab, without opener or referrer.
    link = answer.locator(".sources-list a").first
    expect(link).to_have_attribute("href", cited["url"])
    expect(link).to_have_attribute("target", "_blank")
    rel = link.get_attribute("rel").split()
    assert "noopener" in rel and "noreferrer" in rel
    expect(link).to_contain_text(cited["title"])

    # Clicking the marker opens the source in a new tab, with no handle back to this page.
    with page.context.expect_page() as popup_info:
        marker.click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert popup.url == cited["url"]
    assert popup.evaluate("window.opener") is None
    assert page.errors == [] and page.dialogs == []


def test_article_markup_and_question_markup_are_shown_as_text(local_server, new_page):
    page = new_page()
    page.goto(local_server.url + "/")
    # A question carrying markup, answered not_found: said plainly, no sources list.
    open_and_ask(
        page,
        "Who won the chess olympiad in Reykjavik? <img src=x onerror=\"window.__pwned='q'\"><b>b</b>",
    )
    first = wait_answer(page)
    expect(page.locator(f"{W} .msg.user").last).to_contain_text("<img src=x onerror=")
    expect(first).to_have_class(re.compile(r"\bnot-found\b"))
    expect(first).to_contain_text("do not answer")
    expect(first.locator(".sources")).to_have_count(0)
    expect(first.locator(".cite")).to_have_count(0)

    # An answer quoting an article whose text, title and source contain HTML and scripts.
    page.get_by_role("textbox", name="Your question").fill(
        "How many visitors came to the Zorblat festival?"
    )
    page.keyboard.press("Enter")
    answer = wait_answer(page, 2)
    expect(answer.locator(".answer-text")).to_contain_text("5,000 visitors <img src=x onerror=")
    marker = answer.locator(".answer-text .cite").first
    marker.focus()
    popover = page.locator(f"{W} .popover")
    expect(popover.locator(".pop-passage")).to_contain_text(
        "<script>window.__pwned='script'</script>"
    )
    expect(popover.locator(".pop-title")).to_have_text(XSS_ARTICLE["title"])
    expect(popover.locator(".pop-meta")).to_contain_text("Evil <b>Feed</b>")
    # javascript: URLs never become links: not the marker, not the popover, not the sources.
    assert marker.evaluate("el => el.tagName") == "BUTTON"
    expect(popover.locator(".pop-link")).to_be_hidden()
    expect(answer.locator(".sources-list a")).to_have_count(0)
    expect(answer.locator(".sources-list .no-link")).to_have_text(XSS_ARTICLE["title"])
    marker.click()  # a button: shows the passage, navigates nowhere

    injected = shadow_eval(
        page,
        "return root.querySelectorAll('img, script, iframe, object, embed, b, [onerror]').length;",
    )
    assert injected == 0
    assert page.locator("body img, body iframe").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == [] and page.errors == []


def test_keyboard_only(local_server, new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(local_server.url + "/")
    bubble = page.locator(f"{W} .bubble")
    expect(bubble).to_be_visible()
    for _ in range(60):  # Tab through the demo page until the bubble has focus
        page.keyboard.press("Tab")
        if "bubble" in active_class(page):
            break
    else:
        pytest.fail("Tab never reached the chat bubble")
    outline = bubble.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "the focused bubble shows no focus ring"

    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Ask the Gazette archive")
    expect(panel).to_be_visible()
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    page.keyboard.type(DIOURA)
    page.keyboard.press("Enter")
    answer = wait_answer(page)
    expect(answer).to_contain_text("40")

    # Back from the composer through the sources list to the citation marker.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if re.search(r"\bcite\b", active_class(page)):
            break
    else:
        pytest.fail("Shift+Tab never reached a citation marker")
    popover = page.locator(f"{W} .popover")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("Dioura")

    page.keyboard.press("Escape")  # first the popover …
    expect(popover).to_be_hidden()
    assert re.search(r"\bcite\b", active_class(page))
    expect(panel).to_be_visible()
    page.keyboard.press("Escape")  # … then the panel, and focus goes back to the bubble
    expect(panel).to_be_hidden()
    assert "bubble" in active_class(page)
    expect(bubble).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Space")  # Space opens it as well
    expect(panel).to_be_visible()
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    assert page.errors == []


def test_conversation_survives_a_reload(local_server, new_page):
    page = new_page()
    page.goto(local_server.url + "/")
    open_and_ask(page, DIOURA)
    wait_answer(page)
    conversation_id = stored_state(page)["conversationId"]
    assert conversation_id

    page.reload()
    # The transcript is back, panel still open, citations still work.
    answer = wait_answer(page)
    expect(page.locator(f"{W} .msg.user")).to_have_text([re.compile("Dioura")])
    expect(answer.locator(".answer-text")).to_contain_text("40")
    assert answer.locator(".sources-list a").count() >= 1
    answer.locator(".cite").first.focus()
    expect(page.locator(f"{W} .popover")).to_contain_text("Dioura")

    # A follow-up carries the conversation id.
    with page.expect_request(lambda r: r.url.endswith("/v1/ask/stream")) as req:
        page.get_by_role("textbox", name="Your question").fill("and at Timbuktu?")
        page.keyboard.press("Enter")
    assert req.value.post_data_json == {
        "question": "and at Timbuktu?",
        "conversation_id": conversation_id,
    }
    follow_up = wait_answer(page, 2)
    expect(follow_up.locator(".answer-text")).not_to_be_empty()
    assert stored_state(page)["conversationId"] == conversation_id


def test_api_down_shows_an_error_and_retry_works(
    sample_data_dir, shared_embeddings, tmp_path, new_page
):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = new_page()
    # The page and the script come from the router; the API itself is not running yet.
    page.route(
        f"{base}/host.html",
        lambda r: r.fulfill(content_type="text/html", body=widget_page("/widget.js")),
    )
    page.route(
        f"{base}/widget.js",
        lambda r: r.fulfill(content_type="text/javascript", path=str(WIDGET_JS)),
    )
    page.goto(f"{base}/host.html")
    open_and_ask(page, DIOURA)
    error = page.locator(f"{W} .error-box")
    expect(error).to_contain_text("Can’t reach the news assistant")
    expect(page.locator(f"{W} .spinner")).to_have_count(0)
    retry = error.get_by_role("button", name="Retry")
    expect(retry).to_be_enabled()

    server = LiveServer(
        make_app(copy_store(sample_data_dir, tmp_path / "data"), shared_embeddings), port
    ).start()
    try:
        retry.click()
        answer = wait_answer(page)
        expect(answer.locator(".answer-text")).to_contain_text("40")
        expect(page.locator(f"{W} .error-box")).to_have_count(0)
        expect(page.locator(f"{W} .msg.user")).to_have_count(1)  # retried, not asked twice
    finally:
        server.stop()


# --- another origin: the widget key's allowlist -------------------------------------------------
@pytest.fixture(scope="module")
def keyed_sites(tmp_path_factory, sample_data_dir, shared_embeddings):
    """A server with a widget key for site A only; sites A and B embed the widget."""
    from typer.testing import CliRunner

    from api.cli import app as cli

    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("widget-keyed") / "data")
    pages: dict[str, str] = {}
    allowed, refused = StaticSite(pages), StaticSite(pages)
    created = CliRunner().invoke(
        cli,
        ["keys", "create", "--scope", "widget", "--origin", allowed.origin]
        + ["--name", "site A", "--data-dir", str(data), "--json"],
    )
    assert created.exit_code == 0, created.output
    secret = json.loads(created.stdout)["key"]
    server = LiveServer(make_app(data, shared_embeddings)).start()
    pages["/article.html"] = widget_page(f"{server.url}/widget.js", key=secret)
    yield server, allowed, refused
    server.stop()
    allowed.close()
    refused.close()


def test_widget_works_from_an_allowed_origin(keyed_sites, new_page):
    server, allowed, _ = keyed_sites
    page = new_page()
    page.goto(allowed.origin + "/article.html")
    with page.expect_request(lambda r: r.url == server.url + "/v1/ask/stream") as req:
        open_and_ask(page, DIOURA)
    assert req.value.headers.get("x-api-key", "").startswith("nrk_")
    assert req.value.headers.get("origin") == allowed.origin
    answer = wait_answer(page)
    expect(answer.locator(".answer-text")).to_contain_text("40")
    expect(answer.locator(".sources-list a").first).to_have_attribute(
        "href", re.compile(r"^https://example\.org/")
    )
    assert page.errors == []


def test_widget_is_refused_on_an_origin_not_in_the_allowlist(keyed_sites, new_page):
    _, _, refused = keyed_sites
    page = new_page()
    page.goto(refused.origin + "/article.html")
    open_and_ask(page, DIOURA)
    error = page.locator(f"{W} .error-box")
    expect(error).to_contain_text("not allowed")
    expect(error.get_by_role("button", name="Retry")).to_be_visible()
    expect(page.locator(f"{W} .spinner")).to_have_count(0)
    expect(page.locator(f"{W} .answer-text")).not_to_contain_text("40")
    expect(page.locator(f"{W} .send")).to_be_enabled()  # not stuck busy


# --- error paths and rendering details, against fulfilled responses -----------------------------
FAKE = "http://127.0.0.1:9"  # nothing listens there; every request below is routed


def sse(*events: tuple[str, object], crlf: bool = False) -> str:
    text = "".join(f"event: {e}\ndata: {json.dumps(d)}\n\n" for e, d in events)
    return text.replace("\n", "\r\n") if crlf else text


PASSAGE = (
    "🎉 Fans sang for an hour. Northgate Rovers beat Eastbrook Athletic 3-2 after extra time. "
    "The mayor 🏆 joined them."
)
QUOTE = "Northgate Rovers beat Eastbrook Athletic 3-2 after extra time."
FAKE_CITATIONS = [
    {
        "marker": 1,
        "article_id": "a1",
        "chunk_id": "c1",
        "title": "Rovers lift the cup",
        "url": "https://example.org/rovers",
        "published": "2025-05-25",
        "source": "Riverside Courier",
        "passage": PASSAGE,
        "quote": QUOTE,
        # Python offsets count code points: the emoji before the quote is one, not two.
        "start": 1000 + PASSAGE.index(QUOTE),
        "end": 1000 + PASSAGE.index(QUOTE) + len(QUOTE),
        "passage_start": 1000,
        "passage_end": 1000 + len(PASSAGE),
    },
    {
        "marker": 2,
        "article_id": "a2",
        "chunk_id": "c2",
        "title": "Cup final report",
        "url": None,
        "published": None,
        "source": "Wire",
        "passage": "Rovers won the final 3-2.",
        "quote": "Rovers won the final 3-2.",
        "start": 0,
        "end": 25,
        "passage_start": 0,
        "passage_end": 25,
    },
]
FAKE_ANSWER = "Northgate Rovers beat Eastbrook Athletic 3-2 after extra time [1][2]."


def good_stream(crlf: bool = False) -> str:
    return sse(
        (
            "status",
            {"stage": "retrieving", "conversation_id": "conv-1", "standalone_question": "q"},
        ),
        ("status", {"stage": "answering", "passages": 2}),
        ("sentence", {"text": FAKE_ANSWER}),
        ("citations", FAKE_CITATIONS),
        (
            "done",
            {
                "question": "Who won?",
                "answer": FAKE_ANSWER,
                "short_answer": "Northgate Rovers",
                "status": "answered",
                "citations": FAKE_CITATIONS,
                "conversation_id": "conv-1",
                "as_of": None,
                "timings": {},
                "notes": [],
            },
        ),
        crlf=crlf,
    )


@pytest.fixture
def fake_api(new_page):
    """A page on FAKE whose /v1/ask/stream answers with whatever the test queues."""

    def make(responses: list[Callable], viewport=None, **data: str):
        page = new_page(viewport=viewport or {"width": 1280, "height": 800})
        page.route(
            f"{FAKE}/host.html",
            lambda r: r.fulfill(content_type="text/html", body=widget_page("/widget.js", **data)),
        )
        page.route(
            f"{FAKE}/widget.js",
            lambda r: r.fulfill(content_type="text/javascript", path=str(WIDGET_JS)),
        )
        page.requests = []

        def handle(route):
            page.requests.append(route.request.post_data_json)
            responses.pop(0)(route) if len(responses) > 1 else responses[0](route)

        page.route(f"{FAKE}/v1/ask/stream", handle)
        page.goto(f"{FAKE}/host.html")
        return page

    return make


def stream(body: str) -> Callable:
    return lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"}, body=body
    )


def test_markers_sources_and_quote_offsets_in_code_points(fake_api):
    page = fake_api([stream(good_stream(crlf=True))])
    open_and_ask(page, "Who won the cup?")
    answer = wait_answer(page)
    markers = answer.locator(".answer-text .cite")
    expect(markers).to_have_count(2)
    # Marker 1 has an http(s) URL: a link to the article; marker 2 has none: a button.
    expect(markers.nth(0)).to_have_attribute("href", "https://example.org/rovers")
    assert markers.nth(1).evaluate("el => el.tagName") == "BUTTON"
    markers.nth(0).hover()
    popover = page.locator(f"{W} .popover")
    expect(popover.locator("mark")).to_have_text(QUOTE)
    expect(popover.locator(".pop-meta")).to_have_text(
        re.compile(r"Riverside Courier · May 25, 2025")
    )
    markers.nth(1).focus()
    expect(popover.locator("mark")).to_have_text("Rovers won the final 3-2.")
    expect(popover.locator(".pop-link")).to_be_hidden()
    items = answer.locator(".sources-list li")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator("a")).to_have_text(re.compile("Rovers lift the cup"))
    expect(items.nth(1).locator("a")).to_have_count(0)
    expect(items.nth(1)).to_contain_text("Cup final report")
    assert stored_state(page)["conversationId"] == "conv-1"


def test_stream_error_event_then_retry(fake_api):
    broken = sse(
        ("status", {"stage": "retrieving", "conversation_id": "conv-1"}),
        ("error", {"message": "the answer model crashed", "status": 500}),
    )
    page = fake_api([stream(broken), stream(good_stream())])
    open_and_ask(page, "Who won the cup?")
    error = page.locator(f"{W} .error-box")
    expect(error).to_contain_text("the answer model crashed")
    expect(error).to_have_attribute("role", "alert")
    error.get_by_role("button", name="Retry").click()
    answer = wait_answer(page)
    expect(answer.locator(".answer-text")).to_contain_text("3-2")
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    # The retry continues the conversation the failed attempt had opened.
    assert page.requests == [
        {"question": "Who won the cup?"},
        {"question": "Who won the cup?", "conversation_id": "conv-1"},
    ]


def test_rate_limited_waits_for_retry_after(fake_api):
    limited = lambda route: route.fulfill(  # noqa: E731
        status=429,
        headers={"Retry-After": "2", "Content-Type": "application/json"},
        body=json.dumps({"message": "rate limit exceeded; retry in 2 s", "status": 429}),
    )
    page = fake_api([limited, stream(good_stream())])
    open_and_ask(page, "Who won the cup?")
    error = page.locator(f"{W} .error-box")
    expect(error).to_contain_text("wait 2 seconds")
    retry = error.locator(".retry")
    expect(retry).to_be_disabled()
    expect(retry).to_have_text(re.compile(r"Retry in \d s"))
    expect(retry).to_be_enabled(timeout=10_000)
    retry.click()
    expect(wait_answer(page).locator(".answer-text")).to_contain_text("3-2")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "did not accept this widget’s key"),
        (403, "not allowed"),
        (500, "ran into a problem (500)"),
    ],
)
def test_http_errors_are_explained(fake_api, status, message):
    failing = lambda route: route.fulfill(  # noqa: E731
        status=status,
        content_type="application/json",
        body=json.dumps({"message": "nope", "status": status}),
    )
    page = fake_api([failing], key="nrk_test")
    open_and_ask(page, "Who won the cup?")
    error = page.locator(f"{W} .error-box")
    expect(error).to_contain_text(message)
    expect(error.get_by_role("button", name="Retry")).to_be_visible()
    assert page.requests == [{"question": "Who won the cup?"}]


def test_stalled_and_truncated_streams_end_in_an_error_not_a_spinner(fake_api):
    truncated = sse(("status", {"stage": "retrieving", "conversation_id": "c"}))
    page = fake_api([stream(truncated), lambda route: None], timeout="2")  # 2nd: never answers
    open_and_ask(page, "Who won the cup?")
    expect(page.locator(f"{W} .error-box")).to_contain_text("connection dropped")
    page.locator(f"{W} .retry").click()
    expect(page.locator(f"{W} .error-box")).to_contain_text("taking too long", timeout=20_000)
    expect(page.locator(f"{W} .spinner")).to_have_count(0)
    expect(page.locator(f"{W} .send")).to_be_enabled()


HOSTILE_CSS = """<style>
  * { font-size: 40px !important; color: red !important; font-family: cursive !important; }
  button, div, p { display: none !important; }
  newsrag-chat { display: none !important; }
</style>"""


def test_theming_attributes_and_isolation_from_page_css(fake_api):
    page = fake_api(
        [stream(good_stream())],
        color="#ffd400",
        title="Ask The Courier",
        position="left",
        greeting="Welcome, reader.",
    )
    page.evaluate(f"document.head.insertAdjacentHTML('beforeend', {json.dumps(HOSTILE_CSS)})")
    bubble = page.locator(f"{W} .bubble")
    expect(bubble).to_be_visible()
    assert bubble.bounding_box()["x"] < 100  # data-position="left"
    bubble.click()
    header = page.locator(f"{W} .header")
    expect(page.get_by_role("dialog", name="Ask The Courier")).to_be_visible()
    expect(page.locator(f"{W} .greeting")).to_have_text("Welcome, reader.")
    expect(header).to_have_css("background-color", "rgb(255, 212, 0)")
    expect(header).to_have_css("color", "rgb(17, 17, 17)")  # dark text on a light brand colour
    expect(page.locator(f"{W} .title")).to_have_css("font-size", "16px")  # page CSS stays out


def test_usable_at_320_px(fake_api):
    page = fake_api([stream(good_stream())], viewport={"width": 320, "height": 640})
    open_and_ask(page, "Who won the cup?")
    answer = wait_answer(page)
    panel = page.get_by_role("dialog")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert panel.evaluate("el => el.scrollWidth <= el.clientWidth")
    for part in (
        page.get_by_role("textbox", name="Your question"),
        page.locator(f"{W} .send"),
        answer,
    ):
        b = part.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 320, b
    answer.locator(".cite").first.focus()
    pop = page.locator(f"{W} .popover").bounding_box()
    assert pop["x"] >= 0 and pop["x"] + pop["width"] <= 320
    # Full screen, the panel is modal: Tab wraps around inside it instead of reaching the page.
    assert panel.get_attribute("aria-modal") == "true"
    page.get_by_role("textbox", name="Your question").focus()
    page.keyboard.press("Tab")  # the send button
    page.keyboard.press("Tab")  # wraps to the first button of the panel
    assert "icon-btn" in active_class(page)
    page.keyboard.press("Shift+Tab")
    assert "send" in active_class(page)


# --- screenshots -------------------------------------------------------------------------------
def test_screenshots(local_server, new_page, tmp_path):
    """Desktop (panel, answer, citation popover) and 360 px mobile, < 300 KB each."""
    out = SHOTS if os.environ.get("NEWSRAG_SCREENSHOTS") == "1" else tmp_path
    out.mkdir(parents=True, exist_ok=True)

    page = new_page(viewport={"width": 1280, "height": 800})
    page.goto(local_server.url + "/")
    open_and_ask(page, DIOURA)
    answer = wait_answer(page)
    answer.locator(".cite").first.hover()
    expect(page.locator(f"{W} .popover mark")).to_be_visible()
    desktop = out / "widget-desktop.png"
    page.screenshot(path=desktop)

    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(local_server.url + "/")
    page.get_by_role("button", name=DIOURA).click()  # the demo page's "Try:" suggestions
    wait_answer(page)
    expect(page.locator(f"{W} .sources-list")).to_be_visible()
    mobile = out / "widget-mobile.png"
    page.screenshot(path=mobile)

    for shot in (desktop, mobile):
        assert 5_000 < shot.stat().st_size < 300_000, (shot, shot.stat().st_size)
