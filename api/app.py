"""The FastAPI app factory: ``uvicorn --factory api.app:create_app`` (``newsrag serve``).

``create_app`` builds the app's parts from one Settings object (nothing at import time); the
lifespan loads the models once, starts the ingest job worker, and on shutdown cancels jobs
cleanly. Routers are thin (``api/routes``); the logic lives in ``api/services``.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import metrics
from api.auth import Authenticator, CORSMiddleware, KeyStore, is_loopback
from api.components import Components
from api.deps import AppParts
from api.errors import ApiError
from api.logs import new_request_id, request_id_var
from api.routes import articles, ask, conversations, jobs, ops
from api.services.articles import ArticleService
from api.services.ask import AskService
from api.state.appdb import AppDB
from api.state.conversations import ConversationStore
from api.state.jobs import JobManager
from rag.settings import Settings

log = logging.getLogger("api")

DESCRIPTION = """Question answering over news articles; every claim cites the exact passage.

Send an API key as `Authorization: Bearer KEY` or `X-API-Key: KEY` (create one with
`newsrag keys create --scope ask|admin|widget`). With no key at all the server runs in
local-only mode: no key needed, requests from this machine only. Errors are JSON:
`{"message": "…", "status": 422, "request_id": "…"}`.
"""


def _version() -> str:
    try:
        return version("newsrag")
    except PackageNotFoundError:
        return "dev"


class LocalOnlyRefused(RuntimeError):
    """Serving on a public interface without any API key."""


def build_parts(settings: Settings, components: Components | None = None) -> AppParts:
    components = components or Components(settings)
    db = AppDB(settings.app_db_path)
    keys = KeyStore(db)
    conversation_store = ConversationStore(settings.app_db_path)
    job_manager = JobManager(db)
    return AppParts(
        settings=settings,
        components=components,
        db=db,
        keys=keys,
        auth=Authenticator(settings, keys),
        conversations=conversation_store,
        jobs=job_manager,
        asker=AskService(settings, components, conversation_store),
        articles=ArticleService(settings, components, job_manager),
    )


def check_exposure(settings: Settings, keys: KeyStore) -> None:
    """Refuse to serve a non-loopback interface while no API key exists."""
    if not keys.has_keys() and not is_loopback(settings.host):
        raise LocalOnlyRefused(
            f"refusing to listen on {settings.host}: no API key exists, so anyone who can reach "
            "this address could use the API. Create a key first (`newsrag keys create --scope "
            "admin`), or serve on 127.0.0.1."
        )


def create_app(
    settings: Settings | None = None, *, components: Components | None = None
) -> FastAPI:
    """The app. ``components`` may be passed in (tests share a loaded model); by default they
    are built from ``settings`` (default: ``Settings()``: NEWSRAG_* variables, newsrag.toml)."""
    settings = settings or Settings()
    p = build_parts(settings, components)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        check_exposure(settings, p.keys)
        await run_in_threadpool(p.components.chain.warm_up)
        p.components.ingestor  # noqa: B018 - build it now, not in the first request
        p.jobs.start()
        p.components.start_background_sync()  # no-op unless the store is a shared Chroma server
        if p.auth.local_only():
            log.warning(
                "local-only mode: no API key exists; serving requests from this machine only "
                "(create one with `newsrag keys create`)"
            )
        else:
            log.info("API keys required (%d active)", len(p.keys.list()))
        try:
            yield
        finally:
            await run_in_threadpool(p.jobs.shutdown)
            p.components.stop_background_sync()
            log.info("shut down cleanly")

    app = FastAPI(
        title="newsrag",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "ask", "description": "Answers with citations (JSON or a stream)."},
            {"name": "conversations", "description": "History for follow-up questions."},
            {"name": "articles", "description": "Ingest, list, read and delete articles."},
            {"name": "jobs", "description": "Background ingest jobs."},
            {"name": "ops", "description": "Health and metrics."},
        ],
    )
    app.state.parts = p
    app.state.components = p.components

    for router in (ask.router, conversations.router, articles.router, jobs.router, ops.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=ops.STATIC_DIR, check_dir=False), name="static")

    _install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, allows=p.auth.cors_allows)
    app.add_middleware(ObserveMiddleware)  # outermost of ours: sees every response

    if settings.slack_signing_secret:
        from api.slack import mount_slack

        mount_slack(app, p.components, p.conversations)
    return app


# --- errors ----------------------------------------------------------------------------------


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id") or request_id_var.get()


def _error(request: Request, status: int, message: str, headers=None, detail=None) -> JSONResponse:
    body = {"message": message, "status": status, "request_id": _request_id(request)}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return _error(request, 422, _summarize(request, exc.errors()), detail=errors)


def _summarize(request: Request, errors) -> str:
    messages: list[str] = []
    for e in errors:
        if e.get("type") == "json_invalid":
            reason = (e.get("ctx") or {}).get("error", "invalid JSON")
            position = e["loc"][-1] if e.get("loc") else "?"
            return f"malformed JSON in the request body at character {position}: {reason}"
        loc = [str(x) for x in e.get("loc", ()) if x != "body"]
        content_type = request.headers.get("content-type", "")
        if loc == [] and request.method in ("POST", "PUT", "PATCH") and "json" not in content_type:
            return "the request body must be JSON, sent with `Content-Type: application/json`"
        messages.append(f"{'.'.join(loc) or 'body'}: {e.get('msg', 'invalid')}")
    shown = "; ".join(messages[:5])
    return shown + (f" (and {len(messages) - 5} more)" if len(messages) > 5 else "")


# --- body size -------------------------------------------------------------------------------


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"request body too large: the limit is {limit:,} bytes (NEWSRAG_MAX_BODY_BYTES)"


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
            await _send_json(send, 413, {"message": _too_large(self.max_bytes), "status": 413})
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
            await _send_json(send, 413, {"message": _too_large(self.max_bytes), "status": 413})


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
