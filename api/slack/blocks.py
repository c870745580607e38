"""Block Kit rendering for the Slack bot: pure functions from an ``Answer`` to messages.

Nothing here talks to Slack or reads settings; the listeners in ``bot.py`` decide where a
message goes, this module decides what it looks like. Every function returns plain dicts
(``{"text": …, "blocks": […]}``) ready for ``chat.postMessage`` / ``chat.update`` /
``response_url``.

Slack's limits that shape the output: a section's text is at most 3,000 characters, a message
at most 50 blocks, a context block at most 10 elements; ``text`` is the notification / fallback
and is always set.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from api.slack.mrkdwn import escape, is_web_url, link, link_label, truncate
from rag.schema import Answer, Citation
from rag.text.markers import MARKER_RE

SECTION_LIMIT = 3000
BLOCK_LIMIT = 50
CONTEXT_ELEMENT_LIMIT = 10
FALLBACK_LIMIT = 3000
QUOTE_LIMIT = 280
TITLE_LIMIT = 200

ACTION_HELPFUL = "newsrag_feedback_helpful"
ACTION_NOT_HELPFUL = "newsrag_feedback_not_helpful"
ACTION_SHARE = "newsrag_share"
BLOCK_ACTIONS = "newsrag_answer_actions"

Message = dict[str, Any]

_MARKER = MARKER_RE  # group 1 is the number; newsrag writes one number per marker


# --- text ----------------------------------------------------------------------------------
def answer_mrkdwn(answer: Answer) -> str:
    """The answer text, escaped, with each marker [n] turned into ``<url|[n]>``.

    A marker whose citation has no http(s) URL (or no citation at all) stays plain text.
    """
    by_marker = {c.marker: c for c in answer.citations}

    def replace(m: re.Match[str]) -> str:
        citation = by_marker.get(int(m.group(1)))
        if citation is None or not is_web_url(citation.url):
            return m.group(0)
        return link(citation.url, m.group(0))

    # Escaping never creates or removes "[n]", so markers are found in the escaped text.
    return _MARKER.sub(replace, escape(answer.answer))


def plain_fallback(answer: Answer) -> str:
    """Notification text: the answer, escaped, markers left as [n], within Slack's limits."""
    return truncate(escape(answer.answer), FALLBACK_LIMIT)


def format_date(d: date | None) -> str:
    return f"{d.day} {d:%B %Y}" if d else "undated"


def source_line(c: Citation, with_quote: bool = True) -> str:
    """``*[1]* <url|Title> · Source · 24 May 2025`` and the supporting quote under it."""
    title = truncate(c.title or "Untitled", TITLE_LIMIT)
    head = f"*[{c.marker}]* {link(c.url, title) if is_web_url(c.url) else link_label(title)}"
    meta = " · ".join(escape(x) for x in (c.source or "unknown source", format_date(c.published)))
    line = f"{head} · {meta}"
    if with_quote and c.quote:
        quote = truncate(re.sub(r"\s+", " ", c.quote).strip(), QUOTE_LIMIT)
        line += f"\n“{escape(quote)}”"
    return line


# --- splitting -----------------------------------------------------------------------------
_TOKEN = re.compile(r"<[^<>]*>|&(?:amp|lt|gt);")


def split_mrkdwn(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a paragraph, sentence or word boundary,
    never inside a link ``<url|label>`` or an entity ``&amp;``."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        # Positions inside a token (link or entity) are not allowed cut points.
        blocked = [(m.start(), m.end()) for m in _TOKEN.finditer(rest) if m.start() <= limit]

        def allowed(i: int, blocked: list[tuple[int, int]] = blocked) -> bool:
            return all(not (a < i < b) for a, b in blocked)

        cut = -1
        for pattern in (r"\n\n", r"\n", r"(?<=[.!?”\"])\s", r"\s"):
            for m in reversed(list(re.finditer(pattern, window))):
                if m.start() > limit * 0.5 and m.start() <= limit and allowed(m.start()):
                    cut = m.start()
                    break
            if cut != -1:
                break
        if cut == -1:  # one enormous word: cut hard, but outside any token
            cut = limit
            while cut > 0 and not allowed(cut):
                cut -= 1
            if cut == 0:
                cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(texts: list[str]) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in texts]}


def _context_blocks(lines: list[str]) -> list[dict[str, Any]]:
    """Source lines, one per line, packed into context blocks of ≤ 3,000 characters."""
    elements: list[str] = []
    current = ""
    for line in lines:
        for piece in split_mrkdwn(line, SECTION_LIMIT):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= SECTION_LIMIT:
                current = candidate
            else:
                elements.append(current)
                current = piece
    if current:
        elements.append(current)
    # One element per block: elements of one context block are laid out side by side.
    return [_context([element]) for element in elements]


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def actions_block(answer_id: str, share: bool = False) -> dict[str, Any]:
    """Feedback buttons (and "Share in channel" for an ephemeral answer). ``value`` is the id of
    the stored answer, so a click finds the question, answer and citations it is about."""
    elements = []
    if share:
        elements.append(_button("Share in channel", ACTION_SHARE, answer_id, "primary"))
    elements += [
        _button(":thumbsup: Helpful", ACTION_HELPFUL, answer_id),
        _button(":thumbsdown: Not helpful", ACTION_NOT_HELPFUL, answer_id),
    ]
    return {"type": "actions", "block_id": BLOCK_ACTIONS, "elements": elements}


