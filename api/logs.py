"""Structured JSON logs, one object per line, each carrying the request id.

The request id comes from the client's ``X-Request-ID`` header when it is sane, else is made
up; it is echoed in the response and put in a context variable, which follows the request into
the threadpool (``anyio`` copies the context), so every log line of a request carries it.

Extra fields: ``log.info("ingest done", extra={"fields": {"added": 3}})``.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("newsrag_request_id", default=None)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def new_request_id(incoming: str | None = None) -> str:
    """The client's id if it is a sane token (no spaces, no control characters), else a new one."""
    if incoming and _REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO", *, json_lines: bool = True) -> dict:
    """A ``logging.config.dictConfig`` dict: every logger (ours, uvicorn's, libraries') to
    stderr, as JSON lines by default. uvicorn applies it in each worker process
    (``uvicorn.run(..., log_config=logging_config())``)."""
    text = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "text": {"format": text},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "json" if json_lines else "text",
                "filters": ["request_id"],
            }
        },
        "root": {"level": level.upper(), "handlers": ["stderr"]},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            # Our access line replaces uvicorn's (it has the route, the key and the request id).
            "uvicorn.access": {"handlers": [], "propagate": False},
        },
    }


def configure_logging(level: str = "INFO", *, json_lines: bool = True) -> None:
    logging.config.dictConfig(logging_config(level, json_lines=json_lines))
