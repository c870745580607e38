"""``make answers``: the answerer alone, on many dev questions ``make eval`` never reports on.

``make eval`` builds a vector store first (minutes to an hour) and reports on 60 or 200
questions, too few to tell a general rule from one that fits the questions it was found on.
This drives the answerer the way ``make train`` does, without a store: each question's passages
are the chunks of its own pool and of the pools of the questions asked closest in time, ranked
by IDF-weighted word overlap (a stand-in for the retriever), then the whole answerer runs
(evidence scoring, question kinds, the factoid answerer). Each question is also asked over the
other pools alone, with every article holding its answer removed: any answer there is false.

Questions are drawn by seed from the answer-in-corpus dev questions outside every ``make eval``
sample and split in two halves by id hash: ``look`` (read its failures) and ``check`` (read only
its figures). A change is kept when it helps ``check`` and both years, not only ``look``.

    python -m bench.answers [--split look|check|all] [--per-year 150] [--mc] [--out rows.jsonl]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from tqdm import tqdm

from bench.train import draw_questions, pool_articles, question_pools, ranked_passages
from rag.answer.evidence import EvidenceScorer
from rag.answer.extractive import answer_from_evidence
from rag.answer.kinds import answer_by_kind
from rag.answer.question import analyse
from rag.eval.evaluation import AnswerMatcher, open_answer_correct, question_from_record
from rag.eval.multiple_choice import pick, with_answer
from rag.eval.rtqa import default_rtqa_dir, load_rtqa_records
from rag.models.embeddings import LocalEmbeddings
from rag.models.nlp import NLP
from rag.models.offline import configure_offline
from rag.settings import Settings


def split_of(question_id: str) -> str:
    """A question's half, fixed by its id alone (so it never depends on the sample drawn)."""
    return "look" if hashlib.sha1(question_id.encode()).digest()[0] % 2 == 0 else "check"


def choose(records: list[dict], per_year: int, seed: int, split: str) -> list[dict]:
    return draw_questions(
        records, per_year, seed, lambda r: split == "all" or split_of(r["id"]) == split
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rtqa-dir", type=Path, default=None)
    ap.add_argument("--split", choices=("look", "check", "all"), default="check")
    ap.add_argument("--per-year", type=int, default=150, help="questions drawn per year")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--top", type=int, default=6, help="passages per question (top_k)")
    ap.add_argument("--no-absent", action="store_true", help="skip the sources-removed asks")
    ap.add_argument("--out", type=Path, default=None, help="write every answer (JSONL)")
    ap.add_argument("--mc", action="store_true", help="also pick among the four options")
    args = ap.parse_args(argv)
    rtqa_dir = args.rtqa_dir or default_rtqa_dir()
    if not (rtqa_dir / "questions-dev.jsonl").exists():
        print(f"no rtqa data in {rtqa_dir}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    configure_offline()
    settings = Settings()
    embeddings = LocalEmbeddings(settings)
    scorer = EvidenceScorer(embeddings, NLP(settings.spacy_model))
    records = load_rtqa_records(rtqa_dir)
    chosen = choose(records, args.per_year, args.seed, args.split)
    articles = pool_articles(rtqa_dir, chosen)
    rows = []
    out = args.out.open("w", encoding="utf-8") if args.out else None
    for r in tqdm(chosen, desc="questions", unit="q", file=sys.stderr):
        q = question_from_record(r, f"rtqa:{r['id']}")
        matcher = AnswerMatcher(q.answers)
        mixed, absent = question_pools(chosen, r, articles, matcher)
        asks = [("", mixed)] + ([] if args.no_absent else [("absent", absent)])
        for kind, pool in asks:
            passages = ranked_passages(q.question, pool, args.top, settings)
            analysis = analyse(q.question)
            t = time.perf_counter()
            if passages:
                qv = embeddings.embed_query(q.question)
                ranked = scorer.score(analysis, passages, qv)
                result = answer_by_kind(analysis, ranked, scorer) or answer_from_evidence(
                    analysis, ranked, None, q.as_of or date.today()
                )
                status, text, short = result.status, result.answer, result.short_answer
                cited = [
                    p.text for c in result.citations for p in passages if p.chunk_id == c.chunk_id
                ]
                notes, candidates = result.notes, result.candidates
            else:
                status, text, short, cited, notes = "not_found", "", None, [], []
                candidates = []
            answered = status == "answered"
            row = {
                "id": q.id,
                "year": int(r["date"][:4]),
                "kind": kind or "answerable",
                "question": q.question,
                "gold": q.answers[0],
                "status": status,
                "answer": text,
                "short": short,
                "notes": notes,
                "in_top": any(matcher(p.text) for p in passages),
                "open": answered and open_answer_correct(text, q.choices, q.answer_index),
                "short_right": answered and open_answer_correct(short, q.choices, q.answer_index),
                "supported": any(matcher(c) for c in cited),
                "seconds": time.perf_counter() - t,
            }
            if args.mc and not kind and q.has_choices:
                # As `make eval` picks, over these passages alone (no per-option retrieval).
                weighted = [(p, 1.0 / (1.0 + 0.1 * i)) for i, p in enumerate(passages)]
                choice = with_answer(
                    pick(q.question, q.choices, weighted),
                    q.choices,
                    short if answered else None,
                    candidates,
                )
                row["mc"] = choice.index == q.answer_index
            rows.append(row)
            if out:
                out.write(json.dumps(row) + "\n")
    if out:
        out.close()
    report(rows)
    print(f"{time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


def report(rows: list[dict]) -> None:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["kind"] == "answerable":
            groups["all"].append(r)
            groups[str(r["year"])].append(r)
    for name, g in groups.items():
        answered = [r for r in g if r["status"] == "answered"]
        top = [r for r in g if r["in_top"]]
        print(
            f"{name:>5}: {len(g)} q  open {_mean(r['open'] for r in g):.3f}"
            f"  short {_mean(r['short_right'] for r in g):.3f}"
            f"  right|in-top {_mean(r['open'] for r in top):.3f} ({len(top)})"
            f"  support {_mean(r['supported'] for r in answered):.3f} ({len(answered)})"
            f"  not_found {_mean(r['status'] != 'answered' for r in g):.3f}"
            + (f"  MC {_mean(r['mc'] for r in g):.3f}" if "mc" in g[0] else "")
        )
    absent = [r for r in rows if r["kind"] == "absent"]
    if absent:
        print(
            f"absent: {len(absent)} q  false answers "
            f"{_mean(r['status'] == 'answered' for r in absent):.3f}"
        )


def _mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
