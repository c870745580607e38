"""What several routers share: the error body and the error responses documented in OpenAPI."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field


class ErrorBody(BaseModel):
    message: str = Field(description="What went wrong and, where possible, what to do.")
    status: int
    request_id: str | None = Field(None, description="Also in the X-Request-ID header and logs.")
    detail: Any = Field(None, description="Validation errors (422), field by field.")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or invalid API key"},
    403: {"model": ErrorBody, "description": "Wrong scope, or widget key from another origin"},
    413: {"model": ErrorBody, "description": "Body over NEWSRAG_MAX_BODY_BYTES"},
    422: {"model": ErrorBody, "description": "Malformed JSON or invalid fields"},
    429: {"model": ErrorBody, "description": "Rate limit exceeded; see Retry-After"},
}


class Deleted(BaseModel):
    deleted: bool = True
    id: str


def _iso_date_only(value: Any) -> Any:
    # Pydantic's lax mode reads 0 or "0" as 1970-01-01; a date here is written YYYY-MM-DD.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date must be written YYYY-MM-DD")
    if not isinstance(value, str | date) or isinstance(value, datetime):
        raise ValueError("a date must be written YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
