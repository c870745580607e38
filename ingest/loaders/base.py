"""What every loader shares: the ``Loader`` protocol, byte checks, text normalisation, dates.

A loader turns one input (a file, a decompressed stream, a fetched body) into articles and
rejections. It never raises for bad input: per-record problems are yielded as ``Rejection``;
a problem with the whole input is raised as ``Rejected`` and the dispatcher turns it into one
``Rejection`` for that input, so the rest of the batch still loads.
"""

from __future__ import annotations

import codecs
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO, Protocol

import dateparser
import lxml.html
from lxml import etree

from rag.schema import Article, Rejection
from rag.settings import Settings

LoadResult = Article | Rejection


class Rejected(Exception):
    """Raised inside a loader when the whole input (or one record) cannot become an article."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Hints:
    """What is known about an input besides its bytes (set for fetched URLs)."""

    url: str | None = None  # the final URL the bytes came from, after redirects
    source: str | None = None  # fallback publisher name (the URL's host)
    charset: str | None = None  # declared by the HTTP response


class Loader(Protocol):
    """One input format. ``streaming`` loaders read record by record, so the file size limit
    applies to each record instead of the whole file."""

    streaming: bool

    def load(self, origin: str, stream: BinaryIO, hints: Hints) -> Iterator[LoadResult]: ...


class WholeFileLoader:
    """A format that is read whole (within the file size limit), checked, then parsed."""

    streaming = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def load(self, origin: str, stream: BinaryIO, hints: Hints) -> Iterator[LoadResult]:
        data = read_all(stream, self.settings.max_file_bytes)
        check_content(data)
        yield from self.parse(origin, data, hints)

    def parse(self, origin: str, data: bytes, hints: Hints) -> Iterator[LoadResult]:
        raise NotImplementedError


# --- bytes ------------------------------------------------------------------------------------

_SIZE_SETTING = "NEWSRAG_MAX_FILE_BYTES"


def human_size(n: int) -> str:
    """Decimal units, like the settings (20_000_000 = "20 MB")."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            value = n / scale
            return (
                f"{value:.0f} {unit}" if value >= 10 else f"{value:.1f} {unit}".replace(".0 ", " ")
            )
    return f"{n} bytes"


def read_all(stream: BinaryIO, limit: int, setting: str = _SIZE_SETTING) -> bytes:
    """The whole stream, refusing (without reading further) past ``limit`` bytes."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Rejected(f"content is over the {human_size(limit)} limit ({setting})")
    return data


_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b\x08")


def looks_binary(data: bytes, *, utf8: bool = True) -> bool:
    """NUL bytes, many control bytes, or (for non-UTF-8 data) mostly high bytes."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)
    if controls > len(sample) * 0.1:
        return True
    high = sum(1 for b in sample if b >= 0x80)
    return not utf8 and high > len(sample) * 0.3


