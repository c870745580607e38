"""POST /v1/search: retrieval only, for clients that do their own generation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Principal
from api.server.deps import parts, require_read
from api.server.routes.common import ERROR_RESPONSES, IsoDate
from api.services.search import SearchService
from rag.schema import Passage

router = APIRouter(tags=["search"])


class SearchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": "Dioura attack soldiers killed"},
                {"query": "Timbuktu car bomb", "as_of": "2025-06-03", "sources": ["Sahel Monitor"]},
            ]
        },
    )

    query: str = Field(min_length=1, description="What to look for, in plain language.")
    as_of: IsoDate | None = Field(None, description="Ignore articles published after this date.")
    sources: list[str] | None = Field(
        None, max_length=50, description="Only these sources (an unknown name is a 422)."
    )
    k: int = Field(6, ge=1, le=50, description="How many passages.")


class SearchResponse(BaseModel):
    query: str
    passages: list[Passage] = Field(
        description="Best first. `start`/`end` are offsets of `text` in the article's text "
        "(`GET /v1/articles/{id}`); `score` is the fused (dense + BM25, recency) score; "
        "`dense_rank`/`lexical_rank` say where each retriever ranked it."
    )


def get_search(request: Request) -> SearchService:
    p = parts(request)
    service = getattr(request.app.state, "search", None)
    if service is None:
        service = request.app.state.search = SearchService(p.settings, p.components)
    return service


@router.post(
    "/v1/search",
    response_model=SearchResponse,
    summary="Retrieve passages (no answer)",
    description="The hybrid retrieval the answerer uses (dense + BM25, fused, `as_of` and "
    "source filters inside both searches), without the answer. Needs a key that may read "
    "articles (ask or admin).",
    responses=ERROR_RESPONSES,
)
def search(
    body: SearchRequest,
    _: Principal = Depends(require_read),
    service: SearchService = Depends(get_search),
) -> SearchResponse:
    passages = service.search(body.query, as_of=body.as_of, sources=body.sources, k=body.k)
    return SearchResponse(query=body.query, passages=passages)
