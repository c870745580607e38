"""``make train``: fit the answerer's weights on rtqa dev questions, report across years.

For each sampled answer-in-corpus dev question of 2022 and 2024 (seeded; never one that ``make
eval`` reports on), the chunks of its pool and of the pools of the questions asked closest in
time are ranked by IDF-weighted word overlap with the question (a stand-in for the retriever:
no vector store to build, so a fit takes minutes); the top passages go through each featurizer
of ``rag.eval.train.featurizers`` (``candidate`` runs the answerer's own evidence scoring and
pooling); a candidate is labelled by whether it holds the answer. Each question is asked a
second time over the other pools alone, with every article holding its answer removed: there
every candidate is wrong, which is what teaches the refusal bar. Reported: fit on 2022 / test on
2024 and the reverse; written: the fit on both years, to ``rag/answer/weights.json``.

    python -m bench.train [--per-year 150] [--seed 7] [--top 6] [--cost 0.5] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path

from tqdm import tqdm

from ingest.chunking import chunk_article
from rag.answer.evidence import EvidenceScorer
from rag.answer.extractive import MIN_SUPPORT
from rag.eval.evaluation import AnswerMatcher, question_from_record
from rag.eval.rtqa import (
    default_rtqa_dir,
    iter_article_records,
    load_rtqa_records,
    sampled_question_ids,
)
from rag.eval.train import (
    CandidateRow,
    choose_threshold,
    cross_year,
    decisions,
    evaluate,
    featurizers,
    fit_logistic,
    write_weights,
)
from rag.models.embeddings import LocalEmbeddings
from rag.models.nlp import NLP
from rag.models.offline import configure_offline
from rag.schema import Article, Passage
from rag.settings import Settings
from rag.text.tokens import content_words, stem

YEARS = (2022, 2024)
NEIGHBOURS = 3  # other questions' pools mixed into each question's candidates


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


def held_out_ids(records: list[dict]) -> set[str]:
    """Questions ``make eval`` reports on (default sample, --questions 200, absent sample):
    never fitted on, so its figures stay a measurement."""
    return sampled_question_ids(records, 60, 11, absent=40) | sampled_question_ids(records, 200, 11)


def build_rows(
    rtqa_dir: Path, per_year: int, seed: int, top: int, featurize: dict
) -> dict[str, list[CandidateRow]]:
    """Candidates of each sampled question, asked twice: over its own pool mixed with the
    pools of other questions of the same weeks, and over those other pools alone with every
    article holding its answer removed (the absent case: any answer there is wrong)."""
    chosen = draw_questions(load_rtqa_records(rtqa_dir), per_year, seed)
    articles = pool_articles(rtqa_dir, chosen)
    settings = Settings()
    rows: dict[str, list[CandidateRow]] = {name: [] for name in featurize}
    for r in tqdm(chosen, desc="questions", unit="q", file=sys.stderr):
        q = question_from_record(r, f"rtqa:{r['id']}")
        matcher = AnswerMatcher(q.answers)
        year = int(r["date"][:4])
        mixed, absent = question_pools(chosen, r, articles, matcher)
        for suffix, pool in (("", mixed), ("#absent", absent)):
            passages = ranked_passages(q.question, pool, top, settings)
            for name, featurizer in featurize.items():
                for text, feats in featurizer(q.question, passages):
                    rows[name].append(CandidateRow(q.id + suffix, year, text, feats, matcher(text)))
    return rows


def draw_questions(
    records: list[dict], per_year: int, seed: int, keep: Callable[[dict], bool] = lambda r: True
) -> list[dict]:
    """A seeded draw of answer-in-corpus questions per year, none that ``make eval`` reports
    on, in the order they were asked."""
    held_out = held_out_ids(records)
    usable = sorted(
        (r for r in records if r.get("answer_in_corpus") and r["id"] not in held_out and keep(r)),
        key=lambda r: r["id"],
    )
    rng = random.Random(seed)
    chosen = []
    for year in YEARS:
        of_year = [r for r in usable if r["date"].startswith(str(year))]
        chosen += rng.sample(of_year, min(per_year, len(of_year)))
    chosen.sort(key=lambda r: (r["date"], r["id"]))
    return chosen


def pool_articles(rtqa_dir: Path, chosen: list[dict]) -> dict[str, Article]:
    """The articles of the chosen questions' pools, by id."""
    wanted = {p for r in chosen for p in r["pool"]}
    return {
        a["id"]: Article(
            id=a["id"],
            title=a.get("title") or "",
            text=a.get("text") or "",
            published=(a.get("published") or None) and str(a["published"])[:10],
        )  # fmt: skip
        for a in iter_article_records(rtqa_dir / "articles.jsonl.gz")
        if a["id"] in wanted
    }


def question_pools(
    chosen: list[dict], record: dict, articles: dict[str, Article], matcher: AnswerMatcher
) -> tuple[list[Article], list[Article]]:
    """A question's corpus: its own pool mixed with the pools of the questions asked closest in
    time; and those other pools alone without any article holding its answer (the absent case)."""
    own = [articles[p] for p in record["pool"] if p in articles]
    others = [
        articles[p]
        for o in _neighbours(chosen, record)
        for p in o["pool"]
        if p in articles and p not in record["pool"]
    ]
    return own + others, [a for a in others if not matcher(f"{a.title}\n{a.text}")]


def _neighbours(chosen: list[dict], record: dict, count: int = NEIGHBOURS) -> list[dict]:
    """The other sampled questions asked closest in time: their pools are the distractors."""
    when = date.fromisoformat(record["date"])
    near = sorted(
        (abs((date.fromisoformat(o["date"]) - when).days), o["id"], o)
        for o in chosen
        if o["id"] != record["id"]
    )
    return [o for _, _, o in near[:count]]


def decision_report(rows: list[CandidateRow], l2: float, cost: float) -> dict:
    """The refusal bar fitted on one year, applied to the other: answered, right, false answers."""
    out = {}
    for fit_year, test_year in ((YEARS[0], YEARS[1]), (YEARS[1], YEARS[0])):
        fit_rows = [r for r in rows if r.year == fit_year]
        test_rows = [r for r in rows if r.year == test_year]
        model = fit_logistic(fit_rows, l2)
        bar = choose_threshold(fit_rows, model, cost)
        answerable = [r for r in test_rows if not r.question_id.endswith("#absent")]
        absent = [r for r in test_rows if r.question_id.endswith("#absent")]
        out[f"fit_{fit_year}_test_{test_year}"] = {
            "threshold": bar,
            "answerable": decisions(answerable, model, bar),
            "absent": decisions(absent, model, bar),
            "unfitted_answerable": decisions(answerable, model, bar, _hand_set),
            "unfitted_absent": decisions(absent, model, bar, _hand_set),
        }
    return out


def _hand_set(features: dict) -> bool:
    """The answerer's bar before any fit: the winner's best sentence support."""
    return features["best"] >= MIN_SUPPORT


def _line(label: str, m: dict) -> str:
    return (
        f"  {label:<34} top1 {m['top1']:.3f} over {m['answerable_questions']} answerable q "
        f"({m['candidates']} candidates, log loss {m['log_loss']:.3f})"
    )


def _print_decisions(report: dict, written: float | None) -> None:
    for key, r in report.items():
        for label, a, b in (
            (f"bar p >= {r['threshold']:.2f}", r["answerable"], r["absent"]),
            (f"unfitted (best >= {MIN_SUPPORT})", r["unfitted_answerable"], r["unfitted_absent"]),
        ):
            print(
                f"  {key}: {label}: {a['answered']}/{a['questions']} answered, {a['right']} right"
                f" (precision {a['precision']:.3f}, {a['right_of_answerable']:.3f} of the"
                f" {a['answerable']} answerable); absent: {b['answered']}/{b['questions']} answered"
            )
    print(f"  bar for NEWSRAG_MIN_CONFIDENCE at this --cost (fit on both years): {written:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rtqa-dir", type=Path, default=None)
    ap.add_argument("--per-year", type=int, default=150, help="questions sampled per year")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--top", type=int, default=6, help="passages per question (top_k)")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument(
        "--cost",
        type=float,
        default=0.5,
        help="what a wrong answer costs against a right one's 1 (a refusal costs 0): the bar",
    )
    ap.add_argument("--rows", type=Path, default=None, help="also write every candidate (JSONL)")
    ap.add_argument("--out", type=Path, default=None, help="default rag/answer/weights.json")
    ap.add_argument("--dry-run", action="store_true", help="report, write nothing")
    args = ap.parse_args(argv)
    rtqa_dir = args.rtqa_dir or default_rtqa_dir()
    if not (rtqa_dir / "questions-dev.jsonl").exists():
        print(f"no rtqa data in {rtqa_dir}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    configure_offline()
    settings = Settings()
    scorer = EvidenceScorer(LocalEmbeddings(settings), NLP(settings.spacy_model))
    rows = build_rows(rtqa_dir, args.per_year, args.seed, args.top, featurizers(scorer))
    if args.rows:
        with args.rows.open("w", encoding="utf-8") as f:
            for name, group in rows.items():
                for r in group:
                    f.write(json.dumps({"group": name, **asdict(r)}) + "\n")
    models, reports = {}, {}
    for name, group in rows.items():
        report = cross_year(group, YEARS, args.l2)
        model = fit_logistic(group, args.l2)
        report["fit_both"] = evaluate(model, group)
        if name == "candidate":
            report["decisions"] = decision_report(group, args.l2, args.cost)
            # Not applied by default: NEWSRAG_MIN_CONFIDENCE is the operator's choice.
            report["suggested_min_confidence"] = choose_threshold(group, model, args.cost)
        models[name], reports[name] = model, report
        print(f"{name}: {len(group)} candidates")
        if "decisions" in report:
            _print_decisions(report["decisions"], report["suggested_min_confidence"])
        for key, r in report.items():
            if key == "fit_both":
                print(_line("fit on both years (written)", r))
                continue
            if key in ("decisions", "suggested_min_confidence"):
                continue
            print(_line(f"{key}: test", r["test"]))
            print(_line(f"{key}: unfitted baseline", r["test_unfitted_baseline"]))
        top = sorted(model.weights.items(), key=lambda kv: -abs(kv[1]))
        print("  weights: " + ", ".join(f"{k} {v:+.3f}" for k, v in top))
    meta = {
        "params": {
            "per_year": args.per_year,
            "seed": args.seed,
            "top": args.top,
            "l2": args.l2,
            "cost": args.cost,
        },
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
