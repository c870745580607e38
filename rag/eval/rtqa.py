"""RealTime QA samples: the answer-in-corpus sample and the "absent" sample.

The answer-in-corpus sample is a seeded draw of questions whose answer occurs in their pool (the
search results gathered for the question), over a corpus of those pools plus random other
articles. The absent sample asks questions over a corpus that cannot answer them: each
question's own pool is left out, and what is kept are articles of the week before the question
in which its answer string occurs nowhere, the ones closest in words to the question first (the
articles a search would bring up). Any answer given there is a false answer.

Both are deterministic for a given data set: candidates and articles are sorted by id before a
seeded draw, so the same flags always give the same sample.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import random
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from rag.eval.evaluation import AnswerMatcher, EvalQuestion, open_text, question_from_record
from rag.text.tokens import content_words, stem

ABSENT_WINDOW_DAYS = 7  # "the same week": published in the 7 days up to the question's date
ABSENT_PER_QUESTION = 5  # articles kept per absent question (closest in words first)
_SIMILARITY_CHARS = 3000  # of title + text, enough to tell what an article is about


def default_rtqa_dir() -> Path:
    """``NEWSRAG_RTQA_DIR``, else ``shared/eval/rtqa`` beside the repository."""
    env = os.environ.get("NEWSRAG_RTQA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent.parent / "shared" / "eval" / "rtqa"


def _years_key(years: Collection[int] | None) -> str:
    return f"-y{'+'.join(str(y) for y in sorted(years))}" if years else ""


@dataclass
class RtqaSample:
    questions: list[EvalQuestion]
    article_ids: list[str]  # the corpus: the questions' pools + distractors, sorted
    n_questions: int
    distractors: int
    seed: int
    years: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        base = f"rtqa-q{self.n_questions}-d{self.distractors}-s{self.seed}"
        return base + _years_key(self.years)


@dataclass
class AbsentSample:
    questions: list[EvalQuestion]
    article_ids: list[str]  # same-week articles holding none of the questions' answers
    n_questions: int
    per_question: int
    seed: int
    years: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return absent_key(self.n_questions, self.per_question, self.seed, self.years)


def absent_key(questions: int, per_question: int, seed: int, years: Collection[int] = ()) -> str:
    return f"absent-q{questions}-a{per_question}-s{seed}" + _years_key(years)


def iter_article_records(path: Path) -> Iterator[dict]:
    with open_text(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def load_rtqa_records(rtqa_dir: Path, split: str = "dev") -> list[dict]:
    path = rtqa_dir / f"questions-{split}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _in_years(record: dict, years: Collection[int] | None) -> bool:
    return not years or int(str(record.get("date") or "0")[:4]) in years


def _published_year(record: dict) -> int | None:
    value = str(record.get("published") or "")[:4]
    return int(value) if value.isdigit() else None


def sample_rtqa(
    rtqa_dir: Path,
    questions: int,
    distractors: int,
    seed: int,
    split: str = "dev",
    years: Collection[int] | None = None,
) -> RtqaSample:
    """``questions`` answer-in-corpus questions by ``seed``; corpus = their pools + distractors.

    ``years`` keeps questions dated in those years, and distractors published in them; without
    it the draw is the one it always was (the default sample's figures stay comparable).
    """
    records = load_rtqa_records(rtqa_dir, split)
    rng = random.Random(seed)
    chosen = _draw(records, questions, rng, years)
    picked = [question_from_record(r, f"rtqa:{r['id']}") for r in chosen]
    pooled = {p for q in picked for p in q.pool}
    others = sorted(
        a["id"]
        for a in iter_article_records(rtqa_dir / "articles.jsonl.gz")
        if a["id"] not in pooled and (not years or _published_year(a) in years)
    )
    extra = rng.sample(others, min(distractors, len(others))) if distractors else []
    return RtqaSample(
        picked,
        sorted(pooled | set(extra)),
        questions,
        distractors,
        seed,
        tuple(sorted(years or ())),
    )


def _draw(
    records: list[dict], questions: int, rng: random.Random, years: Collection[int] | None
) -> list[dict]:
    """The seeded draw both samples make: sorted by id first, so a seed is always one sample."""
    candidates = sorted(
        (r for r in records if r.get("answer_in_corpus") and _in_years(r, years)),
        key=lambda r: r["id"],
    )
    chosen = rng.sample(candidates, min(questions, len(candidates)))
    chosen.sort(key=lambda r: (r["date"], r["id"]))
    return chosen


def sampled_question_ids(
    records: list[dict], questions: int, seed: int, absent: int = 0
) -> set[str]:
    """The ids ``newsrag eval rtqa --questions N --seed S --absent A`` asks (no articles read):
    what a fit must leave out so the eval reports on questions it never saw."""
    ids = {r["id"] for r in _draw(records, questions, random.Random(seed), None)}
    if absent:
        ids |= {r["id"] for r in _draw(records, absent, random.Random(f"absent-{seed}"), None)}
    return ids


def _stems(text: str) -> Counter[str]:
    return Counter(stem(w) for w in content_words(text))


def sample_absent(
    rtqa_dir: Path,
    questions: int,
    seed: int,
    per_question: int = ABSENT_PER_QUESTION,
    split: str = "dev",
    years: Collection[int] | None = None,
) -> AbsentSample:
    """``questions`` answer-in-corpus questions asked over a corpus without their answer.

    The corpus never holds any sampled question's pool, nor any article in which any sampled
    question's answer occurs (so no question can be answered from another one's articles).
    Per question, the ``per_question`` articles of its week that share the most (IDF-weighted)
    words with the question are kept.
    """
    records = load_rtqa_records(rtqa_dir, split)
    chosen = _draw(records, questions, random.Random(f"absent-{seed}"), years)
    picked = [question_from_record(r, f"rtqa:{r['id']}") for r in chosen]
    pooled = {p for q in picked for p in q.pool}
    matchers = [AnswerMatcher(q.answers) for q in picked]
    windows = [
        (q.as_of - timedelta(days=ABSENT_WINDOW_DAYS - 1), q.as_of) for q in picked if q.as_of
    ]
    lo = min((w[0] for w in windows), default=date.max)
    hi = max((w[1] for w in windows), default=date.min)
    # Articles of the weeks: id, date, word stems; dropped if any sampled answer occurs in them.
    week: list[tuple[str, date, Counter[str]]] = []
    for a in iter_article_records(rtqa_dir / "articles.jsonl.gz"):
        published = _date(a.get("published"))
        if a["id"] in pooled or published is None or not lo <= published <= hi:
            continue
        text = f"{a.get('title') or ''}\n{a.get('text') or ''}"
        lowered = text.lower()
        if any(m.quick_in(lowered) and m(text) for m in matchers):
            continue
        week.append((a["id"], published, _stems(text[:_SIMILARITY_CHARS])))
    week.sort(key=lambda row: row[0])
    df = Counter(s for _, _, stems in week for s in stems)
    n = len(week) or 1
    kept: set[str] = set()
    for q in picked:
        if q.as_of is None:
            continue
        start = q.as_of - timedelta(days=ABSENT_WINDOW_DAYS - 1)
        asked = set(_stems(q.question))
        idf = {s: math.log(1 + n / (1 + df.get(s, 0))) for s in asked}
        scored = sorted(
            (
                (-sum(idf[s] for s in asked if s in stems), aid)
                for aid, published, stems in week
                if start <= published <= q.as_of
            ),
        )
        kept.update(aid for _, aid in scored[:per_question])
    return AbsentSample(
        picked, sorted(kept), questions, per_question, seed, tuple(sorted(years or ()))
    )


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def write_corpus(rtqa_dir: Path, article_ids: Iterable[str], out: Path) -> int:
    """The sample's articles as a JSONL.gz that ``newsrag ingest`` (and the loaders) read."""
    wanted = set(article_ids)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    n = 0
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        for record in iter_article_records(rtqa_dir / "articles.jsonl.gz"):
            if record["id"] in wanted:
                record.setdefault("source", _host(record.get("url") or ""))
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
                n += 1
    tmp.replace(out)
    return n


def _host(url: str) -> str | None:
    m = re.match(r"https?://(?:www\.)?([^/:]+)", url)
    return m.group(1) if m else None