def paginate(blocks: list[dict[str, Any]], text: str, limit: int = BLOCK_LIMIT) -> list[Message]:
    """Blocks cut into messages of at most ``limit`` blocks; each message has a ``text``."""
    if not blocks:
        return [{"text": text, "blocks": []}]
    pages = [blocks[i : i + limit] for i in range(0, len(blocks), limit)]
    messages: list[Message] = []
    for n, page in enumerate(pages, 1):
        label = text if n == 1 else f"(continued {n}/{len(pages)}) {text}"
        messages.append({"text": truncate(label, FALLBACK_LIMIT), "blocks": page})
    return messages


# --- messages ------------------------------------------------------------------------------
def answer_messages(
    answer: Answer,
    *,
    answer_id: str | None = None,
    share: bool = False,
    show_question: bool = False,
    shared_by: str | None = None,
) -> list[Message]:
    """The answer as one or more messages (more only when it exceeds 50 blocks).

    - the question (for slash-command and shared answers, where it is not visible above),
    - the answer text in sections of ≤ 3,000 characters, markers as links,
    - "Searched for: …" when a follow-up was rewritten,
    - a context block listing the sources (title, source, date, the supporting quote),
    - feedback buttons (and "Share in channel") when ``answer_id`` is given.

    ``not_found`` is said plainly: the answer text, no sources.
    """
    blocks: list[dict[str, Any]] = []
    if shared_by:
        blocks.append(_context([f"<@{escape(shared_by)}> asked: *{_inline(answer.question)}*"]))
    elif show_question:
        blocks.append(_context([f"Question: *{_inline(answer.question)}*"]))

    if answer.status == "answered":
        body = answer_mrkdwn(answer)
    else:
        body = escape(answer.answer or "The articles I can search do not answer this question.")
    blocks += [_section(piece) for piece in split_mrkdwn(body)]

    if answer.status == "answered":
        if answer.standalone_question and answer.standalone_question != answer.question:
            searched = truncate(escape(answer.standalone_question), 500)
            blocks.append(_context([f"Searched for: _{searched}_"]))
        cited = sorted(answer.citations, key=lambda c: c.marker)
        if cited:
            blocks += _context_blocks(["*Sources*"] + [source_line(c) for c in cited])
        if answer.as_of:
            blocks.append(_context([f"Articles published up to {format_date(answer.as_of)}"]))

    messages = paginate(blocks, plain_fallback(answer))
    if answer_id:
        # The buttons go where the answer ends: the last message, or one of their own.
        actions = actions_block(answer_id, share=share)
        if len(messages[-1]["blocks"]) < BLOCK_LIMIT:
            messages[-1]["blocks"].append(actions)
        else:
            messages.append({"text": messages[-1]["text"], "blocks": [actions]})
    return messages


def _inline(text: str) -> str:
    """User text shown inside *bold*: escaped, one line, without the characters that end bold."""
    return truncate(escape(re.sub(r"\s+", " ", text).replace("*", "")).strip(), 500)


def thinking_message(question: str) -> Message:
    text = f":hourglass_flowing_sand: Searching the articles for: _{_inline(question)}_"
    return {"text": "Searching the articles…", "blocks": [_context([text])]}


def error_message() -> Message:
    text = (
        ":warning: Sorry, something went wrong while answering. "
        "Please try again; if it keeps failing, tell whoever runs newsrag."
    )
    return {"text": text, "blocks": [_section(text)]}


def help_message(example: str = "How many soldiers did JNIM say it killed at Dioura?") -> Message:
    text = (
        "Ask me a question about the news and I will answer from the indexed articles, "
        f"citing each source. For example: _{escape(example)}_\n"
        "Mention me in a channel, message me directly, or use `/ask your question`. "
        "Reply in the thread to ask a follow-up."
    )
    return {"text": text, "blocks": [_section(text)]}


def too_long_message(limit: int) -> Message:
    text = f"That question is too long: please keep it under {limit} characters."
    return {"text": text, "blocks": [_section(text)]}


def feedback_thanks(helpful: bool) -> Message:
    text = (
        "Thanks, recorded as *helpful*." if helpful else "Thanks, recorded as *not helpful*."
    ) + " Clicking the other button changes your vote."
    return {"text": text, "blocks": [_context([text])]}


def expired_message() -> Message:
    text = "This answer is no longer stored, so it cannot be shared or rated. Ask again?"
    return {"text": text, "blocks": [_context([text])]}
