"""Multiple choice by evidence: pick the option the retrieved sentences support best.

No model writes anything: for each option, the passages retrieved for the question (and for
the question with that option appended) are searched for sentences that name the option; a
sentence counts as much as it, and its neighbours, cover the question's words (IDF-weighted)
and as close as the option stands to them, weighted by the passage's retrieval rank. The
option with the best supporting sentence wins. When no option is named in any passage the
pick is marked as a guess.

The open answer comes first: when its short answer names exactly one option, that option is
the pick. The answerer has already weighed every candidate of the asked-for type across the
passages, which the options' word overlap cannot do; on 300 dev questions (``make answers``,
look half) its short answer named one option 121 times and was right 113 times, where the
evidence picker was right 108 times. When it names none (or the question was refused for want
of support), the first of the answerer's three best candidates that names one option picks it:
on the same 300, 233 → 239 right, none lost; on the 150 of the check half, +2 −1.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rag.answer.retrieval import Retrieved, Retriever
from rag.schema import Passage
from rag.text.facts import normalize_number
from rag.text.tokens import STOPWORDS, sentence_spans, stem, words

QUESTION_TOP_K = 10  # passages retrieved for the question itself
OPTION_TOP_K = 4  # passages retrieved for "question + option"
OPTION_PASSAGE_WEIGHT = 0.8  # such passages were found *because* they name the option
NEIGHBOUR_WEIGHT = 0.5  # the sentences before and after, and the title, count this much
PROXIMITY_WEIGHT = 0.15
PROXIMITY_CHARS = 200
RUNNER_UP_WEIGHT = 0.1  # a second supporting sentence breaks ties
CANDIDATES_CONSULTED = 3  # the answerer's best candidates that may pick an option


@dataclass
class Choice:
    index: int | None
    scores: list[float]
    guess: bool
    evidence: list[str | None] = field(default_factory=list)  # best sentence per option
    from_answer: bool = False  # the open answer named this option


@dataclass
class _Sentence:
    text: str
    stems: set[str]
    context: set[str]  # stems of neighbours and title
    weight: float


class ChoicePicker:
    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def choose(
        self,
        question: str,
        choices: Sequence[str],
        as_of: date | None = None,
        sources: Sequence[str] | None = None,
        retrieved: Retrieved | None = None,
        answer: str | None = None,
        candidates: Sequence[str] = (),
    ) -> Choice:
        """``answer``: the open answer's short answer to the same question, if it gave one;
        ``candidates``: its answerer's best candidates, winner first (``Answer.candidates``)."""
        filters = self.retriever.filters(as_of, sources)
        if retrieved is None:
            retrieved = self.retriever.retrieve(question, filters, QUESTION_TOP_K)
        weighted: dict[str, tuple[Passage, float]] = {}
        for rank, p in enumerate(retrieved.passages[:QUESTION_TOP_K]):
            weighted[p.chunk_id] = (p, 1.0 / (1.0 + 0.1 * rank))
        queries = [f"{question} {option}" for option in choices]
        # One encoder call for the four queries (a batch costs little more than one query).
        retriever = Retriever(
            self.retriever.settings,
            self.retriever.store,
            _Precomputed(queries, self.retriever.embeddings),
        )
        for query in queries:
            found = retriever.retrieve(query, filters, OPTION_TOP_K)
            for rank, p in enumerate(found.passages):
                w = OPTION_PASSAGE_WEIGHT / (1.0 + 0.1 * rank)
                if w > weighted.get(p.chunk_id, (p, 0.0))[1]:
                    weighted[p.chunk_id] = (p, w)
        picked = pick(question, choices, list(weighted.values()))
        return with_answer(picked, choices, answer, candidates)


def with_answer(
    choice: Choice,
    choices: Sequence[str],
    answer: str | None,
    candidates: Sequence[str] = (),
) -> Choice:
    """``choice``, unless the open answer names exactly one option: then that option. Else the
    first of the answerer's best ``candidates`` (winner first, also behind a refusal) that
    names exactly one option: its ranking weighed every candidate of the asked-for type, where
    the options' word overlap sees only the options."""
    for text in [answer, *candidates[:CANDIDATES_CONSULTED]]:
        named = [i for i, c in enumerate(choices) if _names_option(text, c)]
        if not named:
            # "37.2%" names the option "37%": the same number, as exactly as the option says it.
            named = [i for i, c in enumerate(choices) if _rounds_to(text, c)]
        if len(named) == 1:
            return Choice(named[0], choice.scores, False, choice.evidence, from_answer=True)
    return choice


def _rounds_to(answer: str | None, option: str) -> bool:
    """The answer is one number that rounds to the option's number, in the option's unit."""
    if not answer:
        return False
    said, offered = normalize_number(answer), normalize_number(option)
    if said is None or offered is None or ("%" in option) != ("%" in answer):
        return False
    places = len(offered.split(".")[1]) if "." in offered else 0
    return round(float(said), places) == float(offered)


