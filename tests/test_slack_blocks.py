"""Block Kit rendering (api/slack/blocks.py, mrkdwn.py): pure functions, no Slack needed."""

from __future__ import annotations

import json
import re
from datetime import date

from api.slack import blocks
from api.slack.mrkdwn import escape, link, safe_url, to_plain, truncate
from rag.schema import Answer, Citation

DIOURA_URL = "https://example.org/sahel-monitor/2025/05/24/dioura-garrison-raid-claim"


def citation(marker: int, **kw) -> Citation:
    base = dict(
        marker=marker,
        article_id=f"a{marker}",
        chunk_id=f"c{marker}",
        title="JNIM says it killed 40 soldiers in raid on Dioura garrison",
        url=DIOURA_URL,
        published=date(2025, 5, 24),
        source="Sahel Monitor",
        passage="JNIM said it killed 40 soldiers.",
        quote="JNIM said it killed 40 soldiers.",
        start=0,
        end=32,
        passage_start=0,
        passage_end=32,
    )
    base.update(kw)
    return Citation(**base)


def answer(text: str, citations: list[Citation], status: str = "answered", **kw) -> Answer:
    return Answer(question="How many?", answer=text, status=status, citations=citations, **kw)


def all_text(messages: list[dict]) -> str:
    return json.dumps(messages, ensure_ascii=False)


def section_texts(message: dict) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


# --- escaping and links ------------------------------------------------------------------------
def test_escape_only_the_three_control_characters():
    assert escape("<script>&amp; *x* _y_") == "&lt;script&gt;&amp;amp; *x* _y_"
    assert escape("<!channel> <@U123>") == "&lt;!channel&gt; &lt;@U123&gt;"


def test_markers_become_links_and_text_is_escaped():
    a = answer("JNIM said 40 soldiers died <b>& more</b> [1].", [citation(1)])
    [message] = blocks.answer_messages(a)
    [text] = section_texts(message)
    assert f"<{DIOURA_URL}|[1]>" in text
    assert "&lt;b&gt;&amp; more&lt;/b&gt;" in text
    assert "<b>" not in text
    assert message["text"]  # notification fallback always set
    assert "[1]" in message["text"] and "<https" not in message["text"]


def test_marker_without_web_url_stays_plain():
    a = answer(
        "One [1], two [2], three [3].",
        [citation(1, url=None), citation(2, url="javascript:alert(1)"), citation(3)],
    )
    text = section_texts(blocks.answer_messages(a)[0])[0]
    assert text.startswith("One [1], two [2], three <https://")
    assert "javascript" not in text
    # and in the sources list the titles of 1 and 2 are not links either
    sources = all_text(blocks.answer_messages(a))
    assert "javascript" not in sources


def test_unknown_marker_stays_plain():
    a = answer("Quoted text says [7] but the claim is [1].", [citation(1)])
    text = section_texts(blocks.answer_messages(a)[0])[0]
    assert "says [7] but" in text and f"<{DIOURA_URL}|[1]>" in text


def test_url_with_pipe_paren_and_angle_brackets_cannot_break_the_link():
    url = "https://example.org/a_(b)|c>d<e?q=1&r=two words"
    out = link(url, "[1]")
    m = re.fullmatch(r"<([^<>|]+)\|\[1\]>", out)
    assert m, out
    target = m.group(1)
    assert "%7C" in target and "%29" in target and "%28" in target
    assert "%3E" in target and "%3C" in target and "%20" in target
    assert "&amp;r=" in target  # "&" stays a query separator, escaped for mrkdwn
    # already encoded URLs are not double-encoded
    assert safe_url("https://x.org/a%20b") == "https://x.org/a%20b"


def test_link_label_with_pipe_and_markup():
    out = link("https://example.org/x", "Title | with <script>& stuff\nnewline")
    assert out.startswith("<https://example.org/x|")
    label = out[len("<https://example.org/x|") : -1]
    assert "|" not in label and "<" not in label and ">" not in label
    assert "&lt;script&gt;&amp;" in label and "\n" not in label


def test_title_with_script_is_escaped_in_sources():
    a = answer("Budget [1].", [citation(1, title="Council <script>alert(1)</script> & budget")])
    rendered = all_text(blocks.answer_messages(a))
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; budget" in rendered
    assert "<script>" not in rendered


def test_sources_context_lists_title_source_date_and_quote():
    a = answer("40 [1][2].", [citation(1), citation(2, source=None, published=None, url=None)])
    [message] = blocks.answer_messages(a)
    contexts = [b for b in message["blocks"] if b["type"] == "context"]
    text = "\n".join(e["text"] for b in contexts for e in b["elements"])
    assert "*Sources*" in text
    assert f"*[1]* <{DIOURA_URL}|JNIM says it killed 40 soldiers" in text
    assert "Sahel Monitor · 24 May 2025" in text
    assert "unknown source · undated" in text
    assert "“JNIM said it killed 40 soldiers.”" in text


