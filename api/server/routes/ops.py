"""GET /healthz, GET /metrics, and the widget's static files (/, /widget.js)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from api import metrics
from api.errors import NotFound
from api.server.deps import AppParts, check_access, parts

log = logging.getLogger(__name__)
router = APIRouter()

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# Sites embed `<script src=".../widget.js">` without a version: cache briefly, then revalidate.
WIDGET_CACHE = "public, max-age=300, stale-while-revalidate=86400"


class StoreHealth(BaseModel):
    reachable: bool
    articles: int | None = None
    chunks: int | None = None
    vectors: int | None = None
    error: str | None = None


class Health(BaseModel):
    status: str = Field(description="ok, or unavailable (then HTTP 503)")
    store: StoreHealth
    model_loaded: bool = Field(description="The embedding model is in memory.")
    mode: str = Field(description="api-keys, or local-only (no key exists)")
    jobs: dict[str, int]


@router.get(
    "/healthz",
    response_model=Health,
    tags=["ops"],
    summary="Store reachable, model loaded, article count (503 when the store is unreachable)",
    responses={503: {"model": Health, "description": "The store is unreachable"}},
)
def healthz(p: AppParts = Depends(parts)) -> JSONResponse:
    try:
        stats = p.components.store.stats()
        p.db.ping()
        store = StoreHealth(
            reachable=True,
            articles=stats["articles"],
            chunks=stats["chunks"],
            vectors=stats["vectors"],
        )
        metrics.ARTICLES.set(stats["articles"])
    except Exception as exc:
        log.warning("health check: store unreachable: %s", exc)
        store = StoreHealth(reachable=False, error=type(exc).__name__)
    embeddings = p.components.__dict__.get("embeddings")  # not built = not loaded
    health = Health(
        status="ok" if store.reachable else "unavailable",
        store=store,
        model_loaded=embeddings is not None and embeddings.loaded,
        mode="local-only" if p.auth.local_only() else "api-keys",
        jobs=p.jobs.active(),
    )
    return JSONResponse(health.model_dump(), status_code=200 if store.reachable else 503)


def _metrics_access(request: Request) -> None:
    if not parts(request).settings.metrics_public:
        check_access(request, "admin")


@router.get(
    "/metrics",
    tags=["ops"],
    summary="Prometheus metrics (admin key unless NEWSRAG_METRICS_PUBLIC)",
    response_class=Response,
    dependencies=[Depends(_metrics_access)],
)
def prometheus() -> Response:
    body, content_type = metrics.render()
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})


@router.get("/widget.js", include_in_schema=False)
def widget_js(request: Request) -> Response:
    path = STATIC_DIR / "widget.js"
    if not path.is_file():
        raise NotFound("the chat widget is not installed (api/server/static/widget.js is missing)")
    stat = path.stat()
    etag = '"' + hashlib.sha1(f"{stat.st_mtime_ns}-{stat.st_size}".encode()).hexdigest() + '"'
    headers = {
        "Cache-Control": WIDGET_CACHE,
        "ETag": etag,
        "Cross-Origin-Resource-Policy": "cross-origin",  # embeddable by pages that use COEP
        "X-Content-Type-Options": "nosniff",
    }
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/", include_in_schema=False)
def index() -> Response:
    path = STATIC_DIR / "index.html"
    if not path.is_file():
        return RedirectResponse("/docs")
    return FileResponse(
        path, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )
