"""Retrieval ablations on the cached store of a ``newsrag eval rtqa`` sample (no re-ingest).

    python -m bench.ablate --questions 60 --distractors 100 --seed 11

Runs the sample's questions through variants of the retriever settings (dense only, BM25 only,
no ``as_of`` filter, fusion weights, candidates) over the same store and prints hit@k / MRR@10
for each, so that a retrieval change comes with before/after figures. Changes that alter the
stored chunks or vectors (chunk size, the embedded text) need a new store: run the eval with
the change, which builds one under a different cache key.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.table import Table

from rag.eval.evaluation import RETRIEVE_K, AnswerMatcher, answer_chunk_shares
from rag.eval.metrics import retrieval_metrics
from rag.eval.rtqa import default_rtqa_dir
from rag.models.offline import configure_offline

VARIANTS: dict[str, dict] = {
    "as configured": {},
    "dense only": {"lexical_weight": 0.0},
    "BM25 only": {"dense_weight": 0.0},
    "no as_of filter": {"_no_as_of": True},
    "dense only, no as_of": {"lexical_weight": 0.0, "_no_as_of": True},
    "dense 1.5 : BM25 1": {"dense_weight": 1.5},
    "dense 1 : BM25 1.5": {"lexical_weight": 1.5},
    "rrf_k 20": {"rrf_k": 20},
    "candidates 100": {"candidates": 100},
    # The recency prior of rag/retrieval.py: score × (1 + w · 2^(-age/h)), age from as_of.
    "no recency prior": {"_recency": (0.0, 14.0)},
    "recency w1 h30d": {"_recency": (1.0, 30.0)},
    "recency w0.5 h14d": {"_recency": (0.5, 14.0)},
    "recency w2 h90d": {"_recency": (2.0, 90.0)},
}


def main(argv: list[str] | None = None) -> None:
    configure_offline()
    from api.cli.eval import (
        DEFAULT_DISTRACTORS,
        DEFAULT_QUESTIONS,
        DEFAULT_SEED,
        default_cache_dir,
        prepare_rtqa,
    )
    from rag.answer import retrieval as retrieval_module
    from rag.answer.retrieval import Retriever

    defaults = (retrieval_module.RECENCY_WEIGHT, retrieval_module.RECENCY_HALF_LIFE_DAYS)

    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS)
    ap.add_argument("--distractors", type=int, default=DEFAULT_DISTRACTORS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--only", default="", help="comma-separated variant names")
    ap.add_argument("--data-dir", type=Path, help="another store (e.g. a kept bench workdir's)")
    ap.add_argument("--collection", default="bench")
    ap.add_argument("--questions-file", type=Path, help="with --data-dir: its questions")
    args = ap.parse_args(argv)
    if args.data_dir:
        from api.components import Components
        from rag.eval.evaluation import load_questions
        from rag.settings import Settings

        c = Components(Settings(data_dir=args.data_dir, collection=args.collection))
        questions = load_questions(args.questions_file)
        key, chunks = str(args.data_dir), c.store.stats()["chunks"]
    else:
        sample, c, info = prepare_rtqa(
            default_rtqa_dir(),
            args.questions,
            args.distractors,
            args.seed,
            args.cache_dir or default_cache_dir(),
        )
        questions, key, chunks = sample.questions, sample.key, info["chunks"]
    shares = answer_chunk_shares(c.store, questions)
    vectors: dict[str, list[float]] = {}
    embed = c.embeddings.embed_query

    def cached(text: str) -> list[float]:
        if text not in vectors:
            vectors[text] = embed(text)
        return vectors[text]

    c.embeddings.embed_query = cached  # each question is embedded once for all variants
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(VARIANTS)
    table = Table(
        title=f"retrieval ablations: {key}, {chunks} chunks, {len(questions)} questions",
        title_justify="left",
    )
    for col in ("variant", "hit@1", "hit@5", "hit@10", "MRR@10", "hit@5 (≤1% answers)"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for name in names:
        update = dict(VARIANTS[name])
        no_as_of = update.pop("_no_as_of", False)
        recency = update.pop("_recency", None)
        retrieval_module.RECENCY_WEIGHT, retrieval_module.RECENCY_HALF_LIFE_DAYS = (
            recency or defaults
        )
        retriever = Retriever(c.settings.model_copy(update=update), c.store, c.embeddings)
        ranks, rare = [], []
        for q in questions:
            m = AnswerMatcher(q.answers)
            got = retriever.retrieve(
                q.question, retriever.filters(None if no_as_of else q.as_of), RETRIEVE_K
            )
            passages = got.passages
            rank = next((i + 1 for i, p in enumerate(passages) if m(p.text)), None)
            ranks.append(rank)
            if shares.get(q.id, 0.0) <= 0.01:
                rare.append(rank)
        r, rr = retrieval_metrics(ranks), retrieval_metrics(rare)
        table.add_row(
            name, *(f"{r[k]:.3f}" for k in ("hit@1", "hit@5", "hit@10", "mrr@10")),
            f"{rr['hit@5']:.3f} ({len(rare)})",
        )  # fmt: skip
        Console(width=140).print(f"{name}: hit@5 {r['hit@5']:.3f}", style="dim")
    Console(width=140).print(table)
    reachable = _ceiling(c.store, questions)
    Console(width=140).print(
        f"ceiling: the answer is in a chunk published on or before the question's date for "
        f"{reachable}/{len(questions)} questions ({reachable / len(questions):.3f})"
    )


def _ceiling(store, questions) -> int:
    catalog, offset, found = store.catalog, 0, set()
    matchers = {q.id: (AnswerMatcher(q.answers), q.as_of) for q in questions}
    while True:
        _, articles = catalog.list_articles(offset=offset, limit=500)
        if not articles:
            return len(found)
        for a in articles:
            texts = [ch.text for ch in catalog.chunks_of(a.id)]
            for qid, (m, as_of) in matchers.items():
                if qid in found or (as_of and (a.published is None or a.published > as_of)):
                    continue
                if any(m(t) for t in texts):
                    found.add(qid)
        offset += 500


if __name__ == "__main__":
    main()
