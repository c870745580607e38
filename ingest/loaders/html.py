"""HTML pages: the main text through trafilatura (navigation, footers and markup dropped)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import set_date_params

from ingest.loaders.base import (
    Hints,
    LoadResult,
    Rejected,
    WholeFileLoader,
    build_article,
)

_NEWLINES = re.compile(r"\n+")


class HtmlLoader(WholeFileLoader):
    def parse(self, origin: str, data: bytes, hints: Hints) -> Iterator[LoadResult]:
        # Bytes let lxml honour the page's own <meta charset>; a charset from the HTTP
        # response wins over it, as in browsers.
        content: bytes | str = data
        if hints.charset:
            with contextlib.suppress(LookupError):  # an unknown charset name: sniff instead
                content = data.decode(hints.charset, errors="replace")
        doc = trafilatura.bare_extraction(
            content,
            url=hints.url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            # No date guessing from the body text: only the page's own date metadata.
            date_extraction_params=set_date_params(extensive=False),
        )
        text = (doc.text or "").strip() if doc is not None else ""
        if not text:
            raise Rejected("no article text found in HTML")
        sitename = doc.sitename
        hosts = {h.removeprefix("www.") for h in (doc.hostname, _host(hints.url)) if h}
        if sitename and sitename.split(":")[0].removeprefix("www.") in hosts:
            # trafilatura's stand-in for a missing site name is the URL's host (with its port)
            sitename = hints.source or sitename.split(":")[0].removeprefix("www.")
        title = (doc.title or "").strip() or _title_tag(data)
        if not title:
            raise Rejected("no title found in HTML (no <title> or <h1>)")
        yield build_article(
            self.settings,
            origin,
            title=title,
            # trafilatura puts one block per line; a blank line between blocks keeps headings
            # and list items from running into the next sentence.
            text=_NEWLINES.sub("\n\n", text),
            url=hints.url or doc.url,
            published=doc.date,
            source=sitename or hints.source,
            authors=[a.strip() for a in (doc.author or "").split(";") if a.strip()],
        )


def _host(url: str | None) -> str | None:
    return urlsplit(url).hostname if url else None


def _title_tag(data: bytes) -> str:
    try:
        root = lxml.html.fromstring(data)
    except (etree.ParserError, ValueError):
        return ""
    return " ".join(root.findtext(".//title", default="").split())
