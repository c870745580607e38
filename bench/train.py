"""``make train``: fit the answerer's weights on rtqa dev questions, report across years.

For each sampled answer-in-corpus dev question of 2022 and 2024 (seeded), the chunks of its
pool articles are ranked by IDF-weighted word overlap with the question (a stand-in for the
retriever: no embedding, so a fit takes minutes, not hours); the top passages go through each
featurizer of ``rag.eval.train.FEATURIZERS``; a candidate is labelled by whether it holds the
answer. Reported: fit on 2022 / test on 2024 and the reverse; written: the fit on both years,
to ``rag/answer/weights.json``.

    python -m bench.train [--per-year 300] [--seed 7] [--top 10] [--dry-run]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

from ingest.chunking import chunk_article
from rag.eval.evaluation import AnswerMatcher, question_from_record
from rag.eval.rtqa import default_rtqa_dir, iter_article_records, load_rtqa_records
from rag.eval.train import (
    FEATURIZERS,
    CandidateRow,
    cross_year,
    evaluate,
    fit_logistic,
    write_weights,
)
from rag.schema import Article, Passage
from rag.settings import Settings
from rag.text.tokens import content_words, stem

YEARS = (2022, 2024)


def _stems(text: str) -> Counter[str]:
    return Counter(stem(w) for w in content_words(text))


def ranked_passages(question: str, articles: list[Article], top: int, settings) -> list[Passage]:
    chunks = []
    for a in articles:
        for c in chunk_article(a, settings.chunk_words, settings.chunk_overlap_words):
            chunks.append((a, c, _stems(f"{a.title}\n{c.text}")))
    if not chunks:
        return []
    df = Counter(s for _, _, stems in chunks for s in stems)
    asked = set(_stems(question))
    n = len(chunks)
    idf = {s: math.log(1 + n / (1 + df.get(s, 0))) for s in asked}
    scored = sorted(
        ((-sum(idf[s] for s in asked if s in stems), a.id, c.index) for a, c, stems in chunks)
    )
    by_key = {(a.id, c.index): (a, c) for a, c, _ in chunks}
    out = []
    for score, aid, index in scored[:top]:
        a, c = by_key[(aid, index)]
        out.append(
            Passage(
                chunk_id=c.id,
                article_id=a.id,
                title=a.title,
                text=c.text,
                start=c.start,
                end=c.end,
                published=a.published,
                score=-score,
            )  # fmt: skip
        )
    return out


def build_rows(rtqa_dir: Path, per_year: int, seed: int, top: int) -> dict[str, list[CandidateRow]]:
    records = sorted(
        (r for r in load_rtqa_records(rtqa_dir) if r.get("answer_in_corpus")),
        key=lambda r: r["id"],
    )
    rng = random.Random(seed)
    chosen = []
    for year in YEARS:
        of_year = [r for r in records if r["date"].startswith(str(year))]
        chosen += rng.sample(of_year, min(per_year, len(of_year)))
    wanted = {p for r in chosen for p in r["pool"]}
    articles = {
        a["id"]: Article(
            id=a["id"],
            title=a.get("title") or "",
            text=a.get("text") or "",
            published=(a.get("published") or None) and str(a["published"])[:10],
        )  # fmt: skip
        for a in iter_article_records(rtqa_dir / "articles.jsonl.gz")
        if a["id"] in wanted
    }
    settings = Settings()
    rows: dict[str, list[CandidateRow]] = {name: [] for name in FEATURIZERS}
    for r in chosen:
        q = question_from_record(r, f"rtqa:{r['id']}")
        matcher = AnswerMatcher(q.answers)
        pool = [articles[p] for p in q.pool if p in articles]
        passages = ranked_passages(q.question, pool, top, settings)
        for name, featurize in FEATURIZERS.items():
            for text, feats in featurize(q.question, passages):
                rows[name].append(
                    CandidateRow(q.id, int(r["date"][:4]), text, feats, matcher(text))
                )
    return rows


def _line(label: str, m: dict) -> str:
    return (
        f"  {label:<34} top1 {m['top1']:.3f} over {m['answerable_questions']} answerable q "
        f"({m['candidates']} candidates, log loss {m['log_loss']:.3f})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rtqa-dir", type=Path, default=None)
    ap.add_argument("--per-year", type=int, default=300, help="questions sampled per year")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--top", type=int, default=10, help="passages per question")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--out", type=Path, default=None, help="default rag/answer/weights.json")
    ap.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = ap.parse_args(argv)
    rtqa_dir = args.rtqa_dir or default_rtqa_dir()
    if not (rtqa_dir / "questions-dev.jsonl").exists():
        print(f"no rtqa data in {rtqa_dir}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    rows = build_rows(rtqa_dir, args.per_year, args.seed, args.top)
    models, reports = {}, {}
    for name, group in rows.items():
        report = cross_year(group, YEARS, args.l2)
        model = fit_logistic(group, args.l2)
        report["fit_both"] = evaluate(model, group)
        models[name], reports[name] = model, report
        print(f"{name}: {len(group)} candidates")
        for key, r in report.items():
            if key == "fit_both":
                print(_line("fit on both years (written)", r))
                continue
            print(_line(f"{key}: test", r["test"]))
            print(_line(f"{key}: unfitted baseline", r["test_unfitted_baseline"]))
        top = sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))
        print("  weights: " + ", ".join(f"{k} {v:+.3f}" for k, v in top))
    meta = {
        "params": {"per_year": args.per_year, "seed": args.seed, "top": args.top, "l2": args.l2},
        "years": list(YEARS),
    }
    if not args.dry_run:
        kwargs = {"path": args.out} if args.out else {}
        path = write_weights(models, reports, meta, **kwargs)
        print(f"wrote {path}")
    print(f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
