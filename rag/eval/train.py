"""Fitting the answerer's weights: candidates with named features -> a logistic regression.

The plug for answerer features: a *featurizer* takes a question and its ranked passages and
returns candidates, each a text (a sentence, a short answer...) with named float features. The
driver (``bench/train.py``, ``make train``) labels each candidate by whether it holds the
question's answer, fits one logistic regression per featurizer with ``fit_logistic`` and writes
the weights with ``write_weights`` to ``rag/answer/weights.json``, where
``rag.answer.weights.load_weights(group)`` reads them. To add a scorer: write a featurizer,
register it in ``FEATURIZERS``, run ``make train``, and score with ``load_weights(name)``.

Only rtqa dev questions are used, never one by name; the fit is deterministic (Newton steps
from zero, no sampling inside). ``cross_year`` reports fit-on-2022/test-on-2024 and the reverse.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.answer.weights import WEIGHTS_PATH, LinearWeights
from rag.schema import Passage
from rag.text.tokens import content_words, sentence_spans, stem

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
    """The order the featurizer gave (first candidate best): what a fit has to beat."""
    return LinearWeights(weights={"order": -1.0}) if rows else LinearWeights()


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


# --- the baseline featurizer: which retrieved sentence holds the answer -----------------------

_HOW_MANY = ("how many", "how much", "what number", "what percentage", "how old", "how long")
_WHO = ("who ", "whom ", "whose ")
_WHEN = ("when ", "what year", "what day", "what date")


def sentence_features(question: str, passages: Sequence[Passage]) -> list[tuple[str, Features]]:
    """Every sentence of the passages, with what says it answers the question.

    ``order`` is the candidate's place in retrieval order (passage, then sentence), so that
    the unfitted baseline "first sentence of the best passage" is a weight on one feature.
    """
    q = question.lower()
    asked = {stem(w) for w in content_words(question)}
    sentences: list[tuple[int, str, set[str], set[str]]] = []
    for rank, p in enumerate(passages, 1):
        title = {stem(w) for w in content_words(p.title)}
        for a, b in sentence_spans(p.text):
            text = p.text[a:b]
            sentences.append((rank, text, {stem(w) for w in content_words(text)}, title))
    df = Counter(s for _, _, stems, _ in sentences for s in stems)
    n = len(sentences) or 1
    idf = {s: math.log(1 + n / (1 + df.get(s, 0))) for s in asked}
    total = sum(idf.values()) or 1.0
    kinds = {
        "q_count": any(k in q for k in _HOW_MANY),
        "q_who": q.startswith(_WHO) or " who " in q,
        "q_when": any(k in q for k in _WHEN),
    }
    out: list[tuple[str, Features]] = []
    for order, (rank, text, stems, title) in enumerate(sentences):
        cover = sum(idf[s] for s in asked if s in stems) / total
        has_number = any(ch.isdigit() for ch in text)
        has_name = any(w[:1].isupper() for w in text.split()[1:])
        feats: Features = {
            "order": float(order),
            "inv_rank": 1.0 / rank,
            "coverage": cover,
            "title_coverage": sum(idf[s] for s in asked if s in title) / total,
            "log_words": math.log(1 + len(text.split())),
            "has_number": float(has_number),
            "count_x_number": float(kinds["q_count"] and has_number),
            "who_x_name": float(kinds["q_who"] and has_name),
            "when_x_number": float(kinds["q_when"] and has_number),
            "quote": float('"' in text or "“" in text),
        }
        out.append((text, feats))
    return out


FEATURIZERS: dict[str, Featurizer] = {"sentence": sentence_features}
