"""Connection limits: slow or idle clients cannot hold connections open.

uvicorn closes an idle keep-alive connection after ``timeout_keep_alive`` but has no deadline
for the request itself: a client that connects and says nothing, or sends its headers or body a
byte at a time (slowloris), keeps a connection and its buffers forever. Three deadlines, each a
setting (docs/deploy.md):

* ``NEWSRAG_KEEP_ALIVE_TIMEOUT``: an idle kept-alive connection is closed (uvicorn's own);
* ``NEWSRAG_HEADER_TIMEOUT``: the request line and headers must arrive within this many seconds
  of connecting, or of the first byte of the next request on a kept-alive connection; else the
  connection is closed without a response (``HeaderDeadline``, on uvicorn's HTTP protocol);
* ``NEWSRAG_BODY_TIMEOUT``: the whole body must arrive within this many seconds of the app
  asking for it; else 408 and the connection is closed (``BodyTimeoutMiddleware``).

While the app computes an answer or streams one, the client owes no bytes, so no deadline runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import FastAPI, HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from rag.settings import Settings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional for uvicorn
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

log = logging.getLogger("api")


# --- headers: uvicorn's protocol with a deadline -----------------------------------------------


class _HeaderDeadline:
    """Mixin for uvicorn's HTTP protocols: closes a connection whose request headers are not
    complete ``header_timeout`` seconds after it opened (or after its next request began)."""

    # Set by ``uvicorn_options``; spawned workers (--workers N) read it from their settings.
    header_timeout: float | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._seen_cycle = None
        self._deadline: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle  # type: ignore[attr-defined]
        if self._deadline is None and (cycle is None or cycle.response_complete):
            self._arm()  # the first byte of a new request on a kept-alive connection
        super().data_received(data)  # type: ignore[misc]
        cycle = self.cycle  # type: ignore[attr-defined]
        if cycle is not None and cycle is not self._seen_cycle:
            self._seen_cycle = cycle  # a new request object: its headers are complete
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self) -> None:
        self._disarm()
        timeout = type(self).header_timeout
        if timeout is None:
            timeout = type(self).header_timeout = Settings().header_timeout
        loop = self.loop  # type: ignore[attr-defined]
        self._deadline = loop.call_later(timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if getattr(self, "_deadline", None) is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_too_slow(self) -> None:
        self._deadline = None
        transport = self.transport  # type: ignore[attr-defined]
        if not transport.is_closing():
            client = self.client  # type: ignore[attr-defined]
            log.info("closed a connection from %s: no complete request headers in time", client)
            transport.close()


class H11WithDeadline(_HeaderDeadline, H11Protocol):
    pass


if HttpToolsProtocol is not None:

    class HttpToolsWithDeadline(_HeaderDeadline, HttpToolsProtocol):
        pass

    PROTOCOL: type = HttpToolsWithDeadline
else:
    PROTOCOL = H11WithDeadline


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` / ``uvicorn.Config`` that set the deadlines."""
    PROTOCOL.header_timeout = settings.header_timeout
    return {"http": PROTOCOL, "timeout_keep_alive": settings.keep_alive_timeout}


# --- bodies --------------------------------------------------------------------------------------


class BodyTimeout(HTTPException):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            f"the request body did not arrive within {seconds:g} s (NEWSRAG_BODY_TIMEOUT)",
            headers={"Connection": "close"},
        )


class BodyTimeoutMiddleware:
    """408 (and the connection closed) when the body takes longer than ``seconds`` to arrive,
    counted from the app's first read of it. Waiting for a disconnect once the body is in (what
    a streaming response does) is not timed."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        complete = False
        started = False

        async def timed_receive() -> Message:
            nonlocal deadline, complete
            if complete:
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + self.seconds
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                log.info("request body too slow: %s %s", scope["method"], scope.get("path"))
                raise BodyTimeout(self.seconds) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, tracked_send)
        except BodyTimeout as e:  # read outside a FastAPI route (a mounted app, a middleware)
            if started:
                raise
            await _send_408(send, e.detail)


async def _send_408(send: Send, message: str) -> None:
    import json

    body = json.dumps({"message": message, "status": 408}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 408,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def install_body_guards(app: FastAPI, settings: Settings) -> None:
    """The body checks that sit inside the body size limit (call before adding it): the
    lone-surrogate check (``textguard``) reads bodies whole, under the body deadline."""
    from api.server.textguard import TextGuardMiddleware

    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(BodyTimeoutMiddleware, seconds=settings.body_timeout)
