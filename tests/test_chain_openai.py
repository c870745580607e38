"""The chain with the `openai` backend against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import pytest
from fake_openai import FakeOpenAI, Reply, serve

from tests.conftest import make_components

DIOURA = "How many soldiers died at Dioura?"


@pytest.fixture(scope="module")
def fake_server():
    fake = FakeOpenAI()
    with serve(fake) as base_url:
        yield fake, base_url


@pytest.fixture
def chain(fake_server, sample_data_dir, shared_embeddings):
    fake, base_url = fake_server
    fake.reset()
    components = make_components(
        sample_data_dir,
        shared_embeddings,
        answer_backend="openai",
        openai_base_url=base_url,
        openai_model="fake-model",
        openai_timeout=5.0,
    )
    return fake, components.chain


def _dioura_marker(chain) -> int:
    """The prompt's number of the passage that reports the Dioura claim."""
    found = chain.retriever.retrieve(DIOURA, chain.retriever.filters())
    for i, p in enumerate(found.passages, start=1):
        if "Dioura" in p.text and "40" in p.text:
            return i
    raise AssertionError("no Dioura passage retrieved")


def test_verified_generation_is_served_with_exact_spans(chain):
    fake, chain = chain
    n = _dioura_marker(chain)
    fake.push(f"JNIM claimed that its fighters killed 40 soldiers at Dioura [{n}].")
    answer = chain.ask(DIOURA)
    assert len(fake.requests) == 1
    assert answer.backend == "openai" and answer.status == "answered"
    assert answer.answer.endswith("[1].")
    (c,) = answer.citations
    article = chain.retriever.store.catalog.get_article(c.article_id)
    assert article.text[c.start : c.end] == c.quote
    assert "40" in c.quote and "Dioura" in c.quote
    assert "generate_ms" in answer.timings and "retrieval_ms" in answer.timings


def test_hallucinated_number_is_dropped_and_the_grounded_answer_served(chain):
    fake, chain = chain
    n = _dioura_marker(chain)
    fake.push(f"The army confirmed that 75 soldiers died at Dioura [{n}].")
    answer = chain.ask(DIOURA)
    assert "75" not in answer.answer
    assert answer.backend == "extractive" and answer.status == "answered"
    assert "40" in answer.answer
    assert any("no verifiable answer" in note for note in answer.notes)


def test_model_errors_fall_back_to_the_extractive_answer(chain):
    fake, chain = chain
    fake.push(Reply.error(500))
    answer = chain.ask(DIOURA)
    assert answer.backend == "extractive" and "40" in answer.answer
    assert any("generation failed" in note for note in answer.notes)


def test_off_topic_question_is_refused_before_calling_the_model(chain):
    fake, chain = chain
    answer = chain.ask("What is the capital of Australia?")
    assert answer.status == "not_found" and answer.citations == []
    assert fake.requests == []
