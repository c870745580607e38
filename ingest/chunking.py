"""Sentence-aware chunking with character offsets into the article text.

Chunks end on sentence boundaries (so a citation's sentence is never cut in two), hold about
``chunk_words`` words, and overlap by whole sentences covering at least ``overlap_words``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from rag.schema import Article, Chunk, content_hash
from rag.text.tokens import sentence_spans, word_spans


def chunk_article(article: Article, chunk_words: int = 220, overlap_words: int = 40) -> list[Chunk]:
    text = article.text
    spans = _bounded_sentences(text, max_words=chunk_words)
    if not spans:
        return []
    counts = [_count_words(text, a, b) for a, b in spans]
    chunks: list[Chunk] = []
    first = 0
    while first < len(spans):
        last, total = first, counts[first]
        while last + 1 < len(spans) and total + counts[last + 1] <= chunk_words:
            last += 1
            total += counts[last]
        # A small tail would make a near-duplicate chunk: fold it into this one instead.
        rest = sum(counts[last + 1 :])
        if 0 < rest < chunk_words // 4:
            last = len(spans) - 1
        start, end = spans[first][0], spans[last][1]
        chunks.append(
            Chunk(
                id=chunk_id(article, start, text[start:end]),
                article_id=article.id,
                index=len(chunks),
                text=text[start:end],
                start=start,
                end=end,
            )
        )
        if last == len(spans) - 1:
            break
        # Step back whole sentences until the overlap is covered, always moving forward.
        nxt, overlap = last + 1, 0
        while nxt - 1 > first and overlap < overlap_words:
            nxt -= 1
            overlap += counts[nxt]
        first = nxt if nxt > first else last + 1
    return chunks


def chunk_id(article: Article, start: int, text: str) -> str:
    """Changes with everything stored with the chunk (its article's fields travel in the
    vector's metadata, and title and date are embedded with it): a new version of an article
    never overwrites the vectors of the version the catalog still serves, and two versions of
    one id in one batch never collide."""
    authors = json.dumps(article.authors, ensure_ascii=False)
    return content_hash(article.id, article.fingerprint, authors, article.origin, str(start), text)[
        :24
    ]


def embedding_text(article: Article, chunk: Chunk) -> str:
    """What gets embedded: the chunk with its article's title and date, which carry the topic."""
    header = article.title
    if article.published:
        header += f" ({article.published:%d %B %Y})"
    return f"{header}\n{chunk.text}"


def index_fingerprint(settings) -> str:
    """Whatever changes the stored chunks or vectors: a different value = a different store."""
    h = hashlib.sha1(f"{settings.embedding_model}".encode())
    # What the chunker and embedding_text make of a probe article: a code change that alters
    # them alters this, a comment or refactor does not.
    probe = Article(
        id="probe",
        title="Probe title",
        published=date(2025, 6, 2),
        text=" ".join(
            f"Sentence number {i} says {i * 7} things happened in Town{i}." for i in range(400)
        ),
    )
    for c in chunk_article(probe, settings.chunk_words, settings.chunk_overlap_words):
        h.update(f"{c.start}:{c.end}:{embedding_text(probe, c)}".encode())
    return h.hexdigest()[:10]


def _count_words(text: str, a: int, b: int) -> int:
    return sum(1 for _ in word_spans(text[a:b]))


def _bounded_sentences(text: str, max_words: int) -> list[tuple[int, int]]:
    """Sentence spans, with run-on "sentences" (tables, lists without stops) cut at words."""
    out: list[tuple[int, int]] = []
    for a, b in sentence_spans(text):
        matches = list(word_spans(text[a:b]))
        if len(matches) <= max_words:
            out.append((a, b))
            continue
        for i in range(0, len(matches), max_words):
            piece = matches[i : i + max_words]
            out.append((a + piece[0].start(), a + piece[-1].end()))
    return out
