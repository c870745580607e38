"""The data that flows through newsrag: articles, chunks, passages, citations and answers.

``Answer`` is the answer contract of docs/design.md: what the CLI prints with ``--json``, what
``POST /v1/ask`` returns and what the widget and the Slack bot render.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator


def content_hash(*parts: str) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


class Article(BaseModel):
    """One news article, as loaded from a file, a record, a feed item or a URL."""

    id: str = Field(
        description="Stable id: the record's own id, else sha1 of the url, else of the text."
    )
    title: str
    text: str
    url: str | None = None
    published: date | None = None
    source: str | None = Field(None, description="Publisher or feed name, used by source filters.")
    authors: list[str] = Field(default_factory=list)
    origin: str = Field("", description="Where it was loaded from (path, path:line, URL).")
    notes: list[str] = Field(
        default_factory=list,
        exclude=True,
        description="Ingest warnings about this article (an unreadable date, a feed teaser "
        "kept): reported in the ingest summary, never stored.",
    )

    @field_validator("url")
    @classmethod
    def _web_url_only(cls, url: str | None) -> str | None:
        # Citations link to this URL in browsers and Slack: javascript:, data: and the like
        # are dropped here, once, rather than guarded against in every renderer.
        if url and not url.strip().lower().startswith(("http://", "https://")):
            return None
        return url.strip() if url else url

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything we index or show changes; equal = nothing to do."""
        return content_hash(
            self.title, self.text, self.url or "", str(self.published or ""), self.source or ""
        )

    @staticmethod
    def make_id(url: str | None, title: str, text: str) -> str:
        """Same rule as the rtqa corpus: sha1 of the url (16 hex); without a url, of the content."""
        if url:
            return hashlib.sha1(url.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return content_hash(title, text)[:16]


class Rejection(BaseModel):
    """An input that could not become an article, and why (shown in the ingest summary)."""

    origin: str
    reason: str


class Chunk(BaseModel):
    """A slice of an article's text, with its character offsets into ``Article.text``."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int


class Passage(BaseModel):
    """A retrieved chunk with the metadata of its article and how it was found."""

    chunk_id: str
    article_id: str
    title: str
    text: str
    start: int = Field(description="Offset of the passage in the article text.")
    end: int
    url: str | None = None
    published: date | None = None
    source: str | None = None
    score: float = 0.0
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_similarity: float | None = None

    def cite(self, marker: int, start: int, end: int) -> Citation:
        """A citation of ``self.text[start:end]``, with offsets into the article text."""
        return Citation(
            marker=marker,
            article_id=self.article_id,
            chunk_id=self.chunk_id,
            title=self.title,
            url=self.url,
            published=self.published,
            source=self.source,
            passage=self.text,
            quote=self.text[start:end],
            start=self.start + start,
            end=self.start + end,
            passage_start=self.start,
            passage_end=self.end,
        )


class Citation(BaseModel):
    """What a marker [n] in the answer points at."""

    marker: int
    article_id: str
    chunk_id: str
    title: str
    url: str | None = None
    published: date | None = None
    source: str | None = None
    passage: str = Field(description="The retrieved passage the claim was checked against.")
    quote: str = Field(description="The supporting sentence(s), verbatim from the article.")
    start: int = Field(description="Character offset of the quote in the article text.")
    end: int
    passage_start: int
    passage_end: int


class Answer(BaseModel):
    """The answer contract (docs/design.md)."""

    question: str
    standalone_question: str | None = Field(
        None, description="The question as searched, after rewriting a follow-up."
    )
    answer: str = Field(description="Text with inline markers [1], [2] ...")
    short_answer: str | None = Field(None, description="The answer span alone, when one was found.")
    status: Literal["answered", "not_found"]
    citations: list[Citation] = Field(default_factory=list)
    as_of: date | None = None
    backend: str = "extractive"
    conversation_id: str | None = None
    timings: dict[str, float] = Field(default_factory=dict, description="Milliseconds per stage.")
    notes: list[str] = Field(
        default_factory=list, description="Why something was refused, dropped or fell back."
    )
    # Not part of the contract (never serialised): the extractive answerer's best candidates of
    # the asked-for type, winner first, also behind a refusal. Spans of the sources, not answers;
    # the multiple-choice evaluation reads them (rag/eval/multiple_choice.py).
    candidates: list[str] = Field(default_factory=list, exclude=True)


class IngestWarning(BaseModel):
    """An article that was stored, with something the user should know (shown in the summary)."""

    origin: str
    article_id: str
    warning: str


class IngestReport(BaseModel):
    """Summary of one ingest run."""

    added: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    replaced: list[str] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    warnings: list[IngestWarning] = Field(default_factory=list)
    chunks_added: int = 0
    seconds: float = 0.0

    def merge(self, other: IngestReport) -> None:
        self.added += other.added
        self.unchanged += other.unchanged
        self.replaced += other.replaced
        self.rejected += other.rejected
        self.warnings += other.warnings
        self.chunks_added += other.chunks_added
        self.seconds += other.seconds
