"""GET /v1/jobs, GET/DELETE /v1/jobs/{id}: background ingest jobs."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.auth import Principal
from api.errors import NotFound
from api.server.deps import get_jobs, require_admin
from api.server.routes.common import ERROR_RESPONSES
from api.state.jobs import JobManager
from rag.schema import IngestReport

router = APIRouter(tags=["jobs"])


class JobProgress(BaseModel):
    articles_total: int | None = None
    articles_seen: int = 0
    chunks_embedded: int = 0


class Job(BaseModel):
    id: str
    kind: str = Field(description="articles (JSON) or urls")
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    worker: str | None = Field(
        None, description="host:pid of the worker running it (or that ran it), on any machine"
    )
    attempts: int = Field(0, description="Workers that took it (more than 1: one of them died)")
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    progress: JobProgress
    report: IngestReport | None = None
    error: str | None = None


_NOT_FOUND = {404: {"description": "No such job"}}


@router.get("/v1/jobs", response_model=list[Job], summary="Recent jobs", responses=ERROR_RESPONSES)
def list_jobs(
    limit: int = Query(50, ge=1, le=500),
    _: Principal = Depends(require_admin),
    jobs: JobManager = Depends(get_jobs),
) -> list[Job]:
    return [Job(**j) for j in jobs.list(limit)]


@router.get(
    "/v1/jobs/{job_id}",
    response_model=Job,
    summary="A job's state, progress, and report when done",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def get_job(
    job_id: str, _: Principal = Depends(require_admin), jobs: JobManager = Depends(get_jobs)
) -> Job:
    job = jobs.get(job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id!r}")
    return Job(**job)


@router.delete(
    "/v1/jobs/{job_id}",
    response_model=Job,
    summary="Cancel a job (articles already stored stay)",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def cancel_job(
    job_id: str, _: Principal = Depends(require_admin), jobs: JobManager = Depends(get_jobs)
) -> Job:
    job = jobs.cancel(job_id)
    if job is None:
        raise NotFound(f"no job with id {job_id!r}")
    return Job(**job)
