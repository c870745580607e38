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

Sampling RealTime QA is in ``rag/eval/rtqa.py``, the figures in ``rag/eval/metrics.py``. Nothing
here knows about the CLI; ``api/cli/eval.py`` and ``bench/`` drive it.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
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
    with open_text(path) as f:
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


def open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


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
    notes: list[str] = field(default_factory=list)  # the answer's notes (confidence, refusal)


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
        notes=list(answer.notes),
    )
    if picker is not None and q.has_choices:
        t2 = time.perf_counter()
        choice = picker.choose(
            q.question,
            q.choices,
            as_of=q.as_of,
            retrieved=retrieved,
            answer=answer.short_answer if answered else None,
            candidates=answer.candidates,
        )
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
    for text in store.chunk_texts():
        total += 1
        lowered = text.translate(_APOSTROPHES).lower()
        for qid, m in matchers.items():
            if m.quick_in(lowered) and m(text):
                counts[qid] += 1
    return {qid: (c / total if total else 0.0) for qid, c in counts.items()}


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