def test_not_found_is_plain_without_sources():
    a = answer("The articles I can search do not answer this question.", [], status="not_found")
    [message] = blocks.answer_messages(a, answer_id="abc")
    types = [b["type"] for b in message["blocks"]]
    assert types == ["section", "actions"]
    assert section_texts(message) == ["The articles I can search do not answer this question."]
    assert "Sources" not in all_text([message])


def test_feedback_and_share_buttons_carry_the_answer_id():
    a = answer("40 [1].", [citation(1)])
    [message] = blocks.answer_messages(a, answer_id="ans123", share=True, show_question=True)
    actions = message["blocks"][-1]
    assert actions["type"] == "actions"
    ids = [e["action_id"] for e in actions["elements"]]
    assert ids == [blocks.ACTION_SHARE, blocks.ACTION_HELPFUL, blocks.ACTION_NOT_HELPFUL]
    assert {e["value"] for e in actions["elements"]} == {"ans123"}
    assert message["blocks"][0]["type"] == "context"  # the question, for ephemeral answers
    assert "How many?" in message["blocks"][0]["elements"][0]["text"]


def test_rewritten_follow_up_is_shown():
    a = answer("13 [1].", [citation(1)])
    a.question = "and at Timbuktu?"
    a.standalone_question = "How many soldiers died at Timbuktu?"
    rendered = all_text(blocks.answer_messages(a))
    assert "Searched for: _How many soldiers died at Timbuktu?_" in rendered


# --- limits ------------------------------------------------------------------------------------
def test_long_answer_is_split_under_section_limit_without_breaking_links():
    sentence = "JNIM said it killed 40 soldiers at Dioura & elsewhere [1]. "
    a = answer(sentence * 200, [citation(1)])  # ~12,000 characters
    messages = blocks.answer_messages(a, answer_id="x")
    sections = [t for m in messages for t in section_texts(m)]
    assert len(sections) >= 4
    for t in sections:
        assert len(t) <= blocks.SECTION_LIMIT
        # every "<" opens a complete link, every "&" starts a complete entity
        assert t.count("<") == t.count(">")
        assert all(re.match(r"&(amp|lt|gt);", t[i:]) for i in range(len(t)) if t[i] == "&")
    joined = " ".join(sections)
    assert joined.count(f"<{DIOURA_URL}|[1]>") == 200
    for m in messages:
        assert len(m["blocks"]) <= blocks.BLOCK_LIMIT
        assert 0 < len(m["text"]) <= blocks.FALLBACK_LIMIT


def test_more_than_fifty_blocks_become_several_messages_with_buttons_last():
    a = answer("x " * 80_000 + "[1]", [citation(1)])  # ~160,000 chars → > 50 sections
    messages = blocks.answer_messages(a, answer_id="id")
    assert len(messages) >= 2
    for m in messages:
        assert len(m["blocks"]) <= blocks.BLOCK_LIMIT
        assert m["text"]
    flat = [b for m in messages for b in m["blocks"]]
    assert [b["type"] for b in flat].count("actions") == 1
    assert messages[-1]["blocks"][-1]["type"] == "actions"


def test_many_sources_respect_context_limits():
    cites = [citation(n, title=f"Article {n} " + "t" * 300) for n in range(1, 30)]
    a = answer(" ".join(f"claim [{n}]." for n in range(1, 30)), cites)
    [message] = blocks.answer_messages(a)
    for b in message["blocks"]:
        if b["type"] == "context":
            assert len(b["elements"]) <= blocks.CONTEXT_ELEMENT_LIMIT
            assert all(len(e["text"]) <= blocks.SECTION_LIMIT for e in b["elements"])


def test_split_never_cuts_inside_a_long_link():
    url = "https://example.org/" + "p" * 1500
    text = "word " * 500 + link(url, "[1]") + " tail"
    pieces = blocks.split_mrkdwn(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert sum(p.count(f"<{url}|[1]>") for p in pieces) == 1


def test_truncate_keeps_entities_whole():
    assert truncate("a &amp; b", 4) == "a…"
    assert truncate("short", 10) == "short"


# --- incoming text -----------------------------------------------------------------------------
def test_to_plain_reads_slack_wire_format():
    text = "<@UBOT> how many at <https://x.org/a|Dioura> &amp; <#C1|general>? cc <@U2>"
    assert to_plain(text, drop_user="UBOT") == "how many at Dioura & #general? cc @U2"
    assert to_plain("&lt;script&gt;") == "<script>"
