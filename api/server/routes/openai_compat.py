"""POST /v1/chat/completions and GET /v1/models: OpenAI's chat API over newsrag's answers.

Same keys, scopes, rate limit and widget-origin rules as ``POST /v1/ask`` (the ``ask``
permission); the work is ``AskService``'s, the shapes ``api/services/openai_compat.py``'s.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import secrets
import time
from collections.abc import AsyncIterable, Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from api.auth import Principal
from api.errors import ApiError, NotFound
from api.logs import request_id_var
from api.server.deps import get_asker, require_ask
from api.server.routes.common import ERROR_RESPONSES, ErrorBody, IsoDate
from api.services import openai_compat as oa
from api.services.ask import AskContext, AskService

log = logging.getLogger(__name__)
router = APIRouter(tags=["openai"])
_STARTED = int(time.time())


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls…: accepted, not used

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[Any] | None = None


class ChatRequest(BaseModel):
    # OpenAI clients send parameters a generative model takes (temperature, max_tokens, n,
    # stream_options, user…). The answer is extractive, so they are accepted and ignored.
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "newsrag",
                    "messages": [{"role": "user", "content": "How many soldiers died at Dioura?"}],
                },
                {
                    "model": "newsrag",
                    "stream": True,
                    "messages": [
                        {"role": "user", "content": "How many soldiers died at Dioura?"},
                        {"role": "assistant", "content": "40 soldiers, as claimed by JNIM … [1]"},
                        {"role": "user", "content": "and at Timbuktu?"},
                    ],
                },
            ]
        },
    )

    model: str = Field(oa.MODEL_ID, description="`newsrag` (the one model `GET /v1/models` lists).")
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=200,
        description="The last user message is the question; earlier ones are the conversation.",
    )
    stream: bool = Field(False, description="`chat.completion.chunk` events, then `[DONE]`.")
    # newsrag's own parameters (the openai client sends them with `extra_body`).
    conversation_id: str | None = Field(
        None, max_length=200, description="Continue a stored conversation instead."
    )
    as_of: IsoDate | None = Field(None, description="Ignore articles published after this date.")
    sources: list[str] | None = Field(None, max_length=50, description="Only these sources.")
    top_k: int | None = Field(None, ge=1, le=50, description="Passages handed to the answerer.")


def prepared(
    body: ChatRequest,
    principal: Principal = Depends(require_ask),
    asker: AskService = Depends(get_asker),
) -> tuple[ChatRequest, AskContext]:
    """Validation, the history and the conversation come before any byte is sent, so their
    errors are plain HTTP errors even for a stream."""
    if body.model != oa.MODEL_ID:
        raise NotFound(f"no model {body.model!r}; this server has one model: {oa.MODEL_ID!r}")
    turns = [(m.role, oa.message_text(m.content)) for m in body.messages]
    find = None
    if not body.conversation_id:  # a stored conversation brings its own history
        find = functools.partial(asker.conversations.find_turn, owner=principal.owner)
    question, history = oa.question_and_history(turns, find)
    ctx = asker.prepare(
        principal,
        question,
        conversation_id=body.conversation_id,
        as_of=body.as_of,
        sources=body.sources,
        top_k=body.top_k,
    )
    if not body.conversation_id:
        ctx.history = history[-asker.settings.conversation_history_turns :]
    return body, ctx


_CHAT_DOC = """OpenAI's chat completions. The last user message is the question, earlier user and
assistant messages the conversation (follow-ups such as "and at Timbuktu?" are rewritten from
it); system messages are ignored. The content is the answer with its [n] markers, then a
`Sources:` list (title, source, date, URL); the full answer contract (citations with quotes and
offsets, status, conversation id) is in the extra field `newsrag`.

With `stream: true`: `chat.completion.chunk` events (role, one sentence at a time, the sources
list, then a last chunk with `finish_reason: "stop"` and `newsrag`), then `data: [DONE]`.
"""


@router.post(
    "/v1/chat/completions",
    summary="Chat completions (OpenAI-compatible)",
    description=_CHAT_DOC,
    responses={
        **ERROR_RESPONSES,
        404: {"model": ErrorBody, "description": "Another model, or an unknown conversation_id"},
    },
    response_model=None,
)
async def chat_completions(
    request: tuple[ChatRequest, AskContext] = Depends(prepared),
    asker: AskService = Depends(get_asker),
) -> Any:
    body, ctx = request
    completion_id = f"chatcmpl-{secrets.token_hex(12)}"
    if not body.stream:
        answer = await run_in_threadpool(asker.ask, ctx, "openai")
        return oa.completion(answer, completion_id, body.model)
    return EventSourceResponse(
        _stream(asker, ctx, completion_id, body.model), headers={"X-Accel-Buffering": "no"}
    )


async def _stream(
    asker: AskService, ctx: AskContext, completion_id: str, model: str
) -> AsyncIterable[bytes]:
    created = int(time.time())
    steps = asker.events(ctx, via="openai-stream")

    sequence = 0

    def event(data: dict[str, Any] | str) -> bytes:
        nonlocal sequence
        sequence += 1
        text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        return format_sse_event(data_str=text, id=str(sequence))

    first = True
    try:
        yield event(oa.chunk(completion_id, model, created, {"role": "assistant", "content": ""}))
        while True:
            item = await run_in_threadpool(_next, steps)
            if item is None:
                break
            kind, data = item
            if kind == "sentence":
                text = data["text"] if first else " " + data["text"]
                first = False
                yield event(oa.chunk(completion_id, model, created, {"content": text}))
            elif kind == "done":
                sources = oa.sources_text(data)
                if sources:
                    yield event(oa.chunk(completion_id, model, created, {"content": sources}))
                last = oa.chunk(
                    completion_id, model, created, {}, "stop", newsrag=oa.extra_of(data)
                )
                yield event(last)
    except Exception as exc:
        if isinstance(exc, ApiError):
            message, status = exc.message, exc.status
        else:
            log.exception("streaming a chat completion failed")
            message, status = f"answering failed (request id {request_id_var.get()})", 500
        # OpenAI's clients raise on an event that carries `error`.
        yield event({"error": {"message": message, "type": "server_error", "code": status}})
    finally:
        with contextlib.suppress(ValueError):  # still running in a worker thread
            steps.close()
    yield event("[DONE]")


def _next(steps: Iterator[tuple[str, Any]]) -> tuple[str, Any] | None:
    return next(steps, None)


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


@router.get(
    "/v1/models",
    response_model=ModelList,
    summary="The models (OpenAI-compatible): one, `newsrag`",
    responses=ERROR_RESPONSES,
)
def models(_: Principal = Depends(require_ask)) -> dict[str, Any]:
    return oa.models_list(_STARTED)
