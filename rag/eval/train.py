"""Fitting the answerer's weights: candidates with named features -> a logistic regression.

The plug for answerer features: a *featurizer* takes a question and its ranked passages and
returns candidates, each a text (a sentence, a short answer...) with named float features. The
driver (``bench/train.py``, ``make train``) labels each candidate by whether it holds the
question's answer, fits one logistic regression per featurizer with ``fit_logistic`` and writes
the weights with ``write_weights`` to ``rag/answer/weights.json``, where
``rag.answer.weights.load_weights(group)`` reads them. To add a scorer: write a featurizer,
register it in ``featurizers()``, run ``make train``, and score with ``load_weights(name)``
(``rag/answer/confidence.py`` does, for group ``candidate``).

Only rtqa dev questions are used, never one by name; the fit is deterministic (Newton steps
from zero, no sampling inside). ``cross_year`` reports fit-on-2022/test-on-2024 and the reverse.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.confidence import RANKED, candidate_features
from rag.answer.evidence import EvidenceScorer
from rag.answer.extractive import short_answer
from rag.answer.pooling import placed_here, pool_candidates
from rag.answer.question import analyse
from rag.answer.weights import WEIGHTS_PATH, LinearWeights
from rag.schema import Passage

Features = dict[str, float]
# question, its passages best first -> candidates: (text, features)
Featurizer = Callable[[str, Sequence[Passage]], list[tuple[str, Features]]]


@dataclass
class CandidateRow:
    question_id: str
    year: int
    text: str
    features: Features
    label: bool  # the candidate holds the question's answer


def fit_logistic(rows: Sequence[CandidateRow], l2: float = 1.0, steps: int = 25) -> LinearWeights:
    """L2-regularized logistic regression by Newton's method; weights on the raw feature scale.

    Features are standardized for the fit (so ``l2`` treats them alike) and the weights mapped
    back, so that scoring is a plain ``bias + w . x`` on the features as the featurizer gives them.
    """
    names = sorted({k for r in rows for k in r.features})
    if not rows or not names:
        return LinearWeights()
    x = np.array([[r.features.get(k, 0.0) for k in names] for r in rows], dtype=float)
    y = np.array([1.0 if r.label else 0.0 for r in rows])
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    z = np.hstack([np.ones((len(rows), 1)), (x - mean) / std])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + penalty * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    raw = w[1:] / std
    bias = float(w[0] - (raw * mean).sum())
    return LinearWeights(bias=bias, weights={k: float(v) for k, v in zip(names, raw, strict=True)})


def evaluate(model: LinearWeights, rows: Sequence[CandidateRow]) -> dict[str, float]:
    """How the scorer ranks each question's candidates.

    top1: the best-scored candidate holds the answer, among questions where one does;
    log_loss and positive rate over all candidates.
    """
    by_question: dict[str, list[CandidateRow]] = defaultdict(list)
    for r in rows:
        by_question[r.question_id].append(r)
    answerable = [rs for rs in by_question.values() if any(r.label for r in rs)]
    top1 = [max(rs, key=lambda r: model.score(r.features)).label for rs in answerable]
    eps = 1e-12
    losses = [
        -math.log(max(eps, p if r.label else 1 - p))
        for r in rows
        for p in [model.probability(r.features)]
    ]
    return {
        "questions": len(by_question),
        "answerable_questions": len(answerable),
        "candidates": len(rows),
        "positive_rate": sum(r.label for r in rows) / len(rows) if rows else math.nan,
        "top1": sum(top1) / len(top1) if top1 else math.nan,
        "log_loss": sum(losses) / len(losses) if losses else math.nan,
    }


def cross_year(
    rows: Sequence[CandidateRow], years: tuple[int, int] = (2022, 2024), l2: float = 1.0
) -> dict[str, Any]:
    """Fit on one year, test on the other, both ways; plus the fit on both (what is written)."""
    a, b = years
    rows_a = [r for r in rows if r.year == a]
    rows_b = [r for r in rows if r.year == b]
    out: dict[str, Any] = {}
    for fit_rows, test_rows, fy, ty in ((rows_a, rows_b, a, b), (rows_b, rows_a, b, a)):
        model = fit_logistic(fit_rows, l2)
        out[f"fit_{fy}_test_{ty}"] = {
            "fit": evaluate(model, fit_rows),
            "test": evaluate(model, test_rows),
            "test_unfitted_baseline": evaluate(_baseline(test_rows), test_rows),
        }
    return out


def _baseline(rows: Sequence[CandidateRow]) -> LinearWeights:
    """The order the featurizer gave (first candidate best), or the pooled total where the
    candidates come ranked by it: what a fit has to beat."""
    if not rows:
        return LinearWeights()
    if "order" in rows[0].features:
        return LinearWeights(weights={"order": -1.0})
    return LinearWeights(weights={"total": 1.0})


def write_weights(
    models: Mapping[str, LinearWeights],
    reports: Mapping[str, Any],
    meta: Mapping[str, Any],
    path: Path = WEIGHTS_PATH,
) -> Path:
    """One JSON file, one group per scorer; written whole (tmp + rename)."""
    data = {
        "about": "fitted by `make train` (bench/train.py) on rtqa questions-dev.jsonl only",
        **meta,
        "groups": {
            name: {**m.as_dict(), "report": reports.get(name, {})} for name, m in models.items()
        },
    }
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, default=_json) + "\n", "utf-8")
    tmp.replace(path)
    return path


def _json(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


# --- the answerer's own candidates: what rag/answer/confidence.py scores ------------------------


def candidate_featurizer(scorer: EvidenceScorer) -> Featurizer:
    """The extractive answerer's pooled candidates, as it ranks them, with their features.

    The same evidence scoring and pooling the answerer runs (embeddings and NER included), so
    the fitted weights see what they will score at answer time. Questions that ask for no span
    (why, how, yes/no) give no candidates.
    """

    def featurize(question: str, passages: Sequence[Passage]) -> list[tuple[str, Features]]:
        q = analyse(question)
        if not q.answer_type or not passages:
            return []
        ranked = scorer.score(q, list(passages), scorer.embeddings.embed_query(question))
        if not q.answer_type:  # the question's parse found it asks for no span after all
            return []
        pooled = placed_here(pool_candidates(q, ranked))[:RANKED]
        out = []
        for i, p in enumerate(pooled):
            _, e, scored = p.top
            text = short_answer(q, e, scored) or scored.candidate.text
            out.append((text, candidate_features(q, pooled, i)))
        return out

    return featurize


def choose_threshold(
    rows: Sequence[CandidateRow], model: LinearWeights, cost: float = 1.0
) -> float:
    """The refusal bar: answering right gains 1, answering wrong costs ``cost``, refusing 0.

    Per question the answer is its first candidate (the answerer's pooled winner); the bar is
    the probability that maximizes the gain over all questions (those with no right candidate
    included: there any answer is wrong).
    """
    points = sorted(
        ((model.probability(r.features), r.label) for r in _winners(rows)), reverse=True
    )
    gain = top = 0.0
    bar = 1.0
    for p, right in points:
        gain += 1.0 if right else -cost
        if gain > top:
            top, bar = gain, p
    return float(bar)


def decisions(
    rows: Sequence[CandidateRow],
    model: LinearWeights,
    threshold: float,
    rule: Callable[[Features], bool] | None = None,
) -> dict:
    """What the answerer would do at ``threshold`` (or by ``rule``, a hand-set bar instead):
    questions with candidates, answerable (a right candidate among them), answered, right."""
    winners = _winners(rows)
    answerable = {r.question_id for r in rows if r.label}
    if rule is None:
        answered = [w for w in winners if model.probability(w.features) >= threshold]
    else:
        answered = [w for w in winners if rule(w.features)]
    right = sum(w.label for w in answered)
    return {
        "questions": len(winners),
        "answerable": len(answerable),
        "answered": len(answered),
        "right": right,
        "precision": right / len(answered) if answered else math.nan,
        "right_of_answerable": right / len(answerable) if answerable else math.nan,
    }


def _winners(rows: Sequence[CandidateRow]) -> list[CandidateRow]:
    """Each question's first candidate: the featurizer gives them in the answerer's order."""
    first: dict[str, CandidateRow] = {}
    for r in rows:
        first.setdefault(r.question_id, r)
    return list(first.values())


def featurizers(scorer: EvidenceScorer) -> dict[str, Featurizer]:
    """Every scorer ``make train`` fits, by its group name in weights.json."""
    return {"candidate": candidate_featurizer(scorer)}
