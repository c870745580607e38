"""Chunking keeps exact character offsets and stable ids."""

from __future__ import annotations

from datetime import date

from ingest.chunking import chunk_article, embedding_text
from rag.schema import Article
from rag.text.tokens import sentence_spans, words


def _article(text: str, id_: str = "a1") -> Article:
    return Article(id=id_, title="Floods in the valley", text=text, published=date(2025, 6, 2))


def _long_text(n: int = 60) -> str:
    return " ".join(
        f"Sentence number {i} says the river rose {i} centimetres near Gao on Monday."
        for i in range(n)
    )


def test_offsets_point_into_the_article_text():
    article = _article(_long_text())
    chunks = chunk_article(article, chunk_words=80, overlap_words=20)
    assert len(chunks) > 3
    for c in chunks:
        assert article.text[c.start : c.end] == c.text
        assert c.text[0].isupper() and c.text.endswith(".")  # whole sentences


def test_chunks_cover_the_text_and_overlap():
    article = _article(_long_text())
    chunks = chunk_article(article, chunk_words=80, overlap_words=20)
    assert chunks[0].start == 0
    assert chunks[-1].end == len(article.text)
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        assert nxt.start < prev.end, "consecutive chunks overlap"
        assert nxt.start > prev.start, "chunking always moves forward"
    for c in chunks:
        assert len(words(c.text)) <= 80 + 80 // 4 + 15


def test_ids_are_stable_and_content_addressed():
    a = _article(_long_text())
    first = [c.id for c in chunk_article(a, 80, 20)]
    again = [c.id for c in chunk_article(a, 80, 20)]
    assert first == again
    assert len(set(first)) == len(first)
    edited = _article(a.text.replace("Sentence number 59", "Sentence number fifty-nine"))
    changed = [c.id for c in chunk_article(edited, 80, 20)]
    # A chunk's vector carries its article's fields: any edit makes new ids, so a new version
    # never overwrites the vectors of the one still served (tests/test_batches.py).
    assert not set(changed) & set(first)


def test_run_on_text_without_full_stops_is_still_cut():
    article = _article(" ".join(["word"] * 1000))
    chunks = chunk_article(article, chunk_words=200, overlap_words=0)
    assert len(chunks) >= 5
    assert all(article.text[c.start : c.end] == c.text for c in chunks)


def test_short_article_is_one_chunk_and_embedding_text_has_title_and_date():
    article = _article("Only one sentence here.")
    (chunk,) = chunk_article(article)
    assert chunk.text == "Only one sentence here."
    text = embedding_text(article, chunk)
    assert text.startswith("Floods in the valley (02 June 2025)")
    assert text.endswith(chunk.text)


def test_sentence_spans_respect_abbreviations_and_numbers():
    text = "Gen. Michael Langley spoke in the U.S. on Monday. Rates fell to 3.75% today! Why? Nobody knows."
    spans = [text[a:b] for a, b in sentence_spans(text)]
    assert spans == [
        "Gen. Michael Langley spoke in the U.S. on Monday.",
        "Rates fell to 3.75% today!",
        "Why?",
        "Nobody knows.",
    ]
