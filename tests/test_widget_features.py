"""The widget's answer tools and its visitor secret, in real headless Chromium.

Scrolling a finished answer into view, copy, 👍/👎 feedback, the rewritten follow-up, the
system theme, Retry-After wording and passages of sources without a URL run against fulfilled
responses; feedback, follow-ups and the per-browser visitor secret also run end to end
against the real app with a widget key (two browser contexts = two visitors).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.test_widget import (  # noqa: F401 (fixtures)
    FAKE,
    FAKE_ANSWER,
    FAKE_CITATIONS,
    WIDGET_JS,
    W,
    browser,
    expect,
    keyed_sites,
    new_page,
    open_and_ask,
    shadow_eval,
    sse,
    stored_state,
    wait_answer,
    widget_page,
)

pytestmark = pytest.mark.browser

DIOURA = "How many soldiers died at Dioura?"


def done_event(answer=FAKE_ANSWER, citations=FAKE_CITATIONS, **extra):
    return {
        "question": "Who won?",
        "answer": answer,
        "short_answer": None,
        "status": "answered",
        "citations": citations,
        "conversation_id": "conv-1",
        "as_of": None,
        "timings": {},
        "notes": [],
        "turn": 0,
        **extra,
    }


def stream_of(done: dict) -> str:
    return sse(
        ("status", {"stage": "retrieving", "conversation_id": "conv-1"}),
        ("status", {"stage": "answering", "passages": 2}),
        ("sentence", {"text": done["answer"]}),
        ("citations", done["citations"]),
        ("done", done),
    )


def fake_page(new_page, bodies: list, *, context=None, **data):  # noqa: F811
    """A page on FAKE; /v1/ask/stream answers with the queued stream bodies (or responses),
    /v1/feedback with 200; every request is recorded as (path, headers, json)."""
    page = new_page(**({"viewport": {"width": 1280, "height": 800}} | (context or {})))
    page.route(
        f"{FAKE}/host.html",
        lambda r: r.fulfill(content_type="text/html", body=widget_page("/widget.js", **data)),
    )
    page.route(
        f"{FAKE}/widget.js",
        lambda r: r.fulfill(content_type="text/javascript", path=str(WIDGET_JS)),
    )
    page.requests = []

    def ask(route):
        page.requests.append(("ask", route.request.headers, route.request.post_data_json))
        body = bodies.pop(0) if len(bodies) > 1 else bodies[0]
        if callable(body):
            body(route)
        else:
            route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body)

    def feedback(route):
        page.requests.append(("feedback", route.request.headers, route.request.post_data_json))
        route.fulfill(status=200, content_type="application/json", body='{"recorded":true}')

    page.route(f"{FAKE}/v1/ask/stream", ask)
    page.route(f"{FAKE}/v1/feedback", feedback)
    page.goto(f"{FAKE}/host.html")
    return page


def in_view(page, selector: str) -> bool:
    """Whether the element's box lies inside the conversation log's visible area."""
    return shadow_eval(
        page,
        f"""const log = root.querySelector('.log'); const el = root.querySelector('{selector}');
        const l = log.getBoundingClientRect(), e = el.getBoundingClientRect();
        return e.top >= l.top - 1 && e.bottom <= l.bottom + 1;""",
    )


def wait_in_view(page, selector: str, *, top_only: bool = False) -> None:
    """Wait (the log scrolls smoothly) until the element is in view, or its top is."""
    bottom = "e.top + 20" if top_only else "e.bottom"
    page.wait_for_function(
        f"""() => {{ const root = document.querySelector('{W}').shadowRoot;
        const log = root.querySelector('.log'); const el = root.querySelector('{selector}');
        if (!el) return false;
        const l = log.getBoundingClientRect(), e = el.getBoundingClientRect();
        return e.top >= l.top - 1 && {bottom} <= l.bottom + 1; }}""",
        timeout=10_000,
    )


# --- fulfilled responses ------------------------------------------------------------------
def test_a_finished_answer_is_scrolled_into_view(new_page):  # noqa: F811
    many = [
        {**FAKE_CITATIONS[0], "marker": n, "title": f"Report number {n} on the cup final"}
        for n in range(1, 8)
    ]
    text = "Northgate Rovers beat Eastbrook Athletic 3-2 after extra time " + " ".join(
        f"[{n}]" for n in range(1, 8)
    )
    page = fake_page(new_page, [stream_of(done_event(text + ".", many))])
    open_and_ask(page, "Who won the cup?")
    wait_answer(page)
    # The sources list and the buttons under it are in view, not below the fold.
    wait_in_view(page, ".msg.bot:not(.greeting) .actions")
    assert in_view(page, ".msg.bot:not(.greeting) .sources")

    # An answer taller than the log is shown from its first line.
    long_text = " ".join(["Rovers beat Athletic 3-2 after extra time [1]."] * 60)
    page = fake_page(new_page, [stream_of(done_event(long_text))])
    open_and_ask(page, "Who won the cup?")
    wait_answer(page)
    wait_in_view(page, ".msg.bot:not(.greeting) .answer-text", top_only=True)
    assert not in_view(page, ".msg.bot:not(.greeting) .actions")  # its end is further down


def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(new_page):  # noqa: F811
    page = fake_page(
        new_page,
        [stream_of(done_event())],
        context={"permissions": ["clipboard-read", "clipboard-write"]},
    )
    open_and_ask(page, "Who won the cup?")
    answer = wait_answer(page)
    answer.get_by_role("button", name="Copy the answer").click()
    expect(answer.locator(".act-note")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(FAKE_ANSWER)
    assert "[1] Rovers lift the cup" in copied and "https://example.org/rovers" in copied
    assert "[2] Cup final report (Wire)" in copied


def test_thumbs_send_feedback_with_the_visitor_secret(new_page):  # noqa: F811
    page = fake_page(new_page, [stream_of(done_event(turn=3))], key="nrk_test")
    open_and_ask(page, "Who won the cup?")
    answer = wait_answer(page)
    down = answer.get_by_role("button", name="Not helpful")
    up = answer.get_by_role("button", name="Helpful", exact=True)
    expect(down).to_have_attribute("aria-pressed", "false")
    down.click()
    expect(answer.locator(".act-note")).to_have_text("Thanks for the feedback.")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    kind, headers, body = page.requests[-1]
    assert kind == "feedback"
    assert body == {"conversation_id": "conv-1", "turn": 3, "helpful": False}
    assert headers["x-api-key"] == "nrk_test"
    secret = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('newsrag-visitor:'))"
        ".map(k => localStorage.getItem(k))[0]"
    )
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,128}", secret)
    assert headers["x-newsrag-visitor"] == secret
    assert page.requests[0][1]["x-newsrag-visitor"] == secret  # the question carried it too

    page.reload()  # the vote is remembered with the transcript
    answer = wait_answer(page)
    expect(answer.get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_the_rewritten_follow_up_is_shown_under_the_answer(new_page):  # noqa: F811
    rewritten = done_event(
        question="and the score?", standalone_question="What was the score of the cup final?"
    )
    plain = done_event(question="Who won?", standalone_question=None)
    page = fake_page(new_page, [stream_of(plain), stream_of(rewritten)])
    open_and_ask(page, "Who won?")
    expect(wait_answer(page).locator(".rewritten")).to_have_count(0)
    open_and_ask(page, "and the score?")
    line = wait_answer(page, 2).locator(".rewritten")
    expect(line).to_have_text("Searched for: What was the score of the cup final?")


def test_theme_follows_the_system_unless_set(new_page):  # noqa: F811
    root = f"{W} .root"
    page = fake_page(new_page, [stream_of(done_event())], context={"color_scheme": "dark"})
    expect(page.locator(root)).to_have_class(re.compile(r"\bdark\b"))
    page.emulate_media(color_scheme="light")  # the system switches: so does the widget
    expect(page.locator(root)).not_to_have_class(re.compile(r"\bdark\b"))

    page = fake_page(
        new_page, [stream_of(done_event())], context={"color_scheme": "dark"}, theme="light"
    )
    page.locator(f"{W} .bubble").click()
    expect(page.locator(root)).not_to_have_class(re.compile(r"\bdark\b"))
    page = fake_page(
        new_page, [stream_of(done_event())], context={"color_scheme": "light"}, theme="dark"
    )
    expect(page.locator(root)).to_have_class(re.compile(r"\bdark\b"))


def test_one_second_is_singular(new_page):  # noqa: F811
    def limited(route):
        route.fulfill(
            status=429,
            headers={"Retry-After": "1", "Content-Type": "application/json"},
            body=json.dumps({"message": "rate limit", "status": 429}),
        )

    page = fake_page(new_page, [limited])
    open_and_ask(page, "Who won the cup?")
    error = page.locator(f"{W} .error-box")
    expect(error).to_contain_text("Please wait 1 second, then retry.")


def test_a_source_without_url_opens_its_passage_inline(new_page):  # noqa: F811
    page = fake_page(new_page, [stream_of(done_event())])
    open_and_ask(page, "Who won the cup?")
    answer = wait_answer(page)
    toggle = answer.get_by_role("button", name="Cup final report", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    passage = answer.locator(".src-passage")
    expect(passage).to_be_hidden()
    toggle.click()
    expect(passage).to_be_visible()
    expect(passage.locator("mark")).to_have_text("Rovers won the final 3-2.")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.press("Enter")  # a button: the keyboard closes it too
    expect(passage).to_be_hidden()
    # The source with a URL is still a link to the article.
    expect(answer.locator(".sources-list a")).to_have_attribute(
        "href", "https://example.org/rovers"
    )


# --- the real app with a widget key ------------------------------------------------------------
def visitor_of(page) -> str:
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('newsrag-visitor:'))"
        ".map(k => localStorage.getItem(k))[0]"
    )


def read_conversation(page, api: str, key: str, cid: str) -> int:
    """GET /v1/conversations/{cid} from the page, with this browser's visitor secret."""
    return page.evaluate(
        """async ([api, key, cid, visitor]) => (await fetch(api + '/v1/conversations/' + cid,
             {headers: {'X-API-Key': key, 'X-Newsrag-Visitor': visitor}})).status""",
        [api, key, cid, visitor_of(page)],
    )


