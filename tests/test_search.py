"""POST /v1/search on a live uvicorn, and the LangChain factory (rag.langchain) it documents."""

from __future__ import annotations

import httpx
import pytest

from tests.api_support import LiveServer, copy_store, make_app

QUERY = "How many soldiers died at Dioura?"


@pytest.fixture(scope="module")
def live(sample_data_dir, shared_embeddings, tmp_path_factory):
    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("search") / "data")
    server = LiveServer(make_app(data, shared_embeddings, rate_limit_per_minute=100_000)).start()
    yield server
    server.stop()


@pytest.fixture
def http(live):
    with httpx.Client(base_url=live.url, timeout=120) as client:
        yield client


def test_search_returns_passages_with_article_fields_scores_and_offsets(http):
    r = http.post("/v1/search", json={"query": QUERY, "k": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    passages = body["passages"]
    assert body["query"] == QUERY and len(passages) == 3
    assert [p["score"] for p in passages] == sorted((p["score"] for p in passages), reverse=True)
    top = passages[0]
    assert {"article_id", "title", "url", "published", "source", "start", "end"} <= set(top)
    assert "Dioura" in top["text"]
    # Offsets point into the article's text.
    article = http.get(f"/v1/articles/{top['article_id']}").json()["article"]
    assert article["text"][top["start"] : top["end"]] == top["text"]


def test_search_filters(http):
    r = http.post(
        "/v1/search", json={"query": QUERY, "sources": ["Sahel Monitor"], "as_of": "2025-06-01"}
    )
    assert r.status_code == 200, r.text
    passages = r.json()["passages"]
    assert passages
    assert all(p["source"] == "Sahel Monitor" and p["published"] <= "2025-06-01" for p in passages)


def test_search_refuses_typos(http):
    r = http.post("/v1/search", json={"query": QUERY, "sources": ["Sahel Monitr"]})
    assert r.status_code == 422
    assert "Sahel Monitor" in r.json()["message"] and r.json()["request_id"]
    r = http.post("/v1/search", json={"query": QUERY, "top_k": 3})  # the field is `k`
    assert r.status_code == 422 and "top_k" in r.json()["message"]
    assert http.post("/v1/search", json={"query": " "}).status_code == 422


def test_langchain_factory_three_lines(sample_data_dir):
    from langchain_core.retrievers import BaseRetriever

    from rag.langchain import news_retriever

    retriever = news_retriever(sample_data_dir, k=2)
    docs = retriever.invoke(QUERY)
    assert isinstance(retriever, BaseRetriever) and len(docs) == 2
    assert "Dioura" in docs[0].page_content
    assert {"title", "url", "published", "start", "end", "score"} <= set(docs[0].metadata)


def test_langchain_factory_refuses_a_folder_without_store(tmp_path):
    from rag.langchain import StoreNotFound, news_retriever

    with pytest.raises(StoreNotFound, match="newsrag ingest"):
        news_retriever(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_local_embeddings_is_a_langchain_embeddings():
    from langchain_core.embeddings import Embeddings

    from rag.langchain import local_embeddings

    emb = local_embeddings()
    assert isinstance(emb, Embeddings)
