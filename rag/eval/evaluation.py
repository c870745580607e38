"""Evaluation: how often retrieval finds the answer, and how often the answer is right.

Questions with known answers (RealTime QA from ``shared/eval/rtqa``, or a user's own JSONL) go
through the system as configured; the metrics follow the eval README:

- hit@k / MRR@10: a top-k passage contains the answer string (case-insensitive, on word
  boundaries: "Kevin" does not match "Kevins"), also without the questions whose answer occurs
  in more than 1% of the corpus's chunks (short answers such as "17" hit by chance);
- open-answer accuracy: the answer text contains the right option and none of the others;
- multiple-choice accuracy: the system picks one of the options by the evidence it retrieves;
- citation support: the cited passages of an answered question contain the answer string;
- the ``not_found`` rate, and p50/p95 latency per question.

Nothing here knows about the CLI; ``api/eval_cli.py`` and ``bench/`` drive it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import platform
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.answer.chain import AnswerChain
    from rag.eval.multiple_choice import ChoicePicker
    from rag.store.newsstore import NewsStore

# An answer occurring in more than this share of the corpus's chunks is "frequent".
FREQUENT_SHARE = 0.01
HIT_KS = (1, 5, 10)
RETRIEVE_K = 10

# --- matching ---------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def answer_pattern(answer: str) -> re.Pattern[str]:
    """Case-insensitive, on word boundaries, any run of whitespace between words.

    Boundaries are checked only where the answer itself starts or ends with a word character,
    so "$1.5 billion" and "U.S." still match where they stand.
    """
    text = " ".join(answer.translate(_APOSTROPHES).split())
    body = r"\s+".join(re.escape(part) for part in text.split(" "))
    head = r"(?<!\w)" if text[:1].isalnum() or text[:1] == "_" else ""
    tail = r"(?!\w)" if text[-1:].isalnum() or text[-1:] == "_" else ""
    return re.compile(head + body + tail, re.IGNORECASE)


class AnswerMatcher:
    """Matches any of a question's accepted answers; patterns compiled once."""

    def __init__(self, answers: Sequence[str]) -> None:
        self.answers = [a for a in answers if a.strip()]
        self._patterns = [answer_pattern(a) for a in self.answers]
        self._needles = [" ".join(a.translate(_APOSTROPHES).lower().split()) for a in self.answers]

    def __call__(self, text: str | None) -> bool:
        if not text:
            return False
        text = text.translate(_APOSTROPHES)
        return any(p.search(text) for p in self._patterns)

    def quick_in(self, lowered: str) -> bool:
        """Cheap prefilter on lowercased text (a substring test) before the regex."""
        return any(n.split(" ")[0] in lowered for n in self._needles)


def contains_answer(text: str | None, answer: str | Sequence[str]) -> bool:
    return AnswerMatcher([answer] if isinstance(answer, str) else answer)(text)


def open_answer_correct(text: str | None, choices: Sequence[str], answer_index: int) -> bool:
    """The text names the right option and none of the others (README: open answer accuracy)."""
    if not text:
        return False
    right = contains_answer(text, choices[answer_index])
    others = any(
        contains_answer(text, c)
        for i, c in enumerate(choices)
        if i != answer_index and c.strip().lower() != choices[answer_index].strip().lower()
    )
    return right and not others


# --- questions --------------------------------------------------------------------------------


@dataclass
class EvalQuestion:
    id: str
    question: str
    answers: list[str]  # accepted answer strings (the first is the canonical one)
    as_of: date | None = None
    choices: list[str] = field(default_factory=list)
    answer_index: int | None = None
    pool: list[str] = field(default_factory=list)  # rtqa: the search results for the question

    @property
    def has_choices(self) -> bool:
        return len(self.choices) >= 2 and self.answer_index is not None


class QuestionFileError(ValueError):
    pass


