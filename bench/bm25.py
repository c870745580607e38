"""BM25 at scale: the pruned lexical search against the plain OR-query, on a big catalog.

    newsrag ingest ../shared/eval/rtqa/articles.jsonl.gz --defer-vectors --data-dir /tmp/full
    python -m bench.bm25 --data-dir /tmp/full        # the eval sample's 60 questions, as_of on

Both searches run over the same catalog with each question's ``as_of``: wall and CPU time per
query (p50 / p95), BM25-only hit@k of the answer string in the top k, and how much of the plain
query's top 10 the pruned one keeps. CPU time is what the query costs; wall time is what a user
waits, which on a loaded machine is several times the CPU time.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from rag.eval.evaluation import AnswerMatcher
from rag.eval.metrics import now_utc, percentile
from rag.eval.rtqa import default_rtqa_dir, sample_rtqa
from rag.store.catalog import Catalog
from rag.store.filters import Filters

KS = (1, 5, 10, 40)


def run(catalog: Catalog, questions, prune: bool, limit: int) -> dict:
    wall, cpu, ranks, tops = [], [], [], []
    for q in questions:
        filters = Filters(as_of=q.as_of)
        w0, c0 = time.perf_counter(), time.process_time()
        hits = catalog.lexical_search(q.question, filters, limit, prune=prune)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
        ids = [cid for cid, _ in hits]
        rows = catalog.chunk_rows(ids)
        match = AnswerMatcher(q.answers)
        ranks.append(next((i + 1 for i, c in enumerate(ids) if match(rows[c].chunk.text)), None))
        tops.append(ids[:10])
    return {
        "wall_ms": {"p50": percentile(wall, 50) * 1000, "p95": percentile(wall, 95) * 1000},
        "cpu_ms": {"p50": percentile(cpu, 50) * 1000, "p95": percentile(cpu, 95) * 1000},
        "hit": {k: sum(r is not None and r <= k for r in ranks) / len(ranks) for k in KS},
        "tops": tops,
    }


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--distractors", type=int, default=100)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--limit", type=int, default=40, help="candidates, as the retriever asks")
    ap.add_argument("--rounds", type=int, default=2, help="timed rounds; the best is kept")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    catalog = Catalog(args.data_dir / "catalog.sqlite3")
    chunks = catalog.stats()["chunks"]
    questions = sample_rtqa(
        default_rtqa_dir(), args.questions, args.distractors, args.seed
    ).questions
    run(catalog, questions, True, args.limit)  # warm: page cache, term frequencies
    report: dict = {"date": now_utc(), "chunks": chunks, "questions": len(questions)}
    for name, prune in (("plain OR-query", False), ("pruned", True)):
        rounds = [run(catalog, questions, prune, args.limit) for _ in range(args.rounds)]
        report[name] = min(rounds, key=lambda r: r["wall_ms"]["p95"])
    plain, pruned = report["plain OR-query"], report["pruned"]
    kept = [
        len(set(a) & set(b)) / len(a)
        for a, b in zip(plain["tops"], pruned["tops"], strict=True)
        if a
    ]
    report["top10_kept"] = sum(kept) / max(1, len(kept))
    report["load_average"] = os.getloadavg()
    print(f"{chunks:,} chunks, {len(questions)} questions with as_of, {args.limit} candidates")
    for name in ("plain OR-query", "pruned"):
        r = report[name]
        hits = ", ".join(f"hit@{k} {v:.3f}" for k, v in r["hit"].items())
        print(
            f"{name:>15}: wall p50 {r['wall_ms']['p50']:.0f} / p95 {r['wall_ms']['p95']:.0f} ms, "
            f"CPU p50 {r['cpu_ms']['p50']:.0f} / p95 {r['cpu_ms']['p95']:.0f} ms; {hits}"
        )
    print(
        f"pruned keeps {report['top10_kept']:.1%} of the plain top 10; load {report['load_average']}"
    )
    for r in (plain, pruned):
        r.pop("tops")
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))
    return report


if __name__ == "__main__":
    main()
