"""Asking within a conversation: validate, load history, answer, record the turn, count it."""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import Field

from api import metrics
from api.auth import Principal
from api.components import Components
from api.errors import Invalid, NotFound
from api.services.sources import check_sources
from api.state.conversations import ConversationStore
from rag.answer.condense import Turn
from rag.schema import Answer
from rag.settings import Settings
from rag.store.filters import Filters

log = logging.getLogger(__name__)


class RecordedAnswer(Answer):
    """The answer as the stream's ``done`` event sends it: with its place in the conversation."""

    turn: int | None = Field(
        None, description="This answer's turn index in its conversation (for POST /v1/feedback)."
    )


@dataclass
class AskContext:
    question: str
    conversation_id: str
    history: list[Turn] = field(default_factory=list)
    as_of: date | None = None
    sources: list[str] | None = None
    top_k: int | None = None

    def chain_kwargs(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "sources": self.sources,
            "top_k": self.top_k,
            "history": self.history,
            "conversation_id": self.conversation_id,
        }


class AskService:
    def __init__(
        self, settings: Settings, components: Components, conversations: ConversationStore
    ) -> None:
        self.settings = settings
        self.components = components
        self.conversations = conversations
        # The chain is CPU-bound: answering more questions at once than there are cores only
        # makes every answer slower. The others wait their turn (in the threadpool).
        self._slots = threading.BoundedSemaphore(settings.answer_concurrency)

    def prepare(
        self,
        principal: Principal,
        question: str,
        *,
        conversation_id: str | None = None,
        as_of: date | None = None,
        sources: list[str] | None = None,
        top_k: int | None = None,
    ) -> AskContext:
        """Validate the question and open (or start) its conversation."""
        text = " ".join(question.split())
        if not text:
            raise Invalid(
                "question is empty: ask something, e.g. “How many soldiers died at Dioura?”"
            )
        limit = self.settings.max_question_chars
        if len(question) > limit:
            raise Invalid(
                f"question is {len(question):,} characters long; the limit is {limit:,} "
                "(NEWSRAG_MAX_QUESTION_CHARS)"
            )
        sources = check_sources(self.components, sources)  # a typo is a 422, not not_found
        if conversation_id:
            self.check_access(principal, conversation_id)
            history = self.conversations.history(
                conversation_id, self.settings.conversation_history_turns
            )
        else:
            conversation_id = self.conversations.create(owner=principal.owner)
            history = []
        return AskContext(text, conversation_id, history, as_of, sources, top_k)

    def check_access(self, principal: Principal, conversation_id: str) -> None:
        """404 for a conversation that does not exist or belongs to another key (its
        existence is not revealed)."""
        head = self.conversations.head(conversation_id)
        if head is None or not (principal.is_admin or _same_owner(head.owner, principal.owner)):
            raise NotFound(
                f"no conversation with id {conversation_id!r}; omit conversation_id to start one"
            )

    def ask(self, ctx: AskContext, via: str = "json") -> Answer:
        try:
            with self._slots:
                answer = self.components.chain.ask(ctx.question, **ctx.chain_kwargs())
        except Exception:
            metrics.ASK_ERRORS.labels(via=via).inc()
            raise
        self._record(ctx, answer, via)
        return answer

    def events(self, ctx: AskContext, via: str = "stream") -> Iterator[tuple[str, Any]]:
        """The chain's events, with the conversation id in the first one; the turn is recorded
        before ``done`` is yielded. Retrieval and answering each hold an answering slot while
        they compute; once the answer exists, its sentences go out without queueing again."""
        steps = self.components.chain.events(ctx.question, **ctx.chain_kwargs())
        computed = False
        try:
            while True:
                try:
                    with nullcontext() if computed else self._slots:
                        kind, data = next(steps)
                except StopIteration:
                    return
                except Exception:
                    metrics.ASK_ERRORS.labels(via=via).inc()
                    raise
                computed = computed or kind in {"sentence", "citations", "done"}
                if kind == "status" and data.get("stage") == "retrieving":
                    data = {"stage": "retrieving", "conversation_id": ctx.conversation_id, **data}
                elif kind == "done":
                    turn = self._record(ctx, data, via)
                    data = RecordedAnswer.model_validate({**dict(data), "turn": turn})
                yield kind, data
        finally:
            steps.close()

    def _record(self, ctx: AskContext, answer: Answer, via: str) -> int:
        note = undated_note(self.components, ctx.as_of, ctx.sources)
        if note and note not in answer.notes:
            answer.notes.append(note)
        turn = self.conversations.add_turn(ctx.conversation_id, answer)
        metrics.observe_answer(answer, via)
        log.info(
            "answered",
            extra={
                "fields": {
                    "status": answer.status,
                    "conversation_id": ctx.conversation_id,
                    "citations": len(answer.citations),
                    "total_ms": answer.timings.get("total_ms"),
                }
            },
        )
        return turn


def undated_note(
    components: Components, as_of: date | None, sources: list[str] | None
) -> str | None:
    """What ``as_of`` hid without saying so: articles with no known date are left out of a
    question asked as of a date (unless NEWSRAG_AS_OF_INCLUDE_UNDATED), whatever they say."""
    if as_of is None or components.settings.as_of_include_undated:
        return None
    catalog = components.store.catalog
    scope = tuple(sources or ())
    # Every matching article, minus the dated ones (day_range stops at the last possible day).
    undated = catalog.matching_article_count(Filters(sources=scope)) - (
        catalog.matching_article_count(Filters(as_of=date.max, sources=scope))
    )
    if undated <= 0:
        return None
    what = "article was" if undated == 1 else "articles were"
    return (
        f"{undated} undated {what} left out because the question is asked as of "
        f"{as_of.isoformat()} (set NEWSRAG_AS_OF_INCLUDE_UNDATED=true to include them)"
    )


def _same_owner(stored: str | None, caller: str | None) -> bool:
    if stored is None or caller is None:
        return stored is caller
    # Constant time: a widget owner carries the hash of the visitor's secret.
    return hmac.compare_digest(stored.encode(), caller.encode())
