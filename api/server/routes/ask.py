"""POST /v1/ask (JSON answer) and POST /v1/ask/stream (server-sent events)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterable, Iterator
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import Principal
from api.errors import ApiError
from api.logs import request_id_var
from api.server.deps import get_asker, require_ask
from api.server.routes import stream_events
from api.server.routes.common import ERROR_RESPONSES, IsoDate
from api.services.ask import AskContext, AskService
from rag.schema import Answer

log = logging.getLogger(__name__)
router = APIRouter(tags=["ask"])


class AskRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"question": "How many soldiers died at Dioura?"},
                {"question": "and at Timbuktu?", "conversation_id": "Qm9vdHN0cmFwcGVk"},
                {
                    "question": "What did the army say about the Timbuktu attack?",
                    "as_of": "2025-06-03",
                    "sources": ["Sahel Monitor"],
                    "top_k": 6,
                },
            ]
        }
    )

    question: str = Field(
        min_length=1,
        description="The question in plain language (limit: NEWSRAG_MAX_QUESTION_CHARS).",
    )
    conversation_id: str | None = Field(
        None,
        max_length=200,
        description="Continue this conversation (follow-ups are rewritten using its history); "
        "omit to start a new one. The answer carries the id.",
    )
    as_of: IsoDate | None = Field(
        None, description="Answer as of this date: articles published later are ignored."
    )
    sources: list[str] | None = Field(
        None, max_length=50, description="Only search articles of these sources."
    )
    top_k: int | None = Field(None, ge=1, le=50, description="Passages handed to the answerer.")


def prepared(
    body: AskRequest,
    principal: Principal = Depends(require_ask),
    asker: AskService = Depends(get_asker),
) -> AskContext:
    """Validation and the conversation happen before any byte of the answer is sent, so their
    errors are plain HTTP errors (422, 404) even for the stream."""
    return asker.prepare(
        principal,
        body.question,
        conversation_id=body.conversation_id,
        as_of=body.as_of,
        sources=body.sources,
        top_k=body.top_k,
    )


@router.post(
    "/v1/ask",
    response_model=Answer,
    summary="Answer a question, with citations",
    responses=ERROR_RESPONSES,
)
def ask(ctx: AskContext = Depends(prepared), asker: AskService = Depends(get_asker)) -> Answer:
    return asker.ask(ctx)


_STREAM_DOC = """Server-sent events, in order:

* `status` `{"stage": "retrieving", "conversation_id": "…", "standalone_question": "…"}`
* `status` `{"stage": "answering", "passages": 6}`
* `sentence` `{"text": "… [1]"}`, once per sentence of the answer
* `citations` `[Citation, …]`
* `done`: the full answer object (as `POST /v1/ask` returns it)

On failure: `error` `{"message": "…", "status": 500}`, then the stream ends.

Each event has an `id` (1, 2, 3… within the stream). A stream is not resumable: a request
with `Last-Event-ID` computes a new answer. After a dropped stream, the finished turn is in
`GET /v1/conversations/{conversation_id}` (the first event carries the id).
"""


@router.post(
    "/v1/ask/stream",
    response_class=EventSourceResponse,
    summary="Answer a question as server-sent events",
    description=_STREAM_DOC,
    responses=ERROR_RESPONSES,
    openapi_extra=stream_events.openapi_extra(),
)
async def ask_stream(
    ctx: AskContext = Depends(prepared), asker: AskService = Depends(get_asker)
) -> AsyncIterable[ServerSentEvent]:
    steps = asker.events(ctx)
    sequence = 0
    try:
        while True:
            # The chain is synchronous and CPU-bound: each step runs in the threadpool, and
            # each event is sent as soon as its step is done.
            item = await run_in_threadpool(_next, steps)
            if item is None:
                break
            kind, data = item
            sequence += 1
            yield ServerSentEvent(event=kind, data=data, id=str(sequence))
    except Exception as exc:
        if isinstance(exc, ApiError):
            message, status = exc.message, exc.status
        else:
            log.exception("streaming an answer failed")
            message = f"answering failed (request id {request_id_var.get()})"
            status = 500
        error = {"message": message, "status": status}
        yield ServerSentEvent(event="error", data=error, id=str(sequence + 1))
    finally:
        # ValueError: still running in a worker thread (the client went away); it ends alone.
        with contextlib.suppress(ValueError):
            steps.close()


def _next(steps: Iterator[tuple[str, Any]]) -> tuple[str, Any] | None:
    return next(steps, None)