def check_content(data: bytes) -> None:
    """Reject empty and binary inputs (for formats that honour their own declared charset)."""
    if not data.strip():
        raise Rejected("empty file")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if looks_binary(data):
        raise Rejected("binary file, not text")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM; UTF-16 with a BOM) or a rejection saying how to convert."""
    check_content(data)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise Rejected(f"invalid UTF-16 text at byte offset {e.start}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if looks_binary(data, utf8=False):
            raise Rejected("binary file, not text") from None
        raise Rejected(non_utf8_reason(data, e.start)) from None


def non_utf8_reason(data: bytes, offset: int, where: str = "") -> str:
    """Where the first bad byte is, and the command that fixes the file."""
    # Bytes 0x80-0x9f are printable in Windows-1252 but control codes in Latin-1.
    guess = "windows-1252" if re.search(rb"[\x80-\x9f]", data[:65536]) else "latin1"
    return (
        f"not UTF-8 text: invalid byte 0x{data[offset]:02x} at byte offset {offset}{where}; "
        f"convert the file first, e.g. `iconv -f {guess} -t utf-8 FILE > FILE.utf8`"
    )


# --- text -------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Newlines to "\\n", trailing whitespace of each line and of the text removed.

    Nothing else changes: citation offsets point into exactly this string.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def one_line(value: str) -> str:
    return " ".join(value.split())


_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
     "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
     "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul"}
)  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed content): blocks become paragraphs, markup goes."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(root, *_DROP_TAGS, etree.Comment, with_tail=False)
    parts: list[str] = []

    def walk(el: Any) -> None:
        block = isinstance(el.tag, str) and el.tag.lower() in _BLOCK_TAGS
        if block:
            parts.append("\n\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n\n")

    walk(root)
    paragraphs = (one_line(p) for p in "".join(parts).split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)


# --- dates ------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_DATEPARSER_SETTINGS = {
    # Absolute dates only: metadata saying "yesterday" has nothing to be relative to.
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "DATE_ORDER": "YMD",
}


def parse_date(value: object) -> date | None:
    """The publication day as written (its own time zone, not UTC), or None if unclear.

    ISO dates and datetimes, RFC 822 (feeds), and unambiguous human dates ("June 2, 2025",
    "2 juin 2025"). Numeric dates that could be day/month or month/day ("02/06/2025") and
    relative dates ("yesterday") give None rather than a guess.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    s = value.strip()
    if _ISO_DATE.fullmatch(s):
        try:
            return date.fromisoformat(s)
        except ValueError:
            return None
    if _ISO_DATE.match(s):
        try:
            return datetime.fromisoformat(s).date()
        except ValueError:
            pass
    try:
        return email.utils.parsedate_to_datetime(s).date()
    except (TypeError, ValueError, IndexError):
        pass
    if len(s) > 64 or not any(c.isdigit() for c in s):
        return None  # no day or year in it ("yesterday"), or prose: not worth dateparser's time
    m = _NUMERIC_DATE.fullmatch(s)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        if a <= 12 and b <= 12 and a != b:
            return None  # 02/06/2025: 2 June or February 6? Don't guess.
    try:
        parsed = dateparser.parse(s, settings=_DATEPARSER_SETTINGS)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed else None


# --- articles ---------------------------------------------------------------------------------


def text_field(record: dict[str, Any], *names: str) -> str | None:
    """The first of ``names`` present in ``record`` as a non-empty string."""
    for name in names:
        value = record.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise Rejected(f"field '{name}' should be a string, not {type(value).__name__}")
        if value.strip():
            return value
    return None


def authors_field(value: object) -> list[str]:
    """A string, a list of strings, or a list of {"name": ...} objects."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            out.append(one_line(name))
    return out


def build_article(
    settings: Settings,
    origin: str,
    *,
    title: str | None,
    text: str | None,
    url: str | None = None,
    published: object = None,
    source: str | None = None,
    authors: object = None,
    id: str | None = None,
) -> Article:
    """The one place an ``Article`` is made: normalise, check limits, derive the id."""
    title = one_line(title or "")
    if not title:
        raise Rejected("no title")
    text = normalise_text(text or "")
    if not text:
        raise Rejected("no text")
    if len(text) > settings.max_article_chars:
        raise Rejected(
            f"article text is {len(text):,} characters, over the "
            f"{settings.max_article_chars:,} limit (NEWSRAG_MAX_ARTICLE_CHARS)"
        )
    url = (url or "").strip() or None
    source = one_line(source or "") or None
    day = parse_date(published)
    return Article(
        id=(id or "").strip() or Article.make_id(url, title, text),
        title=title,
        text=text,
        url=url,
        published=day,
        source=source,
        authors=authors_field(authors),
        origin=origin,
        notes=[] if day else [undated_note(published)],
    )


def undated_note(published: object) -> str:
    """Why an article is undated, and what that costs: a question asked ``as_of`` a date
    leaves it out."""
    effect = "undated: questions asked as of a date leave it out"
    if published is None or (isinstance(published, str) and not published.strip()):
        return f"no publication date; {effect} (give one, e.g. `published: 2025-06-02`)"
    shown = one_line(str(published))[:60]
    return f"publication date {shown!r} not understood; {effect} (write it YYYY-MM-DD)"
