"""A stand-in for an OpenAI-compatible server: ``POST /v1/chat/completions`` with canned replies,
``POST /v1/embeddings`` with a real model's vectors.

A test queues what the "model" says next (``fake.push``) or picks a reply by a keyword of the
last user message (``fake.when``), then asserts on what the client sent (``fake.requests``).
Replies can also be an HTTP error, a slow answer or a body that is not JSON.

Embeddings come from ``fake.encoder`` (the local model, so that a test can compare them with its
own), with the faults of a real embeddings server: queued errors (``fake.push(Reply.error(503))``),
a batch limit (``max_batch``) and vectors of another size (``dimension``).

``serve(fake)`` runs it with uvicorn on 127.0.0.1 on a free port in a background thread and
yields the base URL (``http://127.0.0.1:PORT/v1``); it waits for readiness by polling and stops
the server on exit.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response


@dataclass
class Reply:
    """What the fake model does for one request."""

    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before answering (cut short when the client hangs up)
    body: str | None = None  # a raw body instead of a chat completion (malformed responses)

    @classmethod
    def error(cls, status: int = 500) -> Reply:
        return cls(status=status)

    @classmethod
    def slow(cls, content: str, delay: float) -> Reply:
        return cls(content=content, delay=delay)

    @classmethod
    def raw(cls, body: str) -> Reply:
        return cls(body=body)


@dataclass
class Recorded:
    """One request as the server received it."""

    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body.get("messages", [])

    def content_of(self, role: str) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages if m.get("role") == role)

    @property
    def inputs(self) -> list[str]:
        """The texts of an embeddings request (the API takes one string or a list)."""
        given = self.body.get("input", [])
        return given if isinstance(given, list) else [given]


@dataclass
class FakeOpenAI:
    """State shared by the app and the test: the replies to give, the requests received."""

    queue: deque[Reply | str] = field(default_factory=deque)
    rules: list[tuple[str, Reply | str]] = field(default_factory=list)
    default: Reply | str = "NOT_FOUND"
    requests: list[Recorded] = field(default_factory=list)
    encoder: Any = None  # anything with encode(texts) -> vectors; kept across reset()
    max_batch: int | None = None  # more inputs than this: 413, as TEI's --max-client-batch-size
    dimension: int | None = None  # vectors cut to this size: "another model"

    def push(self, *replies: Reply | str) -> None:
        """Replies for the next requests, in order (before any keyword rule)."""
        self.queue.extend(replies)

    def when(self, keyword: str, reply: Reply | str) -> None:
        """Reply this way when the last user message contains ``keyword``."""
        self.rules.append((keyword, reply))

    def reset(self) -> None:
        self.queue.clear()
        self.rules.clear()
        self.requests.clear()
        self.default = "NOT_FOUND"
        self.max_batch = self.dimension = None

    def pick(self, last_user_message: str) -> Reply:
        if self.queue:
            chosen = self.queue.popleft()
        else:
            chosen = next((r for k, r in self.rules if k in last_user_message), self.default)
        return Reply(content=chosen) if isinstance(chosen, str) else chosen


def completion(content: str, model: str) -> dict[str, Any]:
    """A chat completion in the shape the OpenAI API returns."""
    return {
        "id": "chatcmpl-fake-0001",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": len(content.split()),
            "total_tokens": 100 + len(content.split()),
        },
    }


def failure(status: int) -> JSONResponse:
    # Retry-After: 0 so that a client which honours it retries at once.
    return JSONResponse(
        {"error": {"message": "fake failure", "type": "server_error", "code": None}},
        status_code=status,
        headers={"Retry-After": "0"},
    )


def make_app(fake: FakeOpenAI) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        body = await request.json()
        fake.requests.append(Recorded(dict(request.headers), body))
        users = [m for m in body.get("messages", []) if m.get("role") in ("user", "human")]
        reply = fake.pick(str(users[-1].get("content", "")) if users else "")
        waited = 0.0
        while waited < reply.delay:
            if await request.is_disconnected():
                break
            await asyncio.sleep(0.02)
            waited += 0.02
        if reply.status != 200:
            return failure(reply.status)
        if reply.body is not None:
            return PlainTextResponse(reply.body, media_type="application/json")
        return JSONResponse(completion(reply.content, body.get("model", "")))

    @app.post("/v1/embeddings")
    async def embeddings(request: Request) -> Response:
        recorded = Recorded(dict(request.headers), await request.json())
        fake.requests.append(recorded)
        if fake.queue:  # only failures make sense here: the vectors come from the encoder
            return failure(fake.pick("").status)
        if fake.max_batch is not None and len(recorded.inputs) > fake.max_batch:
            return failure(413)
        vectors = fake.encoder.encode(recorded.inputs)
        if fake.dimension is not None:
            vectors = [v[: fake.dimension] for v in vectors]
        # Out of order on purpose: clients must sort by index.
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        return JSONResponse(
            {"object": "list", "model": recorded.body.get("model"), "data": data[::-1]}
        )

    return app


@contextmanager
def serve(fake: FakeOpenAI, timeout: float = 10.0) -> Iterator[str]:
    """Run the fake on a free port of 127.0.0.1; yield its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound before uvicorn starts: no race for the port
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        make_app(fake), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the fake OpenAI server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
