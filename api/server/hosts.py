"""The ``Host`` check that stops DNS rebinding.

A page on ``http://evil.example:8000`` whose name the attacker re-points at 127.0.0.1 talks to
this server *same-origin*: the browser sends ``Host: evil.example:8000`` and lets the page read
every answer, so local-only mode (no key, loopback clients only) would be open to any web page
the local user visits. The browser always names the host the page came from, so refusing names
the server does not answer to closes that door, before any route (or CORS) runs.

Allowed: the loopback names (``localhost``, ``*.localhost``, 127.0.0.0/8, ``[::1]``), the
address the server is bound to, any IP address literal (a page can only carry an IP as its
origin when the browser really connected to that IP, so no name can be re-pointed), and the
names in ``NEWSRAG_ALLOWED_HOSTS`` (``news.example.org``, ``*.example.org``; ``*`` turns the
check off, for a proxy that rewrites ``Host``). The port is not checked: a rebinding page uses
the server's own port. The unspecified addresses (0.0.0.0, ::) are refused: browsers route them
to this machine, so they are a way in for pages, never a name a client needs.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("api")

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def host_name(header: str) -> str | None:
    """The name part of a ``Host`` header (no port, no brackets, lower case); None when the
    header is not a host at all."""
    header = header.strip().lower()
    if not header or any(c in header for c in " /\\@?#\x00"):
        return None
    if header.startswith("["):
        name, bracket, rest = header[1:].partition("]")
        if not bracket or not name or (rest and not _is_port(rest)):
            return None
        return name
    if header.count(":") > 1:  # a bare IPv6 address (no brackets, so no port)
        return header
    name, colon, port = header.partition(":")
    if colon and not port.isdigit():
        return None
    return name.rstrip(".") or None


def _is_port(rest: str) -> bool:
    return rest.startswith(":") and rest[1:].isdigit()


def _unspecified(name: str) -> bool:
    try:
        return ipaddress.ip_address(name).is_unspecified
    except ValueError:
        return False


class HostPolicy:
    def __init__(self, bound_host: str | None, allowed: Iterable[str]) -> None:
        names = {n.strip().lower().strip("[]").rstrip(".") for n in allowed if n.strip()}
        self.any = "*" in names
        self.exact = {n for n in names if not n.startswith("*.")} | set(LOOPBACK_NAMES)
        self.suffixes = tuple(n[1:] for n in names if n.startswith("*.")) + (".localhost",)
        bound = (bound_host or "").strip().lower().strip("[]")
        if bound and not _unspecified(bound):
            self.exact.add(bound)

    def allows(self, header: str | None) -> bool:
        if self.any:
            return True
        name = host_name(header or "")
        if name is None:
            return False
        if name in self.exact or name.endswith(self.suffixes):
            return True
        try:
            address = ipaddress.ip_address(name.split("%", 1)[0])
        except ValueError:
            return False
        return not address.is_unspecified


class TrustedHostMiddleware:
    """400 for a request whose ``Host`` the server does not answer to (see the module doc)."""

    def __init__(self, app: ASGIApp, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("host")
        if self.policy.allows(header):
            await self.app(scope, receive, send)
            return
        shown = (header or "")[:100].encode("ascii", "backslashreplace").decode()
        log.info("refused Host %r (not in NEWSRAG_ALLOWED_HOSTS)", shown)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps(
            {
                "message": f"this server does not answer to the host name {shown!r}: "
                "add it to NEWSRAG_ALLOWED_HOSTS (docs/deploy.md)",
                "status": 400,
                "request_id": scope.get("state", {}).get("request_id"),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
