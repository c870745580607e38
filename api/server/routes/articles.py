"""POST/GET/DELETE /v1/articles: ingest (inline or as a job), list, read with chunks, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.auth import Principal
from api.errors import Invalid
from api.server.deps import get_articles, get_settings, require_admin, require_read
from api.server.routes.common import ERROR_RESPONSES, Deleted, IsoDate
from api.services.articles import ArticleService
from rag.schema import Article, Chunk, IngestReport
from rag.settings import Settings

router = APIRouter(tags=["articles"])


class ArticleIn(BaseModel):
    id: str | None = Field(
        None, max_length=200, description="Stable id; default: sha1 of the url, else of the text."
    )
    title: str
    text: str
    url: str | None = None
    published: str | None = Field(
        None, description="Publication date (2025-06-02, RFC 2822 and the like)."
    )
    source: str | None = Field(None, description="Publisher or feed name (source filters).")
    authors: list[str] | None = None
    origin: str | None = Field(
        None,
        max_length=2000,
        description="Where the record was loaded from, as reports and admins see it (newsrag "
        "ingest sends the file and line); default request:articles[N].",
    )


class IngestRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "articles": [
                        {
                            "title": "Car bomb and gunfight at Timbuktu army camp",
                            "text": "Militants attacked a military camp in Timbuktu on Monday…",
                            "url": "https://example.org/2025/06/02/timbuktu",
                            "published": "2025-06-02",
                            "source": "Sahel Monitor",
                        }
                    ]
                },
                {"urls": ["https://example.org/feeds/sahel.rss"]},
            ]
        }
    )

    articles: list[ArticleIn] | None = Field(None, description="Articles as JSON.")
    urls: list[str] | None = Field(
        None, description="Pages or feeds to fetch (always a background job; SSRF-guarded)."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> IngestRequest:
        if bool(self.articles) == bool(self.urls):
            raise ValueError("give a non-empty `articles` list or a non-empty `urls` list")
        return self


class JobAccepted(BaseModel):
    job_id: str
    status_url: str


class ArticleSummary(BaseModel):
    id: str
    title: str
    url: str | None = None
    published: IsoDate | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    chars: int = Field(description="Length of the text.")


class ArticleList(BaseModel):
    total: int
    offset: int
    limit: int
    articles: list[ArticleSummary]


class ArticleDetail(BaseModel):
    article: Article
    chunks: list[Chunk] = Field(description="With their character offsets into article.text.")


class SourceDeleted(BaseModel):
    source: str
    deleted: int


@router.post(
    "/v1/articles",
    summary="Ingest articles (JSON) or URLs",
    description="Up to NEWSRAG_SYNC_INGEST_MAX_ARTICLES articles are ingested before the "
    "response, which is the ingest report (as `newsrag ingest --json` prints it). Larger "
    "batches and URLs run as a background job: 202 with the job id (`GET /v1/jobs/{id}`).",
    responses={
        200: {"model": IngestReport, "description": "Ingested; the report"},
        202: {"model": JobAccepted, "description": "Queued as a background job"},
        **ERROR_RESPONSES,
    },
    response_model=None,
)
def post_articles(
    body: IngestRequest,
    request: Request,
    principal: Principal = Depends(require_admin),
    service: ArticleService = Depends(get_articles),
    settings: Settings = Depends(get_settings),
) -> IngestReport | JSONResponse:
    if body.urls:
        if len(body.urls) > settings.max_urls_per_request:
            raise Invalid(
                f"{len(body.urls)} URLs; at most {settings.max_urls_per_request} per request"
            )
        urls = service.check_urls(body.urls)
        job_id = service.submit_urls(urls, principal.owner)
        return _accepted(request, job_id)
    items = service.to_items([a.model_dump(exclude_none=True) for a in body.articles or []])
    if len(items) > settings.sync_ingest_max_articles:
        return _accepted(request, service.submit_items(items, principal.owner))
    return service.ingest_now(items)


def _accepted(request: Request, job_id: str) -> JSONResponse:
    url = str(request.url_for("get_job", job_id=job_id).path)
    return JSONResponse(
        JobAccepted(job_id=job_id, status_url=url).model_dump(),
        status_code=202,
        headers={"Location": url},
    )


@router.get(
    "/v1/articles",
    response_model=ArticleList,
    summary="List articles, newest first",
    responses=ERROR_RESPONSES,
)
def list_articles(
    offset: int = Query(0, ge=0),
    limit: int = Query(50, ge=1, le=500),
    source: str | None = Query(None, description="Only this source."),
    since: IsoDate | None = Query(None, description="Published on or after (YYYY-MM-DD)."),
    until: IsoDate | None = Query(None, description="Published on or before (YYYY-MM-DD)."),
    _: Principal = Depends(require_read),
    service: ArticleService = Depends(get_articles),
) -> ArticleList:
    total, articles = service.list(
        source=source, since=since, until=until, offset=offset, limit=limit
    )
    return ArticleList(
        total=total,
        offset=offset,
        limit=limit,
        articles=[
            ArticleSummary(**a.model_dump(exclude={"text", "origin"}), chars=len(a.text))
            for a in articles
        ],
    )


@router.get(
    "/v1/articles/{article_id:path}",
    response_model=ArticleDetail,
    summary="An article with its chunks",
    responses={**ERROR_RESPONSES, 404: {"description": "No such article"}},
)
def get_article(
    article_id: str,
    principal: Principal = Depends(require_read),
    service: ArticleService = Depends(get_articles),
) -> ArticleDetail:
    article, chunks = service.get(article_id)
    if not principal.is_admin:
        article = article.model_copy(update={"origin": ""})  # server paths are the admin's
    return ArticleDetail(article=article, chunks=chunks)


@router.delete(
    "/v1/articles/{article_id:path}",
    response_model=Deleted,
    summary="Delete an article (its chunks, vectors and BM25 rows)",
    responses={**ERROR_RESPONSES, 404: {"description": "No such article"}},
)
def delete_article(
    article_id: str,
    _: Principal = Depends(require_admin),
    service: ArticleService = Depends(get_articles),
) -> Deleted:
    service.delete(article_id)
    return Deleted(id=article_id)


@router.delete(
    "/v1/articles",
    response_model=SourceDeleted,
    summary="Delete every article of a source",
    responses=ERROR_RESPONSES,
)
def delete_source(
    source: str = Query(min_length=1, description="The source whose articles go."),
    _: Principal = Depends(require_admin),
    service: ArticleService = Depends(get_articles),
) -> SourceDeleted:
    return SourceDeleted(source=source, deleted=service.delete_source(source))