def test_two_browsers_do_not_share_a_conversation(keyed_sites, new_page):  # noqa: F811
    server, allowed, _ = keyed_sites
    alice = new_page()
    alice.goto(allowed.origin + "/article.html")
    open_and_ask(alice, DIOURA)
    wait_answer(alice)
    state = stored_state(alice)
    cid = state["conversationId"]
    key = alice.evaluate("document.querySelector('script[data-key]').dataset.key")

    # 👍 on a real answer is recorded by the server.
    with alice.expect_response(lambda r: r.url.endswith("/v1/feedback")) as voted:
        wait_answer(alice).get_by_role("button", name="Helpful", exact=True).click()
    assert voted.value.status == 200 and voted.value.json() == {"recorded": True, "new": True}

    # Bob's browser (another context: its own storage) gets hold of Alice's conversation id.
    bob = new_page()
    bob.goto(allowed.origin + "/article.html")
    assert visitor_of(bob) != visitor_of(alice)
    assert read_conversation(alice, server.url, key, cid) == 200
    assert read_conversation(bob, server.url, key, cid) == 404
    storage_key = next(
        k for k in alice.evaluate("Object.keys(sessionStorage)") if k.startswith("newsrag-widget:")
    )
    bob.evaluate(
        "([k, cid]) => sessionStorage.setItem(k, JSON.stringify("
        "{conversationId: cid, turns: [], open: false}))",
        [storage_key, cid],
    )
    bob.reload()
    statuses = []
    bob.on(
        "response",
        lambda r: statuses.append(r.status) if r.url.endswith("/v1/ask/stream") else None,
    )
    open_and_ask(bob, "and at Timbuktu?")
    answer = wait_answer(bob)
    assert statuses[:2] == [404, 200]  # refused as unknown, then asked in a new conversation
    expect(answer.locator(".rewritten")).to_have_count(0)  # no Dioura history to rewrite from
    assert stored_state(bob)["conversationId"] not in (None, cid)

    # Alice, after a reload, continues her own conversation; the follow-up is rewritten.
    alice.reload()
    wait_answer(alice)
    alice.get_by_role("textbox", name="Your question").fill("and at Timbuktu?")
    alice.keyboard.press("Enter")
    follow = wait_answer(alice, 2)
    expect(follow.locator(".rewritten")).to_have_text(
        "Searched for: How many soldiers died at Timbuktu?"
    )
    assert stored_state(alice)["conversationId"] == cid
    assert alice.errors == [] and bob.errors == []
