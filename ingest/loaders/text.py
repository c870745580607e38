"""Plain text and Markdown, with an optional front-matter header.

```
---
title: Floods hit Bamako
published: 2025-06-02
source: Sahel Times
url: https://example.org/floods
---
Heavy rains flooded...
```

Without a header (or without a title in it) the first non-empty line is the title (a Markdown
heading loses its ``#``) and the rest is the text. Without a date in the header, a dateline
among the first lines of the text is the publication date: a short line that opens with a
written date ("June 02, 2025", "2 June 2025", "2025-06-02"), as pasted copy carries it
("June 02, 2025Clash Report").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

import frontmatter
import yaml

from ingest.loaders.base import (
    Hints,
    LoadResult,
    Rejected,
    build_article,
    decode_text,
    read_all,
)
from rag.settings import Settings
from rag.text.lexicon import MONTHS, WEEKDAYS, alternation

_SETEXT_UNDERLINE = re.compile(r"(=+|-+)\s*")
_ATX_HEADING = re.compile(r"#{1,6}\s+(.*?)(?:\s+#+)?\s*")


class TextLoader:
    streaming = False

    def __init__(self, settings: Settings, *, markdown: bool = False) -> None:
        self.settings = settings
        self.markdown = markdown

    def load(self, origin: str, stream: BinaryIO, hints: Hints) -> Iterator[LoadResult]:
        text = decode_text(read_all(stream, self.settings.max_file_bytes))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        meta, body = _front_matter(text)
        title = meta.get("title")
        if title is not None and not isinstance(title, str):
            title = str(title)  # YAML reads `title: 1984` as a number
        if not title or not title.strip():
            title, body = self._title_from_first_line(body)
            if not body.strip():
                raise Rejected("no text after the title line (the first line is the title)")
        yield build_article(
            self.settings,
            origin,
            id=_str(meta.get("id")),
            title=title,
            text=body,
            url=_str(meta.get("url")) or hints.url,
            published=meta.get("published", meta.get("date")) or dateline(body),
            source=_str(meta.get("source")) or hints.source,
            authors=meta.get("authors", meta.get("author")),
        )

    def _title_from_first_line(self, body: str) -> tuple[str, str]:
        lines = body.lstrip("\n").split("\n")
        title, rest = lines[0].strip(), lines[1:]
        if self.markdown:
            heading = _ATX_HEADING.fullmatch(title)
            if heading:
                title = heading.group(1)
            elif rest and _SETEXT_UNDERLINE.fullmatch(rest[0]):
                rest = rest[1:]  # Title\n=====
        return title, "\n".join(rest)


_MONTH = rf"(?:{alternation(MONTHS, title=True)})\.?"
_DATELINE = re.compile(
    rf"(?:(?:{alternation(WEEKDAYS, title=True)}),?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?!\d)"
)
DATELINE_LINES = 6  # non-empty lines of the text searched for a dateline
DATELINE_CHARS = 80  # a longer line is prose, whose dates are events, not the publication


def dateline(body: str) -> str | None:
    """The written date that opens a short line near the top of the text, if any."""
    lines = [line.strip() for line in body.split("\n") if line.strip()][:DATELINE_LINES]
    for line in lines:
        m = _DATELINE.match(line)
        if m and len(line) <= DATELINE_CHARS:
            return m.group()
    return None


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    try:
        meta, body = frontmatter.parse(text)
    except yaml.MarkedYAMLError as e:
        # Marks count from the line after the opening "---"; report file lines.
        where = f" at line {e.problem_mark.line + 1}" if e.problem_mark else ""
        problem = " ".join(filter(None, (e.context, e.problem)))
        raise Rejected(f"malformed YAML front matter{where}: {problem}") from None
    except Exception as e:  # other YAML errors, TOML front matter when toml is installed
        raise Rejected(f"malformed front matter: {' '.join(str(e).split())}") from None
    return meta, body


def _str(value: object) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)
