"""One pipeline of the benchmark, in its own process (so its peak RSS is its own).

``python -m bench.worker {newsrag|naive|bm25|sweep} WORKDIR [--raw N] [--sizes 1000,10000]``
reads ``WORKDIR/corpus.jsonl.gz`` and ``WORKDIR/questions.jsonl`` (written by ``bench.run``)
and writes ``WORKDIR/<name>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from rag.eval.evaluation import AnswerMatcher, EvalQuestion, load_questions
from rag.eval.metrics import percentile, retrieval_metrics
from rag.models.offline import configure_offline

HIT_K = 10


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _lat(values_s: list[float]) -> dict[str, float]:
    return {"p50_ms": percentile(values_s, 50) * 1000, "p95_ms": percentile(values_s, 95) * 1000}


def _rank(texts: list[str], matcher: AnswerMatcher) -> int | None:
    return next((i + 1 for i, t in enumerate(texts) if matcher(t)), None)


def _raw_encoder(model, texts: list[str], n: int, batch_size: int) -> dict[str, Any]:
    """``SentenceTransformer.encode`` alone on a random sample of the pipeline's own chunks."""
    sample = random.Random(0).sample(texts, min(n, len(texts)))
    t0 = time.perf_counter()
    model.encode(sample, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
    seconds = time.perf_counter() - t0
    return {"raw_chunks": len(sample), "raw_s": seconds, "raw_chunks_per_s": len(sample) / seconds}


def _articles(corpus: Path, settings):
    from ingest.loaders import iter_articles
    from rag.schema import Article

    return [a for a in iter_articles([str(corpus)], settings) if isinstance(a, Article)]


def run_newsrag(work: Path, questions: list[EvalQuestion], raw_n: int) -> dict[str, Any]:
    from api.components import Components
    from ingest.chunking import chunk_article, embedding_text
    from rag.settings import Settings

    settings = Settings(data_dir=work / "newsrag", collection="bench")
    c = Components(settings)
    t0 = time.perf_counter()
    c.chain.warm_up()  # model + spaCy load, outside the ingest timing
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = c.ingestor.ingest([str(work / "corpus.jsonl.gz")])
    ingest_s = time.perf_counter() - t0
    texts = [
        embedding_text(a, ch)
        for a in _articles(work / "corpus.jsonl.gz", settings)
        for ch in chunk_article(a, settings.chunk_words, settings.chunk_overlap_words)
    ]
    out: dict[str, Any] = {
        "pipeline": "newsrag",
        "load_s": load_s,
        "articles": len(report.added) + len(report.replaced),
        "chunks": report.chunks_added,
        "chars_per_chunk": sum(map(len, texts)) / max(1, len(texts)),
        "ingest_s": ingest_s,
        **_raw_encoder(c.embeddings.model, texts, raw_n, settings.embedding_batch_size),
    }
    ranks, retrieval_s, e2e_s = [], [], []
    retriever = c.chain.retriever
    # Retrieval alone first, then whole answers: interleaving them would time each query's
    # embedding right after the answerer's sentence batch, which under CPU contention measures
    # the thread pool waking up more than the retriever.
    for q in questions:
        m = AnswerMatcher(q.answers)
        t0 = time.perf_counter()
        got = retriever.retrieve(q.question, retriever.filters(q.as_of), HIT_K)
        retrieval_s.append(time.perf_counter() - t0)
        ranks.append(_rank([p.text for p in got.passages], m))
    for q in questions:
        t0 = time.perf_counter()
        c.chain.ask(q.question, as_of=q.as_of)
        e2e_s.append(time.perf_counter() - t0)
    out.update(
        metrics=retrieval_metrics(ranks),
        ranks=ranks,
        retrieval=_lat(retrieval_s),
        end_to_end=_lat(e2e_s),
        end_to_end_is="AnswerChain.ask: retrieval + evidence scoring + extractive answer",
    )
    return out


def run_naive(work: Path, questions: list[EvalQuestion], raw_n: int) -> dict[str, Any]:
    from bench.naive import NaivePipeline
    from rag.eval.rtqa import iter_article_records
    from rag.models.embeddings import LocalEmbeddings
    from rag.settings import Settings

    settings = Settings()
    embeddings = LocalEmbeddings(settings)
    t0 = time.perf_counter()
    embeddings.embed_query("warm up")
    load_s = time.perf_counter() - t0
    pipe = NaivePipeline(work / "naive", embeddings)
    t0 = time.perf_counter()
    records = list(iter_article_records(work / "corpus.jsonl.gz"))
    chunks = pipe.split(records)
    pipe.add(chunks)
    ingest_s = time.perf_counter() - t0
    texts = [d.page_content for d in chunks]
    out: dict[str, Any] = {
        "pipeline": "naive",
        "load_s": load_s,
        "articles": len(records),
        "chunks": len(chunks),
        "chars_per_chunk": sum(map(len, texts)) / max(1, len(texts)),
        "ingest_s": ingest_s,
        **_raw_encoder(embeddings.model, texts, raw_n, settings.embedding_batch_size),
    }
    ranks, ranks_as_of, retrieval_s, e2e_s = [], [], [], []
    for q in questions:
        m = AnswerMatcher(q.answers)
        ranks.append(_rank([d.page_content for d in pipe.retrieve(q.question, HIT_K)], m))
        ranks_as_of.append(
            _rank([d.page_content for d in pipe.retrieve(q.question, HIT_K, q.as_of)], m)
        )
    for q in questions:
        t0 = time.perf_counter()
        pipe.retrieve(q.question)  # its own top-4
        retrieval_s.append(time.perf_counter() - t0)
    for q in questions:
        t0 = time.perf_counter()
        pipe.answer_prompt(q.question)
        e2e_s.append(time.perf_counter() - t0)
    out.update(
        metrics=retrieval_metrics(ranks),
        ranks=ranks,
        metrics_with_as_of=retrieval_metrics(ranks_as_of),
        retrieval=_lat(retrieval_s),
        end_to_end=_lat(e2e_s),
        end_to_end_is="top-4 retrieval + prompt assembly (no LLM runs offline here)",
    )
    return out


def run_bm25(work: Path, questions: list[EvalQuestion], raw_n: int) -> dict[str, Any]:
    """newsrag's BM25 leg alone (SQLite FTS5 over newsrag's chunks, as_of filter on)."""
    from ingest.chunking import chunk_article
    from rag.settings import Settings
    from rag.store.catalog import Catalog, Filters

    settings = Settings(data_dir=work / "bm25")
    catalog = Catalog(settings.catalog_path)
    t0 = time.perf_counter()
    articles = _articles(work / "corpus.jsonl.gz", settings)
    n_chunks = 0
    for a in articles:
        chunks = chunk_article(a, settings.chunk_words, settings.chunk_overlap_words)
        catalog.replace_article(a, chunks)
        n_chunks += len(chunks)
    ingest_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "pipeline": "bm25",
        "load_s": 0.0,
        "articles": len(articles),
        "chunks": n_chunks,
        "ingest_s": ingest_s,
    }
    ranks, retrieval_s = [], []
    for q in questions:
        m = AnswerMatcher(q.answers)
        t0 = time.perf_counter()
        hits = catalog.lexical_search(q.question, Filters(as_of=q.as_of), HIT_K)
        rows = catalog.chunk_rows([cid for cid, _ in hits])
        retrieval_s.append(time.perf_counter() - t0)
        ranks.append(_rank([rows[cid].chunk.text for cid, _ in hits if cid in rows], m))
    out.update(
        metrics=retrieval_metrics(ranks),
        ranks=ranks,
        retrieval=_lat(retrieval_s),
        end_to_end=_lat(retrieval_s),
        end_to_end_is="retrieval (no answerer)",
    )
    return out


