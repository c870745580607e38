"""Sentence-level evidence scoring: which retrieved sentence answers the question, and where.

No reranker or reader model ships offline (MODELS.md), so each sentence of the retrieved
passages is scored on what can be checked: how much of the question it covers (IDF-weighted
stems), how close it is in meaning (MiniLM), whether it names the question's focus terms
("Dioura"), and whether it holds a span of the type asked for (a number for "how many").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from rag.answer.question import ENTITY_LABELS, QuestionAnalysis
from rag.models.embeddings import LocalEmbeddings
from rag.models.nlp import NLP, Attribution, Entity
from rag.schema import Passage
from rag.text.tokens import sentence_spans, stem, words

# How many sentences get the costlier signals (embedding, then NER + parse).
SEMANTIC_POOL = 24
TYPED_POOL = 8

WEIGHTS = {"lexical": 0.40, "semantic": 0.35, "focus": 0.15, "type": 0.10}


@dataclass
class Evidence:
    passage_index: int
    passage: Passage
    start: int  # offsets of the sentence inside passage.text
    end: int
    lexical: float = 0.0
    semantic: float = 0.0
    focus: float = 0.0  # share of focus terms in the sentence itself
    passage_focus: float = 0.0  # share of focus terms in the sentence's passage or title
    candidate: Entity | None = None
    attribution: Attribution | None = None
    score: float = 0.0

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def article_start(self) -> int:
        return self.passage.start + self.start

    @property
    def article_end(self) -> int:
        return self.passage.start + self.end


def contains_term(haystack: str, term: str) -> bool:
    """Whole-word, case-insensitive, tolerant of a possessive or plural ending."""
    pattern = r"(?<![\w])" + re.escape(term.lower()) + r"(?:'s|’s|s|es)?(?![\w])"
    return re.search(pattern, haystack.lower()) is not None


class EvidenceScorer:
    def __init__(self, embeddings: LocalEmbeddings, nlp: NLP) -> None:
        self.embeddings = embeddings
        self.nlp = nlp

    def score(
        self, question: QuestionAnalysis, passages: list[Passage], query_vector: list[float]
    ) -> list[Evidence]:
        found = [
            Evidence(i, p, a, b) for i, p in enumerate(passages) for a, b in sentence_spans(p.text)
        ]
        if not found:
            return []
        stems = [{stem(w) for w in words(e.text)} for e in found]
        idf = _idf(stems)
        wanted = sum(idf.get(t, _UNSEEN) for t in question.terms) or 1.0
        for e, s in zip(found, stems, strict=True):
            e.lexical = sum(idf[t] for t in question.terms if t in s) / wanted
            if question.focus:
                e.focus = _share(question.focus, e.text)
                e.passage_focus = _share(question.focus, e.passage.title + "\n" + e.passage.text)
            else:
                e.focus = e.passage_focus = 1.0

        # Meaning, for the sentences worth it: embedding every sentence would cost seconds.
        pool = sorted(found, key=lambda e: e.lexical + e.focus, reverse=True)[:SEMANTIC_POOL]
        vectors = np.asarray(self.embeddings.encode([e.text for e in pool]))
        sims = vectors @ np.asarray(query_vector)
        for e, sim in zip(pool, sims, strict=True):
            e.semantic = max(0.0, float(sim))
        for e in found:
            e.score = self._combine(e, question, typed=False)

        # Answer spans and attribution for the best few.
        for e in sorted(found, key=lambda e: e.score, reverse=True)[:TYPED_POOL]:
            entities, e.attribution = self.nlp.analyse(e.text)
            if question.answer_type:
                e.candidate = pick_candidate(question, e.text, entities)
            e.score = self._combine(e, question, typed=True)
        return sorted(found, key=lambda e: e.score, reverse=True)

    @staticmethod
    def _combine(e: Evidence, q: QuestionAnalysis, typed: bool) -> float:
        type_score = 1.0 if (e.candidate is not None or not q.answer_type) else 0.0
        if not typed and q.answer_type:
            type_score = 0.5  # unknown yet: neither reward nor punish
        return (
            WEIGHTS["lexical"] * e.lexical
            + WEIGHTS["semantic"] * e.semantic
            # The sentence naming the focus itself is best; one inside a passage that names it
            # (the sentence after "… in Mopti": "The river rose 2.4 metres") still counts.
            + WEIGHTS["focus"] * (e.focus + e.passage_focus) / 2
            + WEIGHTS["type"] * type_score
        )


_UNSEEN = 3.0  # IDF given to a question term no sentence contains: its absence should cost


def _idf(docs: list[set[str]]) -> dict[str, float]:
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    return {t: math.log(1 + n / (1 + c)) + 0.1 for t, c in df.items()}


def _share(terms: list[str], text: str) -> float:
    return sum(contains_term(text, t) for t in terms) / len(terms)


# "Who" prefers a person to the organisation in the same sentence (distance penalty, chars).
_LABEL_PREFERENCE = {
    "person": {"PERSON": 0, "ORG": 60, "NORP": 80, "NAME": 40},
    "org": {"ORG": 0, "NORP": 20, "PERSON": 60, "NAME": 40},
    "place": {"GPE": 0, "LOC": 10, "FAC": 20, "NAME": 40},
    "percent": {"PERCENT": 0, "CARDINAL": 60},
    "money": {"MONEY": 0, "CARDINAL": 60},
}


def pick_candidate(q: QuestionAnalysis, sentence: str, entities: list[Entity]) -> Entity | None:
    """The entity of the asked-for type closest to the question's words in the sentence."""
    labels = ENTITY_LABELS.get(q.answer_type or "", set())
    if q.answer_type in {"person", "org", "place"}:
        labels = labels | {"NAME"}  # pattern fallback: capitalised names
    question_words = {w.lower() for w in words(q.text)}
    anchors = [m.start() for m in re.finditer(r"\w+", sentence) if stem(m.group()) in q.terms]
    preference = _LABEL_PREFERENCE.get(q.answer_type or "", {})
    focus_at = [
        m.start()
        for term in q.focus
        for m in re.finditer(r"(?<!\w)" + re.escape(term) + r"(?!\w)", sentence, re.I)
    ]
    # Places and groups the question does not ask about: a number next to one of them
    # ("… at Boulikessi, where more than 30 soldiers died") belongs to it, not to the focus.
    others_at = [
        e.start
        for e in entities
        if e.label in {"GPE", "LOC", "FAC"}
        and not any(contains_term(e.text, t) or contains_term(t, e.text) for t in q.focus)
    ]
    best: tuple[float, Entity] | None = None
    for ent in entities:
        if ent.label not in labels:
            continue
        ent_words = {w.lower() for w in words(ent.text)}
        if ent_words and ent_words <= question_words:
            continue  # the question's own words are not its answer
        if q.answer_type in {"count", "money", "percent"} and not re.search(r"\d|[a-z]", ent.text):
            continue
        if sentence[ent.start - 1 : ent.start] == "[" and sentence[ent.end : ent.end + 1] == "]":
            continue  # "[1]" is a footnote or citation marker, not a count
        if focus_at and others_at:
            to_focus = min(abs(ent.start - f) for f in focus_at)
            if min(abs(ent.start - o) for o in others_at) < to_focus:
                continue
        distance = min((abs(ent.start - a) for a in anchors), default=len(sentence))
        distance += preference.get(ent.label, 0)
        if q.counted:
            after = [stem(w) for w in words(sentence[ent.end : ent.end + 30])[:3]]
            distance += -20 if q.counted in after else 30
        if best is None or distance < best[0]:
            best = (distance, ent)
    return best[1] if best else None
