"""How likely the winning candidate is right: a fitted logistic score of its evidence.

Pooling (rag/answer/pooling.py) adds up support; whether that support makes an answer *likely*
depends on more than its sum: how far it leads the runner-up, how many articles agree, how well
its best sentence covers the question, whether the question names it already. ``make train``
fits weights for these features on rtqa dev questions (answerable ones, and the same questions
asked with their sources removed, where every answer is wrong) and writes them to
``weights.json`` (group ``candidate``).

The probability is reported in the answer's notes and gates answers only when an operator sets
``min_confidence``: measured on the eval sample, every bar that removes wrong answers removes
more right ones than the hand-set support bar does (docs/measured.md), so the default keeps
that bar and leaves the trade to the deployment. The fit does not reorder candidates either: on
held-out years it ranks them no better than the pooled total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rag.answer.pooling import Pooled
from rag.answer.question import QuestionAnalysis
from rag.answer.weights import load_weights
from rag.text.tokens import stem, words

GROUP = "candidate"
RANKED = 8  # the leading candidates, among which a winner's lead and share are measured
TYPES = ("person", "place", "org", "count", "money", "percent", "date", "duration", "thing")


def probability(q: QuestionAnalysis, pooled: Sequence[Pooled]) -> float | None:
    """How likely ``pooled[0]`` (the best pooled candidate) is right; None before any fit."""
    model = load_weights(GROUP)
    if not model.weights or not pooled:
        return None
    return model.probability(candidate_features(q, pooled[:RANKED], 0))


def candidate_features(q: QuestionAnalysis, pooled: Sequence[Pooled], i: int) -> dict[str, float]:
    """Named features of ``pooled[i]`` among the question's candidates (best pooled first)."""
    p = pooled[i]
    weight, e, scored = p.top
    c = scored.candidate
    rivals = [x.total for j, x in enumerate(pooled) if j != i]
    best_rival = max(rivals, default=0.0)
    everything = sum(x.total for x in pooled) or 1.0
    asked = set(q.terms)
    own = [stem(w) for w in words(c.text)]
    features = {
        "total": p.total,
        "log_total": math.log(1e-3 + p.total),
        "best": weight,
        "share": p.total / everything,
        "lead": (p.total - best_rival) / (p.total + best_rival + 1e-9),
        "first": float(i == 0),
        "articles": float(min(len(p.articles), 5)),
        "sentences": math.log(1 + len(p.support)),
        "title": p.title_support,
        "fit": c.fit,
        "proximity": scored.proximity,
        "lexical": min(1.0, e.lexical),
        "semantic": e.semantic,
        "focus": e.focus,
        "passage_focus": e.passage_focus,
        "title_lexical": e.title_lexical,
        "passage_rank": 1.0 / (1.0 + e.passage_index),
        "words": float(min(len(own), 6)),
        "asked": sum(w in asked for w in own) / len(own) if own else 0.0,
        "counts_noun": float(bool(c.counts and q.expected.noun and q.expected.noun in c.counts)),
        "candidates": math.log(1 + len(pooled)),
    }
    for t in TYPES:
        features[f"type_{t}"] = float(q.answer_type == t)
    return features
