"""The ASGI middleware around every request: body size limit, request id / access log /
metrics / last-resort 500 (``ObserveMiddleware``), and CORS with a live allowlist."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.logs import new_request_id, request_id_var

log = logging.getLogger("api")

ALLOWED_HEADERS = (
    "Authorization",
    "X-API-Key",
    "Content-Type",
    "X-Request-ID",
    "Last-Event-ID",
    "X-Newsrag-Visitor",
)
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After")


# --- body size -------------------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes (NEWSRAG_MAX_BODY_BYTES)"


def _too_large_body(limit: int) -> dict:
    # ObserveMiddleware (outside this one) has set the request id already.
    return {"message": _too_large(limit), "status": 413, "request_id": request_id_var.get()}


class BodyLimitMiddleware:
    """413 for a body over ``max_bytes``: at once when Content-Length says so, else as soon as
    the bytes actually received pass the limit (chunked bodies, or a Content-Length that lies).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _send_json(send, 413, _too_large_body(self.max_bytes))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)  # FastAPI turns it into the 413 response
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:  # read outside a FastAPI route (a mounted app)
            if started:
                raise
            await _send_json(send, 413, _too_large_body(self.max_bytes))


async def _send_json(send: Send, status: int, body: dict, headers: list | None = None) -> None:
    raw = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


# --- request id, access log, metrics, last-resort 500 -----------------------------------------


class ObserveMiddleware:
    """Gives each request an id (``X-Request-ID`` in and out), logs one JSON line per request,
    counts it by route template and status, and turns any unhandled exception into a JSON 500
    (the stack trace goes to the log, never to the client)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id(Headers(scope=scope).get("x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_observed(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        metrics.HTTP_IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_observed)
        except Exception:
            log.exception("unhandled error in %s %s", scope["method"], scope.get("path"))
            status = 500
            if not response_started:
                message = (
                    f"internal error; the server log has the details (request id {request_id})"
                )
                await _send_json(
                    send,
                    500,
                    {"message": message, "status": 500, "request_id": request_id},
                    [(b"x-request-id", request_id.encode())],
                )
        finally:
            metrics.HTTP_IN_FLIGHT.dec()
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            labels = {"method": scope["method"], "route": route, "status": str(status)}
            metrics.HTTP_REQUESTS.labels(**labels).inc()
            metrics.HTTP_LATENCY.labels(**labels).observe(elapsed)
            principal = scope.get("state", {}).get("principal")
            log.info(
                "%s %s %d",
                scope["method"],
                scope.get("path"),
                status,
                extra={
                    "fields": {
                        "method": scope["method"],
                        "path": scope.get("path"),
                        "route": route,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 1),
                        "client": (scope.get("client") or ("", 0))[0],
                        "key_id": getattr(principal, "key_id", None),
                    }
                },
            )
            request_id_var.reset(token)


# --- CORS ------------------------------------------------------------------------------------


class CORSMiddleware:
    """CORS with a dynamic allowlist (widget keys are created while the server runs).

    Preflights from allowed origins get 204 with the allowed methods and headers; from other
    origins 403 without CORS headers (the browser then blocks the call). Actual requests from
    allowed origins get ``Access-Control-Allow-Origin: <origin>`` (never ``*``).
    """

    def __init__(self, app: ASGIApp, allows: Callable[[str, str], bool]) -> None:
        self.app = app
        self.allows = allows

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if not origin:
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        allowed = self.allows(origin, path)
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if preflight:
            await self._preflight(origin, allowed, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                raw.append((b"vary", b"Origin"))
                if allowed:
                    raw.append((b"access-control-allow-origin", origin.encode("latin-1")))
                    raw.append(
                        (b"access-control-expose-headers", ", ".join(EXPOSED_HEADERS).encode())
                    )
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    async def _preflight(origin: str, allowed: bool, send: Send) -> None:
        if allowed:
            status, body = 204, b""
            headers = [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-allow-methods", b"GET, POST, DELETE, OPTIONS"),
                (b"access-control-allow-headers", ", ".join(ALLOWED_HEADERS).encode()),
                (b"access-control-max-age", b"600"),
                (b"vary", b"Origin"),
            ]
        else:
            status = 403
            body = json.dumps(
                {"message": f"origin {origin} is not allowed to call this API", "status": 403}
            ).encode()
            headers = [(b"content-type", b"application/json"), (b"vary", b"Origin")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
