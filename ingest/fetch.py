"""Fetching URLs safely: an SSRF guard on every hop, a size cap, a total deadline.

``check_url_allowed`` is the guard (the HTTP API reuses it): only http(s), and the host must
resolve to public addresses only, unless ``settings.allow_private_urls``. ``fetch_url`` then
connects to the very address that was checked (no second DNS lookup an attacker could answer
differently), follows redirects itself and checks each one the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import httpx

from ingest.loaders.base import human_size
from rag.settings import Settings

Resolver = Callable[[str, int], Sequence[str]]
"""(host, port) -> IP addresses; tests inject one to play DNS."""

MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_ALLOW_HINT = "set NEWSRAG_ALLOW_PRIVATE_URLS=true to allow it"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _user_agent() -> str:
    try:
        ours = version("newsrag")
    except PackageNotFoundError:
        ours = "dev"
    return f"Mozilla/5.0 (compatible; newsrag/{ours}; self-hosted news question answering)"


USER_AGENT = _user_agent()


_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/json,text/plain;q=0.9,*/*;q=0.5"
)


class FetchError(Exception):
    """A URL could not be fetched; ``reason`` says why and what to do."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UrlRefused(FetchError):
    """The guard refused the URL (scheme or address)."""


@dataclass(frozen=True)
class AllowedUrl:
    """A URL that passed the guard, with the addresses it may be fetched from."""

    url: httpx.URL
    host: str  # ASCII (IDNA) host name or IP literal
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL, after redirects
    content_type: str  # media type, lower case, without parameters ("" if none)
    charset: str | None
    body: bytes
    status: int = 200  # 304 when a conditional request found the resource unchanged
    etag: str | None = None
    last_modified: str | None = None


def resolve_host(host: str, port: int) -> list[str]:
    """All addresses ``host`` resolves to, in the system's order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_problem(address: str) -> str | None:
    """Why an address must not be fetched by default ("a private address"), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv4 carried inside IPv6 (::ffff:127.0.0.1, 6to4, NAT64) is judged as that IPv4.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return address_problem(str(embedded))
    for flag, kind in (
        ("is_unspecified", "an unspecified"),
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_private", "a private"),
        ("is_reserved", "a reserved"),
    ):
        if getattr(ip, flag):
            return f"{kind} address"
    if not ip.is_global:
        return "a non-public address"  # e.g. 100.64.0.0/10, shared carrier-grade NAT
    return None


