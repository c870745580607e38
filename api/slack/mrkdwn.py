"""Slack's mrkdwn, both ways: escaping what we send, reading what users type.

Everything that comes from an article or an answer is data: ``escape`` turns ``&``, ``<`` and
``>`` into entities so a title like ``<script>&`` or ``<!channel>`` shows as text and never as
markup or a mention. Links are built by ``link`` only for http(s) URLs, with the characters that
would end Slack's ``<url|label>`` syntax early percent-encoded.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ESCAPE_RE = re.compile("[&<>]")

# Kept as they are in a URL: unreserved, reserved sub-delims that do not end a Slack link, and
# "%" so an already encoded URL is not encoded twice. Everything else ("|", "<", ">", "(", ")",
# spaces, quotes, non-ASCII …) is percent-encoded.
MAX_URL = 2000
_URL_SAFE = "-._~:/?#[]@!$&'*+,;=%"


def escape(text: str) -> str:
    """Slack's three control characters as HTML entities (nothing else is touched)."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def safe_url(url: str) -> str:
    """A URL that cannot break out of ``<url|label>``: troublesome characters percent-encoded,
    then ``&`` escaped as Slack expects inside messages."""
    encoded = quote(url.strip(), safe=_URL_SAFE)
    return escape(encoded)


def link_label(text: str) -> str:
    """Escaped label text; a "|" would be read as the URL/label separator, so it is replaced by a
    look-alike, and line breaks (which end a link) by spaces."""
    return escape(re.sub(r"\s+", " ", text).replace("|", "\u2223").strip())


def link(url: str | None, label: str) -> str:
    """``<url|label>`` for an http(s) URL, else the escaped label alone."""
    if not is_web_url(url):
        return link_label(label)
    target = safe_url(url)
    if len(target) > MAX_URL:  # would not fit a section; the label alone is still true
        return link_label(label)
    return f"<{target}|{link_label(label)}>"


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """At most ``limit`` characters, cut at a word boundary when one is near, never inside an
    entity such as ``&amp;``."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    space = cut.rfind(" ")
    if space > len(cut) * 0.7:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


# --- incoming text ---------------------------------------------------------------------------
_ANGLE = re.compile(r"<([^<>]*)>")


def to_plain(text: str, drop_user: str | None = None) -> str:
    """What the user typed, from Slack's wire format: ``<https://x|label>`` → label,
    ``<#C1|general>`` → #general, ``<@U1>`` → @U1 (or nothing for ``drop_user``, the bot),
    entities decoded, whitespace collapsed."""

    def replace(m: re.Match[str]) -> str:
        inner = m.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            if drop_user and target[1:] == drop_user:
                return " "
            return f"@{label or target[1:]}"
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        if target.startswith("!"):
            return f"@{label or target[1:].split('^')[0]}"
        return label or target

    plain = _ANGLE.sub(replace, text or "")
    plain = html.unescape(plain)
    return re.sub(r"\s+", " ", plain).strip()
