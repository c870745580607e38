"""From sources (files, folders, URLs) to ``Article`` or ``Rejection``, one format per class.

``iter_articles(sources, settings)`` is the entry point: it never raises for bad input. Each
bad file, line, record or feed entry becomes a ``Rejection`` with a reason a user can act on,
and the rest of the batch still loads.

Formats (by extension; ``.gz`` versions of each are read through gzip):

=====================  ==================================================================
``.txt .md .markdown``  ``TextLoader``: optional YAML front matter, else first line = title
``.html .htm``          ``HtmlLoader``: main text and metadata through trafilatura
``.json``               ``JsonLoader``: an object, a list, or ``{"articles": [...]}``
``.jsonl .ndjson``      ``JsonLinesLoader``: streamed line by line, any size
``.xml .rss .atom``     ``FeedLoader``: one article per RSS/Atom entry
http(s) URLs            fetched (``ingest.fetch``), then dispatched by content type
=====================  ==================================================================
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import urlsplit

from ingest.loaders.base import (
    Hints,
    Loader,
    LoadResult,
    Rejected,
    human_size,
    normalise_text,
    parse_date,
)
from ingest.loaders.feeds import FeedLoader, looks_like_feed
from ingest.loaders.html import HtmlLoader
from ingest.loaders.records import JsonLinesLoader, JsonLoader
from ingest.loaders.text import TextLoader
from rag.schema import Article, Rejection
from rag.settings import Settings

if TYPE_CHECKING:
    from ingest.fetch import Resolver

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "Hints",
    "Loader",
    "count_hint",
    "iter_articles",
    "load_bytes",
    "load_file",
    "load_url",
    "normalise_text",
    "parse_date",
]

log = logging.getLogger(__name__)

SUPPORTED_EXTENSIONS = (
    ".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".ndjson",
    ".xml", ".rss", ".atom",
)  # fmt: skip
_SINGLE_ARTICLE = frozenset({".txt", ".md", ".markdown", ".html", ".htm"})
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/rss+xml": ".rss",
    "application/rdf+xml": ".rss",
    "application/atom+xml": ".atom",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "application/json": ".json",
    "text/json": ".json",
    "application/x-ndjson": ".jsonl",
    "application/ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
    "application/jsonlines": ".jsonl",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
}
_GENERIC_TYPES = frozenset(
    {"", "text/plain", "application/octet-stream", "binary/octet-stream", "application/gzip",
     "application/x-gzip"}
)  # fmt: skip
_GZIP_MAGIC = b"\x1f\x8b"


def build_loaders(settings: Settings) -> dict[str, Loader]:
    """The loader for each supported extension."""
    text, markdown = TextLoader(settings), TextLoader(settings, markdown=True)
    html, feed = HtmlLoader(settings), FeedLoader(settings)
    json_lines = JsonLinesLoader(settings)
    return {
        ".txt": text,
        ".md": markdown,
        ".markdown": markdown,
        ".html": html,
        ".htm": html,
        ".json": JsonLoader(settings),
        ".jsonl": json_lines,
        ".ndjson": json_lines,
        ".xml": feed,
        ".rss": feed,
        ".atom": feed,
    }


def iter_articles(sources: Iterable[str], settings: Settings) -> Iterator[Article | Rejection]:
    """Articles and rejections from paths (files or folders) and http(s) URLs, in order.

    Folders are read recursively in sorted order, skipping hidden names (".git", ".DS_Store").
    """
    loaders = build_loaders(settings)
    for source in sources:
        source = os.fspath(source)
        if _URL.match(source):
            yield from load_url(source, settings, loaders=loaders)
            continue
        path = Path(source)
        if path.is_dir():
            empty = True
            for item in _walk(path):
                empty = False
                if isinstance(item, Rejection):
                    yield item
                else:
                    yield from load_file(item, settings, loaders=loaders)
            if empty:
                yield Rejection(
                    origin=source, reason="empty folder: no files in it (hidden ones are skipped)"
                )
        elif path.exists() or path.is_symlink():
            yield from load_file(path, settings, loaders=loaders)
        else:
            yield Rejection(origin=source, reason="no such file or folder")


def count_hint(sources: Iterable[str]) -> int | None:
    """How many results ``iter_articles`` will yield, when that is cheap to know: the number
    of files when each holds one article; None when a URL or a multi-record file (JSON, JSON
    Lines, feed) is among the sources. Pass a list: an iterator would be used up."""
    total = 0
    for source in sources:
        source = os.fspath(source)
        if _URL.match(source):
            return None
        path = Path(source)
        files = _walk(path) if path.is_dir() else iter([path])
        for item in files:
            if not isinstance(item, Rejection):
                extension, _ = _extension(item.name)
                if extension in SUPPORTED_EXTENSIONS and extension not in _SINGLE_ARTICLE:
                    return None
            total += 1
    return total


def load_file(
    path: Path, settings: Settings, *, loaders: dict[str, Loader] | None = None
) -> Iterator[Article | Rejection]:
    """One file, by its extension; size, type and permission problems become rejections."""
    loaders = loaders or build_loaders(settings)
    origin = str(path)
    extension, compressed = _extension(path.name)
    loader = loaders.get(extension)
    if loader is None:
        yield Rejection(origin=origin, reason=_unsupported(extension))
        return
    try:
        info = path.stat()
    except OSError as e:
        yield Rejection(origin=origin, reason=f"cannot read file: {e.strerror or e}")
        return
    if not stat.S_ISREG(info.st_mode):
        yield Rejection(origin=origin, reason="not a regular file")
        return
    if info.st_size == 0:
        yield Rejection(origin=origin, reason="empty file")
        return
    limit = settings.max_file_bytes
    if info.st_size > limit and not loader.streaming:
        advice = (
            "; split it or use JSON Lines (one record per line)" if extension == ".json" else ""
        )
        yield Rejection(
            origin=origin,
            reason=f"file is {human_size(info.st_size)}, over the {human_size(limit)} limit "
            f"(NEWSRAG_MAX_FILE_BYTES){advice}",
        )
        return
    try:
        handle = path.open("rb")
    except OSError as e:
        yield Rejection(origin=origin, reason=f"cannot read file: {e.strerror or e}")
        return
    with handle:
        stream: BinaryIO = gzip.GzipFile(fileobj=handle) if compressed else handle
        yield from _guarded(origin, loader.load(origin, stream, Hints()))


def load_bytes(
    data: bytes,
    origin: str,
    settings: Settings,
    *,
    content_type: str | None = None,
    hints: Hints | None = None,
    loaders: dict[str, Loader] | None = None,
) -> Iterator[Article | Rejection]:
    """Content already in memory (an upload, a fetched body), by content type, then by the
    extension of ``origin``, then by sniffing the bytes."""
    loaders = loaders or build_loaders(settings)
    hints = hints or Hints()
    where = hints.url or origin
    name = urlsplit(where).path if _URL.match(where) else where
    extension, compressed = _extension(name.rsplit("/", 1)[-1])
    stream: BinaryIO = io.BytesIO(data)
    if compressed or data.startswith(_GZIP_MAGIC):
        stream = gzip.GzipFile(fileobj=stream)
        head = _head(stream)
    else:
        head = data[:4096]
    if not head:
        yield Rejection(origin=origin, reason="empty response" if hints.url else "empty file")
        return
    kind = _kind(content_type, extension, head)
    if kind is None:
        what = f"content type {content_type}" if content_type else "content"
        yield Rejection(
            origin=origin,
            reason=f"unsupported {what}; newsrag reads HTML, RSS/Atom, JSON, JSON Lines, "
            "Markdown and plain text",
        )
        return
    yield from _guarded(origin, loaders[kind].load(origin, stream, hints))


def load_url(
    url: str,
    settings: Settings,
    *,
    resolve: Resolver | None = None,
    loaders: dict[str, Loader] | None = None,
) -> Iterator[Article | Rejection]:
    """Fetch ``url`` (SSRF-guarded, size-capped) and load what it returns."""
    # Imported here because ingest.fetch itself imports ingest.loaders.base.
    from ingest.fetch import FetchError, fetch_url, resolve_host

    try:
        fetched = fetch_url(url, settings, resolve=resolve or resolve_host)
    except FetchError as e:
        yield Rejection(origin=url, reason=e.reason)
        return
    host = urlsplit(fetched.url).hostname or ""
    hints = Hints(
        url=fetched.url, source=host.removeprefix("www.") or None, charset=fetched.charset
    )
    yield from load_bytes(
        fetched.body,
        url,
        settings,
        content_type=fetched.content_type or None,
        hints=hints,
        loaders=loaders,
    )


# --- helpers ----------------------------------------------------------------------------------


def _kind(content_type: str | None, extension: str, head: bytes) -> str | None:
    """The extension whose loader reads this content."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in _GENERIC_TYPES:
        kind = extension if extension in SUPPORTED_EXTENSIONS else None
        if kind is None and media == "text/plain":
            kind = ".txt"
    else:
        kind = _CONTENT_TYPES.get(media)
        if kind is None and media.endswith("+json"):
            kind = ".json"
        elif kind is None and media.endswith("+xml"):
            kind = ".xml"
    if kind in (None, ".html", ".xml", ".txt") and looks_like_feed(head):
        return ".rss"  # feeds are often served as text/html, text/plain or octet-stream
    if kind is None and media in _GENERIC_TYPES:
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        kind = {b"<": ".html", b"{": ".json", b"[": ".json"}.get(start)
    return kind