def _as_date(value: Any, where: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise QuestionFileError(f"{where}: {value!r} is not a date like 2025-06-02") from None


def question_from_record(record: dict, where: str) -> EvalQuestion:
    """One line of a questions file (ours or rtqa's): ``question`` plus ``answer`` (a string or
    a list of accepted strings) or ``choices`` + ``answer_index``; optional ``id``, ``as_of``
    (or rtqa's ``date``) and ``pool``."""
    if not isinstance(record, dict):
        raise QuestionFileError(f"{where}: expected a JSON object")
    question = record.get("question")
    if not isinstance(question, str) or not question.strip():
        raise QuestionFileError(f"{where}: no 'question' string")
    choices = record.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise QuestionFileError(f"{where}: 'choices' should be a list of strings")
    index = record.get("answer_index")
    if index is not None and (not isinstance(index, int) or not 0 <= index < len(choices)):
        raise QuestionFileError(f"{where}: 'answer_index' should index 'choices'")
    answer = record.get("answer", record.get("answers"))
    answers = [answer] if isinstance(answer, str) else list(answer or [])
    if index is not None and not answers:
        answers = [choices[index]]
    if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
        raise QuestionFileError(
            f"{where}: no expected answer ('answer': a string or a list of strings)"
        )
    as_of = _as_date(record.get("as_of", record.get("date")), where)
    return EvalQuestion(
        id=str(record.get("id") or where),
        question=question.strip(),
        answers=answers,
        as_of=as_of,
        choices=choices,
        answer_index=index,
        pool=[str(p) for p in record.get("pool") or []],
    )


def load_questions(path: Path) -> list[EvalQuestion]:
    out: list[EvalQuestion] = []
    with _open_text(path) as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise QuestionFileError(f"{where}: invalid JSON: {e}") from None
            out.append(question_from_record(record, where))
    if not out:
        raise QuestionFileError(f"{path}: no questions")
    return out


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


# --- the rtqa sample --------------------------------------------------------------------------


def default_rtqa_dir() -> Path:
    """``NEWSRAG_RTQA_DIR``, else ``shared/eval/rtqa`` beside the repository."""
    env = os.environ.get("NEWSRAG_RTQA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "rtqa"


@dataclass
class RtqaSample:
    questions: list[EvalQuestion]
    article_ids: list[str]  # the corpus: the questions' pools + distractors, sorted
    n_questions: int
    distractors: int
    seed: int

    @property
    def key(self) -> str:
        return f"rtqa-q{self.n_questions}-d{self.distractors}-s{self.seed}"


def iter_article_records(path: Path) -> Iterator[dict]:
    with _open_text(path) as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def sample_rtqa(
    rtqa_dir: Path,
    questions: int,
    distractors: int,
    seed: int,
    split: str = "dev",
) -> RtqaSample:
    """``questions`` answer-in-corpus questions by ``seed``; corpus = their pools + distractors.

    Deterministic for a given data set: candidates and articles are sorted by id before the
    seeded draw, so the same flags always give the same sample.
    """
    records = [
        json.loads(line)
        for line in (rtqa_dir / f"questions-{split}.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    candidates = sorted((r for r in records if r.get("answer_in_corpus")), key=lambda r: r["id"])
    rng = random.Random(seed)
    chosen = rng.sample(candidates, min(questions, len(candidates)))
    chosen.sort(key=lambda r: (r["date"], r["id"]))
    picked = [question_from_record(r, f"rtqa:{r['id']}") for r in chosen]
    pooled = {p for q in picked for p in q.pool}
    others = sorted(
        a["id"]
        for a in iter_article_records(rtqa_dir / "articles.jsonl.gz")
        if a["id"] not in pooled
    )
    extra = rng.sample(others, min(distractors, len(others))) if distractors else []
    return RtqaSample(picked, sorted(pooled | set(extra)), questions, distractors, seed)


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


def index_fingerprint(settings) -> str:
    """Whatever changes the stored chunks or vectors: a different value = a different store."""
    from ingest.chunking import chunk_article, embedding_text
    from rag.schema import Article

    h = hashlib.sha1(f"{settings.embedding_model}".encode())
    # What the chunker and embedding_text make of a probe article: a code change that alters
    # them alters this, a comment or refactor does not.
    probe = Article(
        id="probe",
        title="Probe title",
        published=date(2025, 6, 2),
        text=" ".join(
            f"Sentence number {i} says {i * 7} things happened in Town{i}." for i in range(400)
        ),
    )
    for c in chunk_article(probe, settings.chunk_words, settings.chunk_overlap_words):
        h.update(f"{c.start}:{c.end}:{embedding_text(probe, c)}".encode())
    return h.hexdigest()[:10]


# --- running ----------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    id: str
    question: str
    answer: str  # the expected answer (canonical)
    as_of: str | None
    hit_rank: int | None  # 1-based rank of the first top-10 passage holding the answer
    status: str
    answer_text: str
    short_answer: str | None
    open_correct: bool | None  # None: the question has no options
    short_correct: bool | None
    cited: bool  # the answer cites at least one passage
    citation_supported: bool  # a cited passage contains the answer string
    retrieval_s: float
    latency_s: float  # end to end: chain.ask
    mc_pick: int | None = None
    mc_correct: bool | None = None
    mc_guess: bool | None = None  # no option was found in the evidence
    mc_s: float | None = None
    answer_chunk_share: float | None = None  # share of corpus chunks holding the answer


def evaluate_question(
    chain: AnswerChain,
    q: EvalQuestion,
    picker: ChoicePicker | None = None,
) -> QuestionResult:
    matcher = AnswerMatcher(q.answers)
    retriever = chain.retriever
    t0 = time.perf_counter()
    retrieved = retriever.retrieve(q.question, retriever.filters(q.as_of), RETRIEVE_K)
    retrieval_s = time.perf_counter() - t0
    hit_rank = next(
        (i + 1 for i, p in enumerate(retrieved.passages) if matcher(p.text)),
        None,
    )
    t1 = time.perf_counter()
    answer = chain.ask(q.question, as_of=q.as_of)
    latency_s = time.perf_counter() - t1
    answered = answer.status == "answered"
    open_correct = short_correct = None
    if q.has_choices:
        open_correct = answered and open_answer_correct(answer.answer, q.choices, q.answer_index)
        short_correct = answered and open_answer_correct(
            answer.short_answer, q.choices, q.answer_index
        )
    else:
        open_correct = answered and matcher(answer.answer)
        short_correct = answered and matcher(answer.short_answer)
    result = QuestionResult(
        id=q.id,
        question=q.question,
        answer=q.answers[0],
        as_of=q.as_of.isoformat() if q.as_of else None,
        hit_rank=hit_rank,
        status=answer.status,
        answer_text=answer.answer,
        short_answer=answer.short_answer,
        open_correct=open_correct,
        short_correct=short_correct,
        cited=bool(answer.citations),
        citation_supported=any(matcher(c.passage) for c in answer.citations),
        retrieval_s=retrieval_s,
        latency_s=latency_s,
    )
    if picker is not None and q.has_choices:
        t2 = time.perf_counter()
        choice = picker.choose(q.question, q.choices, as_of=q.as_of, retrieved=retrieved)
        result.mc_s = time.perf_counter() - t2
        result.mc_pick = choice.index
        result.mc_correct = choice.index == q.answer_index
        result.mc_guess = choice.guess
    return result


def answer_chunk_shares(store: NewsStore, questions: Sequence[EvalQuestion]) -> dict[str, float]:
    """For each question, the share of the store's chunks whose text holds its answer."""
    matchers = {q.id: AnswerMatcher(q.answers) for q in questions}
    counts = dict.fromkeys(matchers, 0)
    total = 0
    for text in iter_chunk_texts(store):
        total += 1
        lowered = text.translate(_APOSTROPHES).lower()
        for qid, m in matchers.items():
            if m.quick_in(lowered) and m(text):
                counts[qid] += 1
    return {qid: (c / total if total else 0.0) for qid, c in counts.items()}


def iter_chunk_texts(store: NewsStore, page: int = 500) -> Iterator[str]:
    catalog = store.catalog
    offset = 0
    while True:
        _, articles = catalog.list_articles(offset=offset, limit=page)
        if not articles:
            return
        for article in articles:
            for chunk in catalog.chunks_of(article.id):
                yield chunk.text
        offset += page


def run_evaluation(
    chain: AnswerChain,
    questions: Sequence[EvalQuestion],
    picker: ChoicePicker | None = None,
    progress: Callable[[int, QuestionResult], None] | None = None,
) -> list[QuestionResult]:
    shares = answer_chunk_shares(chain.retriever.store, questions)
    results: list[QuestionResult] = []
    for i, q in enumerate(questions, 1):
        r = evaluate_question(chain, q, picker)
        r.answer_chunk_share = shares.get(q.id)
        results.append(r)
        if progress:
            progress(i, r)
    return results


# --- metrics ----------------------------------------------------------------------------------


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    return _mean([r is not None and r <= k for r in ranks])


def mrr_at(ranks: Sequence[int | None], k: int = 10) -> float:
    return _mean([1.0 / r if r is not None and r <= k else 0.0 for r in ranks])


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _mean(values: Iterable[float | bool]) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else math.nan


def retrieval_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    out = {f"hit@{k}": hit_at(ranks, k) for k in HIT_KS}
    out["mrr@10"] = mrr_at(ranks, 10)
    return out


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The report's figures (JSON-ready; NaN where a metric has no question to count)."""
    ranks = [r.hit_rank for r in results]
    rare = [r for r in results if (r.answer_chunk_share or 0.0) <= FREQUENT_SHARE]
    answered = [r for r in results if r.status == "answered"]
    cited = [r for r in answered if r.cited]
    with_options = [r for r in results if r.mc_correct is not None]
    latencies = [r.latency_s for r in results]
    retrievals = [r.retrieval_s for r in results]
    return {
        "questions": len(results),
        "retrieval": retrieval_metrics(ranks),
        "retrieval_without_frequent_answers": {
            "questions": len(rare),
            **retrieval_metrics([r.hit_rank for r in rare]),
        },
        "open_answer_accuracy": _mean(bool(r.open_correct) for r in results),
        "short_answer_accuracy": _mean(bool(r.short_correct) for r in results),
        "multiple_choice_accuracy": _mean(bool(r.mc_correct) for r in with_options),
        "multiple_choice_questions": len(with_options),
        "multiple_choice_guesses": sum(bool(r.mc_guess) for r in with_options),
        "citation_support": _mean(r.citation_supported for r in cited),
        "answered": len(answered),
        "not_found_rate": _mean(r.status == "not_found" for r in results),
        "latency_s": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
        "retrieval_latency_s": {
            "p50": percentile(retrievals, 50),
            "p95": percentile(retrievals, 95),
        },
        "multiple_choice_latency_s": {
            "p50": percentile([r.mc_s for r in with_options if r.mc_s is not None], 50),
            "p95": percentile([r.mc_s for r in with_options if r.mc_s is not None], 95),
        },
    }


def hardware() -> dict[str, Any]:
    """Cores, CPU model and memory, for the report's hardware line."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu": model,
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
        info["load_avg_1m"] = round(os.getloadavg()[0], 2)
    except (ImportError, OSError):
        pass
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


def hardware_line(hw: dict[str, Any]) -> str:
    parts = [f"{hw.get('cores')} cores", str(hw.get("cpu"))]
    if "memory_gb" in hw:
        parts.append(f"{hw['memory_gb']} GB RAM")
    if "load_avg_1m" in hw:
        parts.append(f"load avg {hw['load_avg_1m']} at the end")
    return ", ".join(parts) + f"; Python {hw.get('python')}"


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def results_as_dicts(results: Sequence[QuestionResult]) -> list[dict]:
    return [asdict(r) for r in results]
