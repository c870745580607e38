"""Ingest into a real embedded store: idempotence, replacement, deletion, crash leftovers."""

from __future__ import annotations

from datetime import date

from rag.schema import Article, Rejection

TEXT = (
    "Flooding closed the main bridge in Mopti on Tuesday, officials said. "
    "The river rose 2.4 metres in two days, the highest level since 2020. "
    "About 300 families moved to schools on higher ground."
)


def _article(text: str = TEXT, **kw) -> Article:
    base = dict(
        id="mopti-flood",
        title="Mopti bridge closed by floods",
        text=text,
        url="https://example.org/mopti",
        published=date(2025, 8, 12),
        source="Test Wire",
    )
    base.update(kw)
    return Article(**base)


def test_reingest_is_a_noop_and_a_change_replaces_chunks(components):
    first = components.ingestor.ingest_items([_article()])
    assert first.added == ["mopti-flood"] and first.chunks_added == 1
    stats = components.store.stats()
    assert (stats["articles"], stats["chunks"], stats["vectors"]) == (1, 1, 1)

    again = components.ingestor.ingest_items([_article()])
    assert again.unchanged == ["mopti-flood"] and again.chunks_added == 0
    assert components.store.stats()["vectors"] == 1

    changed = components.ingestor.ingest_items([_article(TEXT.replace("300", "350"))])
    assert changed.replaced == ["mopti-flood"]
    stats = components.store.stats()
    assert (stats["articles"], stats["chunks"], stats["vectors"]) == (1, 1, 1)
    hits = components.store.lexical_search(
        "families moved", components.chain.retriever.filters(), 5
    )
    (row,) = components.store.chunk_rows([hits[0][0]]).values()
    assert "350" in row.chunk.text


def test_rejections_are_reported_and_the_rest_lands(components):
    report = components.ingestor.ingest_items(
        [Rejection(origin="bad.json:3", reason="malformed JSON"), _article()]
    )
    assert report.added == ["mopti-flood"]
    assert [r.origin for r in report.rejected] == ["bad.json:3"]


def test_delete_by_article_and_by_source(components):
    components.ingestor.ingest_items(
        [
            _article(),
            _article(
                id="other", title="Other", text="Another sentence about Gao.", source="Other Wire"
            ),
        ]
    )
    assert components.store.delete_article("mopti-flood")
    assert not components.store.delete_article("mopti-flood")
    assert components.store.stats()["articles"] == 1
    assert components.store.delete_source("Other Wire") == 1
    stats = components.store.stats()
    assert (stats["articles"], stats["chunks"], stats["vectors"]) == (0, 0, 0)


def test_vectors_of_an_interrupted_write_are_never_served_and_repair_removes_them(components):
    components.ingestor.ingest_items([_article()])
    # Simulate a crash after step 1 of the write protocol: vectors in Chroma, nothing committed.
    vector = components.embeddings.embed_query("ghost text about Mopti bridge floods")
    components.store.vectors.upsert(
        ["ghost-chunk"],
        [vector],
        ["ghost text about Mopti bridge floods"],
        [
            {
                "article_id": "ghost",
                "published_day": 1,
                "source": "",
                "title": "ghost",
                "index": 0,
                "start": 0,
                "end": 5,
            }
        ],
    )
    found = components.chain.retriever.retrieve(
        "Mopti bridge floods", components.chain.retriever.filters()
    )
    assert "ghost-chunk" not in {p.chunk_id for p in found.passages}
    assert components.store.repair() == 1
    assert components.store.stats()["vectors"] == 1


def test_undated_articles_are_excluded_by_as_of_unless_configured(
    components, tmp_path, shared_embeddings
):
    from tests.conftest import make_components

    components.ingestor.ingest_items([_article(published=None)])
    f = components.chain.retriever.filters(as_of=date(2030, 1, 1))
    assert components.store.lexical_search("Mopti bridge", f, 5) == []
    assert components.store.dense_search(components.embeddings.embed_query("Mopti"), f, 5) == []
    components.store.catalog.close()

    inclusive = make_components(
        components.settings.data_dir, shared_embeddings, as_of_include_undated=True
    )
    f = inclusive.chain.retriever.filters(as_of=date(2030, 1, 1))
    assert inclusive.store.lexical_search("Mopti bridge", f, 5)
