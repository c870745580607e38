"""Exception handlers: every error leaves the API as ``{"message", "status", "request_id"}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import ApiError
from api.logs import request_id_var


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id") or request_id_var.get()


def _error(request: Request, status: int, message: str, headers=None, detail=None) -> JSONResponse:
    body = {"message": message, "status": status, "request_id": _request_id(request)}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSED:
            # FastAPI's catch-all for a body json.loads could not read at all (not UTF-8,
            # nested past the recursion limit): malformed JSON, so 422 like any other.
            return _error(request, 422, _unparsed_reason(exc.__cause__))
        message = exc.detail if isinstance(exc.detail, str) else "HTTP error"
        return _error(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return _error(request, 422, _summarize(request, exc.errors()), detail=errors)


_UNPARSED = "There was an error parsing the body"


def _unparsed_reason(cause: BaseException | None) -> str:
    if isinstance(cause, UnicodeDecodeError):
        byte = cause.object[cause.start : cause.start + 1].hex().upper() or "?"
        return (
            f"malformed JSON in the request body: byte 0x{byte} at offset {cause.start} is "
            "not UTF-8 (JSON must be sent as UTF-8)"
        )
    if isinstance(cause, RecursionError):
        return "malformed JSON in the request body: nested too deeply (arrays or objects)"
    return "malformed request body: it could not be parsed"


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
        if loc == [] and e.get("type") == "missing":
            return "the request body is empty: send a JSON object"
        messages.append(f"{'.'.join(loc) or 'body'}: {e.get('msg', 'invalid')}")
    shown = "; ".join(messages[:5])
    return shown + (f" (and {len(messages) - 5} more)" if len(messages) > 5 else "")
