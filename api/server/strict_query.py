"""Unknown query parameters are a 422: ``?limt=5`` or ``?sorce=X`` silently ignored would look
like a filter that matched nothing."""

from __future__ import annotations

import difflib

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.errors import Invalid

_known: dict[int, frozenset[str]] = {}


def _declared(route: APIRoute) -> frozenset[str]:
    names = _known.get(id(route))
    if names is None:
        names = frozenset(_query_names(route.dependant))
        _known[id(route)] = names
    return names


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query(request: Request) -> None:
    """An app-wide dependency for the ``/v1`` API (pages and scripts such as ``/widget.js``
    may carry cache-busting parameters)."""
    if not request.query_params or not request.url.path.startswith("/v1/"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    declared = _declared(route)
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in declared]
    if not unknown:
        return
    problems = []
    for name in unknown:
        close = difflib.get_close_matches(name, sorted(declared), n=1, cutoff=0.6)
        problems.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    accepted = ", ".join(sorted(declared)) or "none"
    raise Invalid(
        f"unknown query parameter {', '.join(problems)}; "
        f"{request.method} {route.path} takes: {accepted}"
    )