def _extension(name: str) -> tuple[str, bool]:
    """(".jsonl", True) for "news.JSONL.gz"."""
    name = name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    return Path(name).suffix, compressed


def _unsupported(extension: str) -> str:
    what = f"file type '{extension}'" if extension else "file without an extension"
    return f"unsupported {what}; supported: {' '.join(SUPPORTED_EXTENSIONS)} (and .gz of these)"


def _head(stream: BinaryIO) -> bytes:
    try:
        head = stream.read(4096)
        stream.seek(0)
    except (OSError, EOFError, zlib.error):
        return b"?"  # let the loader hit the error again and report it
    return head


def _walk(folder: Path, seen: set[Path] | None = None) -> Iterator[Path | Rejection]:
    """Files under ``folder``, sorted, hidden names skipped, symlink loops avoided."""
    seen = seen if seen is not None else set()
    real = folder.resolve()
    if real in seen:
        return
    seen.add(real)
    try:
        with os.scandir(folder) as entries:
            names = sorted((e.name, e.is_dir()) for e in entries if not e.name.startswith("."))
    except OSError as e:
        yield Rejection(origin=str(folder), reason=f"cannot read folder: {e.strerror or e}")
        return
    for name, is_dir in names:
        path = folder / name
        if is_dir:
            yield from _walk(path, seen)
        else:
            yield path


def _guarded(origin: str, results: Iterator[LoadResult]) -> Iterator[LoadResult]:
    """Whatever goes wrong inside a loader becomes one rejection for the input."""
    try:
        yield from results
    except Rejected as e:
        yield Rejection(origin=origin, reason=e.reason)
    except (gzip.BadGzipFile, zlib.error) as e:
        yield Rejection(origin=origin, reason=f"not a valid gzip file: {e}")
    except EOFError:
        yield Rejection(origin=origin, reason="compressed data ends early (truncated file?)")
    except RecursionError:
        yield Rejection(origin=origin, reason="nested too deeply")
    except OSError as e:
        yield Rejection(origin=origin, reason=f"cannot read file: {e.strerror or e}")
    except Exception as e:  # a parser bug must not stop the batch
        log.exception("loading %s failed", origin)
        yield Rejection(origin=origin, reason=f"could not load: {type(e).__name__}: {e}")
