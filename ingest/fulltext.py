"""Full text for feed entries that carry only a teaser: fetch the entry's link, extract the page.

Every link goes through ``ingest.fetch`` (the SSRF guard on each hop, the size cap, the
deadline, newsrag's User-Agent). At most ``settings.feed_fetch_concurrency`` pages of one feed
are fetched at once. When a page cannot be fetched or holds no article text, the entry keeps its
feed text and the article carries a note for the ingest summary saying so.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from ingest.fetch import FetchError, Resolver, fetch_url, resolve_host
from ingest.loaders.base import Hints, LoadResult, Rejected, undated_note
from ingest.loaders.html import HtmlLoader
from rag.schema import Article
from rag.settings import Settings

log = logging.getLogger(__name__)

_HTML = frozenset({"text/html", "application/xhtml+xml", ""})


def with_full_text(
    results: list[LoadResult], settings: Settings, *, resolve: Resolver = resolve_host
) -> list[LoadResult]:
    """``results`` with each short entry's text replaced by its page's, in the same order."""
    todo = [
        i
        for i, r in enumerate(results)
        if isinstance(r, Article) and r.url and len(r.text) < settings.feed_teaser_chars
    ]
    if not todo:
        return results
    out = list(results)
    workers = min(settings.feed_fetch_concurrency, len(todo))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="feed-page") as pool:
        pages = pool.map(lambda i: full_text(out[i], settings, resolve=resolve), todo)
        for i, article in zip(todo, pages, strict=True):
            out[i] = article
    return out


def full_text(article: Article, settings: Settings, *, resolve: Resolver = resolve_host) -> Article:
    """The article with its page's text, or as it is with a note saying why not."""
    assert article.url
    try:
        fetched = fetch_url(article.url, settings, resolve=resolve)
    except FetchError as e:
        return _teaser(article, e.reason)
    if fetched.content_type not in _HTML:
        return _teaser(article, f"the link returned {fetched.content_type}, not an HTML page")
    hints = Hints(url=fetched.url, charset=fetched.charset)
    try:
        page = next(iter(HtmlLoader(settings).parse(article.url, fetched.body, hints)))
    except Rejected as e:
        return _teaser(article, e.reason)
    except Exception as e:  # an extractor bug must not lose the entry
        log.exception("extracting %s failed", article.url)
        return _teaser(article, f"could not extract the page: {type(e).__name__}")
    if len(page.text) <= len(article.text):
        return article  # the feed already held at least what the page has
    update: dict = {"text": page.text}
    if article.published is None and page.published is not None:
        # The feed gave no date, the page does: keep it, and drop the "undated" note.
        update["published"] = page.published
        update["notes"] = [n for n in article.notes if n != undated_note(None)]
    return article.model_copy(update=update)


def _teaser(article: Article, reason: str) -> Article:
    note = (
        f"full text not fetched from {article.url} ({reason}); stored the feed's "
        f"{len(article.text):,}-character text instead"
    )
    return article.model_copy(update={"notes": [*article.notes, note]})
