"""The pruned BM25 search (rag/store/bm25.py): the plain OR-query's scores, from fewer rows."""

from __future__ import annotations

import pytest

from rag.store import bm25
from rag.store.catalog import Catalog
from rag.store.filters import Filters

QUESTIONS = [
    "How many soldiers died in the attack on the Dioura base in Mali?",
    "What did the army say about the car bomb at Timbuktu airport?",
    "Which armed group claimed the assault, and was it confirmed?",
]


@pytest.fixture
def catalog(sample_data_dir):
    c = Catalog(sample_data_dir / "catalog.sqlite3")
    yield c
    c.close()


@pytest.mark.parametrize("question", QUESTIONS)
def test_nothing_pruned_on_a_small_store_is_the_plain_query(catalog, question):
    pruned = catalog.lexical_search(question, Filters(), 10)
    plain = catalog.lexical_search(question, Filters(), 10, prune=False)
    assert pruned and [c for c, _ in pruned] == [c for c, _ in plain]
    assert [s for _, s in pruned] == pytest.approx([s for _, s in plain])


@pytest.mark.parametrize("question", QUESTIONS)
def test_common_words_add_exactly_their_bm25_share(catalog, question, monkeypatch):
    # Only the rarest word goes to FTS5; the others are scored on its candidates here.
    monkeypatch.setattr(bm25, "PLAIN_POSTINGS", 0)
    monkeypatch.setattr(bm25, "POSTINGS_BUDGET", 0)
    monkeypatch.setattr(bm25, "MIN_TERMS", 1)
    db = catalog._db()
    rows, _ = bm25._averages(db)
    plan = catalog._bm25.plan(db, bm25.query_words(question), rows)
    assert len(plan.selective) >= 1 and plan.rest  # something was left to step 2
    pruned = catalog.lexical_search(question, Filters(), 50)
    plain = dict(catalog.lexical_search(question, Filters(), 500, prune=False))
    assert pruned
    for chunk_id, score in pruned:  # each candidate scores as under the whole OR-query
        assert score == pytest.approx(plain[chunk_id], rel=1e-9)
    assert [s for _, s in pruned] == sorted((s for _, s in pruned), reverse=True)


def test_filters_apply_to_the_pruned_search(catalog, monkeypatch):
    from datetime import date

    monkeypatch.setattr(bm25, "PLAIN_POSTINGS", 0)
    monkeypatch.setattr(bm25, "POSTINGS_BUDGET", 0)
    monkeypatch.setattr(bm25, "MIN_TERMS", 1)
    question = QUESTIONS[0]
    early = Filters(as_of=date(1990, 1, 1))
    assert catalog.lexical_search(question, early, 10) == []
    everything = catalog.lexical_search(question, Filters(), 10)
    assert everything


def test_words_are_stemmed_by_the_index_tokenizer(catalog):
    stems = catalog._bm25.stems(["soldiers", "beyoncé", "covid-19", "running"])
    assert stems["soldiers"] == ["soldier"]
    assert stems["beyoncé"] == ["beyonc"]  # diacritics removed, then stemmed, as FTS5 indexes
    assert stems["covid-19"] == ["covid", "19"]  # a phrase: FTS5 matches it itself
    assert stems["running"] == ["run"]


def test_queries_without_content_words_or_index_find_nothing(tmp_path):
    empty = Catalog(tmp_path / "catalog.sqlite3")
    assert empty.lexical_search("Dioura soldiers", Filters(), 5) == []
    assert empty.lexical_search("the of and", Filters(), 5) == []
    empty.close()