def _names_option(answer: str | None, option: str) -> bool:
    pattern = _option_pattern(option)
    return bool(answer) and pattern is not None and pattern.search(answer) is not None


class _Precomputed:
    """Query vectors encoded in one batch, served to a ``Retriever`` one at a time."""

    def __init__(self, queries: list[str], embeddings) -> None:
        self._inner = embeddings
        self._vectors = dict(zip(queries, embeddings.encode(queries), strict=True))

    def embed_query(self, text: str) -> list[float]:
        vector = self._vectors.get(text)
        return vector if vector is not None else self._inner.embed_query(text)


def pick(question: str, choices: Sequence[str], passages: list[tuple[Passage, float]]) -> Choice:
    """The option best supported by ``passages`` (each with a retrieval weight in (0, 1])."""
    sentences = _sentences(passages)
    n = len(sentences)
    df = Counter(t for s in sentences for t in s.stems)
    q_terms = [t for t in dict.fromkeys(stem(w) for w in words(question) if w not in STOPWORDS)]

    def idf(t: str) -> float:
        return math.log(1 + n / (1 + df.get(t, 0))) + 0.1

    option_terms = [_option_stems(c) for c in choices]
    shared = set.intersection(*option_terms) if option_terms else set()
    scores: list[float] = []
    evidence: list[str | None] = []
    for i, option in enumerate(choices):
        own = option_terms[i] - shared
        own = own - set(q_terms) or own or option_terms[i]
        pattern = _option_pattern(option)
        # The question's words that the option does not itself contain: what must surround it.
        context_terms = [t for t in q_terms if t not in own]
        wanted = sum(idf(t) for t in context_terms) or 1.0
        found: list[tuple[float, str]] = []
        for s in sentences:
            presence = _presence(s, own, pattern)
            if presence == 0.0:
                continue
            here = sum(idf(t) for t in context_terms if t in s.stems)
            around = sum(idf(t) for t in context_terms if t in s.context and t not in s.stems)
            support = (here + NEIGHBOUR_WEIGHT * around) / wanted
            proximity = _proximity(s.text, pattern, context_terms)
            score = s.weight * presence * (support + PROXIMITY_WEIGHT * proximity)
            found.append((score, s.text))
        found.sort(reverse=True)
        best = found[0][0] if found else 0.0
        runner_up = found[1][0] if len(found) > 1 else 0.0
        scores.append(best + RUNNER_UP_WEIGHT * runner_up)
        evidence.append(found[0][1] if found else None)
    top = max(scores) if scores else 0.0
    if not scores or top <= 0.0:
        return Choice(0 if choices else None, scores, True, evidence)
    return Choice(scores.index(top), scores, False, evidence)


def _sentences(passages: list[tuple[Passage, float]]) -> list[_Sentence]:
    out: list[_Sentence] = []
    for passage, weight in passages:
        spans = sentence_spans(passage.text)
        stems = [{stem(w) for w in words(passage.text[a:b])} for a, b in spans]
        title = {stem(w) for w in words(passage.title)}
        for j, (a, b) in enumerate(spans):
            context = set(title)
            if j > 0:
                context |= stems[j - 1]
            if j + 1 < len(spans):
                context |= stems[j + 1]
            out.append(_Sentence(passage.text[a:b], stems[j], context, weight))
    return out


def _option_stems(option: str) -> set[str]:
    content = {stem(w) for w in words(option) if w not in STOPWORDS}
    return content or {stem(w) for w in words(option)}


def _option_pattern(option: str) -> re.Pattern[str] | None:
    text = " ".join(option.split())
    if not text:
        return None
    body = r"\s+".join(re.escape(p) for p in text.split(" "))
    return re.compile(r"(?<!\w)" + body + r"(?!\w)", re.IGNORECASE)


def _presence(s: _Sentence, own: set[str], pattern: re.Pattern[str] | None) -> float:
    """1.0 for the option verbatim; else the share of its distinctive stems in the sentence
    (at least half of them, and numbers only verbatim)."""
    if pattern is not None and pattern.search(s.text):
        return 1.0
    if not own or any(any(ch.isdigit() for ch in t) for t in own):
        return 0.0
    share = len(own & s.stems) / len(own)
    return 0.8 * share if share >= 0.5 else 0.0


def _proximity(text: str, pattern: re.Pattern[str] | None, terms: list[str]) -> float:
    """1.0 when a question word stands right next to the option, 0 at PROXIMITY_CHARS."""
    if pattern is None:
        return 0.0
    spots = [m.start() for m in pattern.finditer(text)]
    if not spots:
        return 0.0
    wanted = set(terms)
    anchors = [m.start() for m in re.finditer(r"\w+", text) if stem(m.group().lower()) in wanted]
    if not anchors:
        return 0.0
    d = min(abs(a - s) for a in anchors for s in spots)
    return max(0.0, 1.0 - d / PROXIMITY_CHARS)
