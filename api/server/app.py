"""The FastAPI app factory: ``uvicorn --factory api.server.app:create_app`` (``newsrag serve``).

``create_app`` builds the app's parts from one Settings object (nothing at import time); the
lifespan loads the models once, starts the ingest job worker, and on shutdown cancels jobs
cleanly. Routers are thin (``api/server/routes``); the logic lives in ``api/services``.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import metrics
from api.auth import Authenticator, KeyStore, is_loopback
from api.components import Components
from api.server.connections import install_body_guards
from api.server.deps import AppParts
from api.server.docs import install_docs
from api.server.handlers import install_error_handlers
from api.server.hosts import HostPolicy, TrustedHostMiddleware
from api.server.middleware import BodyLimitMiddleware, CORSMiddleware, ObserveMiddleware
from api.server.routes import (
    articles,
    ask,
    conversations,
    feedback,
    jobs,
    openai_compat,
    ops,
    search,
)
from api.server.strict_query import reject_unknown_query
from api.services.articles import ArticleService
from api.services.ask import AskService
from api.state.appdb import AppDB
from api.state.conversations import ConversationStore
from api.state.feedback import ApiFeedbackStore
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
    db = AppDB.for_settings(settings)  # NEWSRAG_DATABASE_URL, or the data dir's SQLite file
    keys = KeyStore(db)
    conversation_store = ConversationStore(db)
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
        feedback=ApiFeedbackStore(db),
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
            metrics.worker_exit()  # --workers N: this worker's live gauges leave /metrics
            log.info("shut down cleanly")

    app = FastAPI(
        title="newsrag",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # install_docs serves them from local assets
        redoc_url=None,
        dependencies=[Depends(reject_unknown_query)],
        openapi_tags=[
            {"name": "ask", "description": "Answers with citations (JSON or a stream)."},
            {"name": "conversations", "description": "History for follow-up questions."},
            {"name": "articles", "description": "Ingest, list, read and delete articles."},
            {"name": "jobs", "description": "Background ingest jobs."},
            {"name": "ops", "description": "Health and metrics."},
            {"name": "search", "description": "Passages without an answer (own generation)."},
            {"name": "openai", "description": "OpenAI-compatible chat (Open WebUI, clients)."},
        ],
    )
    app.state.parts = p
    app.state.components = p.components

    for router in (ask.router, conversations.router, articles.router, jobs.router, ops.router):
        app.include_router(router)
    app.include_router(feedback.router)
    app.include_router(search.router)
    app.include_router(openai_compat.router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=ops.STATIC_DIR, check_dir=False), name="static")

    install_error_handlers(app)
    install_body_guards(app, settings)  # inside the size limit: lone surrogates, body deadline
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, allows=p.auth.cors_allows)
    # Before CORS, the body and every route: a foreign Host is a rebinding page (hosts.py).
    app.add_middleware(
        TrustedHostMiddleware, policy=HostPolicy(settings.host, settings.allowed_hosts)
    )
    app.add_middleware(ObserveMiddleware)  # outermost of ours: sees every response

    if settings.slack_signing_secret:
        from api.slack import mount_slack

        mount_slack(app, p.components, p.conversations)
    return app