def run_sweep(
    work: Path, questions: list[EvalQuestion], sizes: list[int], rtqa: Path, naive_too=True
):
    """Query latency as the store grows; the vectors are random unit vectors (no embedding),
    the chunk texts, dates and BM25 index are real (rtqa articles, chunked by newsrag).
    ``naive_too=False`` skips the naive pipeline's store (half the build time at 200k)."""
    import numpy as np
    from langchain_chroma import Chroma

    from ingest.chunking import chunk_article
    from rag.answer.retrieval import Retriever
    from rag.eval.rtqa import iter_article_records
    from rag.models.embeddings import LocalEmbeddings
    from rag.schema import Article
    from rag.settings import Settings
    from rag.store.newsstore import NewsStore, PreparedArticle
    from rag.store.vectors import chunk_metadata

    settings = Settings(data_dir=work / "sweep", collection="sweep")
    embeddings = LocalEmbeddings(settings)
    embeddings.embed_query("warm up")
    store = NewsStore(settings, embeddings)
    retriever = Retriever(settings, store, embeddings)
    naive = Chroma(collection_name="naive-sweep", embedding_function=embeddings,
                   persist_directory=str(work / "sweep" / "naive")) if naive_too else None  # fmt: skip
    rng = np.random.default_rng(0)
    records = iter_article_records(rtqa / "articles.jsonl.gz")
    total, rows = 0, []
    queries = (questions * (1 + 60 // max(1, len(questions))))[:60]

    def grow(target: int) -> None:
        nonlocal total
        batch: list[PreparedArticle] = []
        pending = 0
        for r in records:
            a = Article(id=r["id"], title=r["title"] or "untitled", text=r["text"] or " ",
                        url=r.get("url"), published=r.get("published"))  # fmt: skip
            chunks = chunk_article(a, settings.chunk_words, settings.chunk_overlap_words)
            if not chunks:
                continue
            v = rng.standard_normal((len(chunks), 384)).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            batch.append(PreparedArticle(a, chunks, v.tolist()))
            pending += len(chunks)
            if pending >= 1000 or total + pending >= target:
                _flush(batch)
                total += pending
                batch, pending = [], 0
            if total >= target:
                return
        _flush(batch)
        total += pending

    def _flush(batch: list[PreparedArticle]) -> None:
        if not batch:
            return
        store.write(batch)
        ids, vecs, docs, metas = [], [], [], []
        for item in batch:
            a = item.article
            for ch, vec in zip(item.chunks, item.vectors, strict=True):
                ids.append(ch.id)
                vecs.append(vec)
                docs.append(ch.text)
                metas.append(chunk_metadata(a.id, a.title, a.published, None, ch.index,
                                            ch.start, ch.end))  # fmt: skip
        if naive is not None:
            naive._collection.upsert(ids=ids, embeddings=vecs, documents=docs, metadatas=metas)

    for size in sizes:
        t0 = time.perf_counter()
        grow(size)
        build_s = time.perf_counter() - t0
        newsrag_s, dense_ms, lexical_ms, naive_s, plain_s = [], [], [], [], []
        for q in queries:
            t0 = time.perf_counter()
            got = retriever.retrieve(q.question, retriever.filters(q.as_of), 10)
            newsrag_s.append(time.perf_counter() - t0)
            dense_ms.append(got.timings["dense_ms"] / 1000)
            lexical_ms.append(got.timings["lexical_ms"] / 1000)
            t0 = time.perf_counter()  # the unpruned OR-query, for comparison (rag/store/bm25.py)
            store.catalog.lexical_search(
                q.question, retriever.filters(q.as_of), settings.candidates, prune=False
            )
            plain_s.append(time.perf_counter() - t0)
            if naive is not None:
                t0 = time.perf_counter()
                naive.similarity_search(q.question, k=4)
                naive_s.append(time.perf_counter() - t0)
        rows.append(
            {
                "chunks": total,
                "build_s": build_s,
                "newsrag_retrieval": _lat(newsrag_s),
                "newsrag_dense": _lat(dense_ms),
                "newsrag_bm25": _lat(lexical_ms),
                "bm25_unpruned": _lat(plain_s),
                "load_average": os.getloadavg()[0],
            }
            | ({"naive_retrieval": _lat(naive_s)} if naive_s else {})
        )
        print(f"sweep: {total} chunks done", file=sys.stderr, flush=True)
    return {"pipeline": "sweep", "queries": len(queries), "rows": rows}


def main(argv: list[str] | None = None) -> None:
    configure_offline()
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=["newsrag", "naive", "bm25", "sweep"])
    ap.add_argument("workdir", type=Path)
    ap.add_argument("--raw", type=int, default=200, help="chunks for the raw encoder figure")
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--rtqa-dir", type=Path, default=None)
    ap.add_argument("--no-naive", action="store_true", help="sweep: skip the naive store")
    args = ap.parse_args(argv)
    work: Path = args.workdir
    questions = load_questions(work / "questions.jsonl")
    t0 = time.perf_counter()
    if args.name == "sweep":
        from rag.eval.rtqa import default_rtqa_dir

        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        rtqa = args.rtqa_dir or default_rtqa_dir()
        result = run_sweep(work, questions, sizes, rtqa, naive_too=not args.no_naive)
    else:
        runner = {"newsrag": run_newsrag, "naive": run_naive, "bm25": run_bm25}[args.name]
        result = runner(work, questions, args.raw)
    result["wall_s"] = time.perf_counter() - t0
    result["peak_rss_mb"] = peak_rss_mb()
    (work / f"{args.name}.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