def check_url_allowed(
    url: str | httpx.URL, settings: Settings, *, resolve: Resolver = resolve_host
) -> AllowedUrl:
    """Raise ``UrlRefused`` (or ``FetchError`` if the host does not resolve) unless ``url``
    may be fetched; return it with the addresses that were checked."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as e:
        raise UrlRefused(f"refused: not a valid URL ({e})") from None
    if parsed.scheme not in ("http", "https"):
        raise UrlRefused(
            f"refused: only http and https URLs can be fetched, not {parsed.scheme or 'this'}"
        )
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise UrlRefused("refused: the URL has no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        literal = None
    if literal is not None:
        addresses: Sequence[str] = [host]
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as e:
            detail = getattr(e, "strerror", None) or str(e)
            raise FetchError(
                f"cannot resolve {host}: {detail}; check the host name and the network"
            ) from None
        if not addresses:
            raise FetchError(f"cannot resolve {host}: no addresses")
    if not settings.allow_private_urls:
        for address in addresses:
            problem = address_problem(address)
            if problem:
                subject = address if literal is not None else f"{host} resolves to {address},"
                verb = " is" if literal is not None else ""
                raise UrlRefused(f"refused: {subject}{verb} {problem}; {_ALLOW_HINT}")
    return AllowedUrl(url=parsed, host=host, addresses=tuple(addresses))


def fetch_url(
    url: str,
    settings: Settings,
    *,
    resolve: Resolver = resolve_host,
    client: httpx.Client | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET ``url`` within the limits of ``settings``; raise ``FetchError`` with a clear reason.

    ``headers`` are added to the request (``If-None-Match``, ``If-Modified-Since``): a 304 is
    then returned as ``Fetched(status=304, body=b"")`` rather than raised."""
    own_client = client is None
    if client is None:
        client = httpx.Client()
    deadline = time.monotonic() + settings.url_timeout
    try:
        current: str | httpx.URL = url
        for hop in range(MAX_REDIRECTS + 1):
            try:
                allowed = check_url_allowed(current, settings, resolve=resolve)
            except UrlRefused as e:
                if hop:  # say where the redirect came from: the user only typed the first URL
                    raise UrlRefused(f"redirect to {current} {e.reason}") from None
                raise
            response = _send(client, allowed, deadline, headers)
            try:
                validators = {
                    "etag": response.headers.get("etag"),
                    "last_modified": response.headers.get("last-modified"),
                }
                if response.status_code == 304 and headers:
                    return Fetched(str(allowed.url), "", None, b"", status=304, **validators)
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    try:
                        current = allowed.url.join(location).copy_with(fragment=None)
                    except httpx.InvalidURL as e:
                        raise FetchError(f"invalid redirect from {allowed.url}: {e}") from None
                    continue
                _check_status(response, allowed.url)
                body = _read_body(response, settings, deadline)
                media = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(
                    url=str(allowed.url),
                    content_type=media,
                    charset=response.charset_encoding,
                    body=body,
                    **validators,
                )
            finally:
                response.close()
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}) from {url}")
    except httpx.TimeoutException:
        raise FetchError(_timeout_reason(url, settings)) from None
    except httpx.HTTPError as e:
        raise FetchError(f"fetching {url} failed: {e or type(e).__name__}") from None
    finally:
        if own_client:
            client.close()


def _send(
    client: httpx.Client,
    allowed: AllowedUrl,
    deadline: float,
    extra: Mapping[str, str] | None = None,
) -> httpx.Response:
    """Connect to a checked address (the next one if it refuses), keeping Host and TLS name."""
    url = allowed.url
    netloc = url.netloc.decode("ascii")
    extensions = {"sni_hostname": allowed.host} if url.scheme == "https" else {}
    error: httpx.ConnectError | None = None
    for address in allowed.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpx.TimeoutException("deadline")
        request = client.build_request(
            "GET",
            url.copy_with(host=address.split("%", 1)[0]),
            headers={**(extra or {}), "Host": netloc, "User-Agent": USER_AGENT, "Accept": _ACCEPT},
            extensions=extensions,
            timeout=httpx.Timeout(remaining),
        )
        try:
            # Redirects are ours to follow: each hop must pass the guard first.
            return client.send(request, stream=True, follow_redirects=False)
        except httpx.ConnectError as e:
            error = e
    raise FetchError(f"cannot connect to {allowed.host}: {error}")


def _check_status(response: httpx.Response, url: httpx.URL) -> None:
    status = response.status_code
    if status < 300:
        return
    what = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status in (401, 403):
        advice = "the site refused access (it may need a login or block robots)"
    elif status in (404, 410):
        advice = "check the URL"
    elif status == 429:
        advice = "the site is rate limiting; try again later"
    elif status >= 500:
        advice = "the site failed; try again later"
    else:
        advice = "newsrag cannot use this response"
    raise FetchError(f"{what} from {url}: {advice}")


def _read_body(response: httpx.Response, settings: Settings, deadline: float) -> bytes:
    limit = settings.max_url_bytes
    too_large = f"over the {human_size(limit)} limit (NEWSRAG_MAX_URL_BYTES)"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"response is {human_size(int(declared))}, {too_large}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():  # decoded: the cap holds for gzip bombs too
        size += len(chunk)
        if size > limit:
            raise FetchError(f"response is {too_large}")
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("deadline")
        chunks.append(chunk)
    return b"".join(chunks)


def _timeout_reason(url: str, settings: Settings) -> str:
    return (
        f"timed out after {settings.url_timeout:g} s fetching {url}; the site is slow or "
        "unreachable (raise NEWSRAG_URL_TIMEOUT to wait longer)"
    )
