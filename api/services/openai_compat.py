"""OpenAI's chat-completions shape over newsrag's answers (Open WebUI, LibreChat, Continue, the
``openai`` clients): messages in, the answer with its [n] markers and a sources list out.

HTTP-unaware: the router (``api/server/routes/openai_compat.py``) validates and streams; this
module turns messages into a question and its history, and answers into completion objects.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from api.errors import Invalid
from rag.answer.condense import Turn, condense_question
from rag.schema import Answer, Citation

MODEL_ID = "newsrag"
# What an earlier assistant message carries after its answer (we wrote it): cut before the
# history is rebuilt, so the sources list is never condensed into a follow-up.
SOURCES_HEADING = "Sources:"
_SOURCES_CUT = re.compile(rf"\n\s*{re.escape(SOURCES_HEADING)}\s*\n.*\Z", re.S)


def message_text(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, dict) and part.get("type") in ("text", "input_text"):
                texts.append(str(part.get("text") or ""))
            elif isinstance(part, str):
                texts.append(part)
        return "\n".join(t for t in texts if t)
    raise Invalid("a message's content must be a string or a list of content parts")


# (question, answer) -> the turn this server recorded for them, if any.
FindTurn = Callable[[str, str], Turn | None]


def question_and_history(
    messages: list[tuple[str, str]], find: FindTurn | None = None
) -> tuple[str, list[Turn]]:
    """(role, text) pairs → the last user message and the conversation before it.

    System and developer messages are instructions for a generative model; newsrag's answer
    comes from the articles, so they are ignored. An earlier exchange that this server answered
    is looked up with ``find``: its standalone question and its short answer are what a
    ``/v1/ask`` follow-up would see ("who said that?" needs the previous answer's "40
    soldiers"). Any other earlier user message is rewritten the way the conversation rewrote it
    then (the rewriting is deterministic), so a follow-up after a follow-up still finds its
    subject."""
    talk = [(role, text) for role, text in messages if role in ("user", "assistant")]
    if not talk or talk[-1][0] != "user":
        raise Invalid(
            "the last message must be the user's question (role 'user'); "
            "earlier messages are the conversation"
        )
    question = talk[-1][1].strip()
    if not question:
        raise Invalid("the last user message is empty: ask something")
    history: list[Turn] = []
    pending: str | None = None
    for role, text in talk[:-1]:
        if role == "user":
            if pending is not None:  # two user messages in a row: the first went unanswered
                history.append(Turn(pending, condense_question(pending, history), ""))
            pending = text.strip()
        elif pending is not None:
            answer = _SOURCES_CUT.sub("", text).strip()
            known = find(pending, answer) if find is not None else None
            if known is not None:
                history.append(Turn(pending, known.standalone, answer, known.short_answer))
            else:
                history.append(Turn(pending, condense_question(pending, history), answer))
            pending = None
    if pending:
        history.append(Turn(pending, condense_question(pending, history), ""))
    return question, history


def source_line(c: Citation) -> str:
    when = c.published.isoformat() if c.published else "undated"
    who = f"{c.source}, " if c.source else ""
    where = f": {c.url}" if c.url else ""
    return f"- [{c.marker}] {c.title} ({who}{when}){where}"


def sources_text(answer: Answer) -> str:
    """The short sources list that follows the answer ("" when nothing was cited)."""
    if not answer.citations:
        return ""
    lines = [source_line(c) for c in sorted(answer.citations, key=lambda c: c.marker)]
    return f"\n\n{SOURCES_HEADING}\n" + "\n".join(lines)


def content_of(answer: Answer) -> str:
    return answer.answer + sources_text(answer)


def extra_of(answer: Answer) -> dict[str, Any]:
    """The structured answer (citations with offsets, status, conversation id) that rides
    along under ``newsrag``: the answer contract, as ``POST /v1/ask`` returns it."""
    return answer.model_dump(mode="json")


def completion(answer: Answer, completion_id: str, model: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content_of(answer)},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "newsrag": extra_of(answer),
    }


def chunk(
    completion_id: str,
    model: str,
    created: int,
    delta: dict[str, Any],
    finish_reason: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
        **extra,
    }


def models_list(created: int) -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": created, "owned_by": "newsrag"}],
    }
