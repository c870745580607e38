"""Fitting the answerer's weights (rag/eval/train.py) and reading them (rag/answer/weights.py)."""

from __future__ import annotations

import json
import random

from rag.answer.weights import LinearWeights, load_weights
from rag.eval.train import (
    CandidateRow,
    choose_threshold,
    cross_year,
    decisions,
    evaluate,
    fit_logistic,
    write_weights,
)


def _rows(seed: int, year: int, questions: int = 40) -> list[CandidateRow]:
    """Per question, five candidates; the right one tends to have a higher ``good``."""
    rng = random.Random(seed)
    rows = []
    for q in range(questions):
        right = rng.randrange(5)
        for i in range(5):
            good = rng.gauss(1.5 if i == right else 0.0, 1.0)
            noise = rng.gauss(0.0, 1.0)
            feats = {"good": good, "noise": noise, "order": float(i)}
            rows.append(CandidateRow(f"{year}-{q}", year, f"c{i}", feats, i == right))
    return rows


def test_fit_finds_the_informative_feature_and_is_deterministic():
    rows = _rows(1, 2022)
    a, b = fit_logistic(rows), fit_logistic(rows)
    assert a == b
    assert a.weights["good"] > 0.5 and abs(a.weights["noise"]) < a.weights["good"] / 3
    assert evaluate(a, rows)["top1"] > 0.5


def test_cross_year_reports_both_directions():
    report = cross_year(_rows(1, 2022) + _rows(2, 2024))
    assert set(report) == {"fit_2022_test_2024", "fit_2024_test_2022"}
    for r in report.values():
        assert r["test"]["answerable_questions"] == 40
        assert r["test"]["top1"] >= r["test_unfitted_baseline"]["top1"]


def test_weights_round_trip_and_defaults(tmp_path):
    path = tmp_path / "weights.json"
    default = LinearWeights(bias=-1.0, weights={"x": 2.0})
    assert load_weights("sentence", default, path=path) == default  # no file yet
    fitted = LinearWeights(bias=0.5, weights={"x": 1.0, "y": -2.0})
    write_weights({"sentence": fitted}, {"sentence": {"top1": 0.4}}, {"years": [2022]}, path)
    assert load_weights("sentence", default, path=path) == fitted
    assert load_weights("other", default, path=path) == default
    assert json.loads(path.read_text())["groups"]["sentence"]["report"]["top1"] == 0.4
    assert fitted.score({"x": 1.0, "y": 1.0, "z": 9.0}) == -0.5
    assert 0.0 < fitted.probability({"y": 100.0}) < 1e-6


def _decision_rows() -> list[CandidateRow]:
    """Ten questions: a confident right winner, a hesitant wrong one, and absent questions."""
    rows = []
    for q in range(10):
        right = q < 6
        score = 3.0 if right else -1.0
        rows.append(CandidateRow(f"q{q}", 2022, "a", {"x": score}, right))
        rows.append(CandidateRow(f"q{q}", 2022, "b", {"x": score - 2.0}, False))
    return rows


def test_the_refusal_bar_keeps_confident_answers_and_refuses_the_rest():
    rows = _decision_rows()
    model = LinearWeights(weights={"x": 1.0})
    bar = choose_threshold(rows, model)
    # Right answers score sigmoid(3) ≈ 0.95, wrong ones sigmoid(-1) ≈ 0.27: the bar lies between.
    assert 0.27 < bar <= 0.96
    d = decisions(rows, model, bar)
    assert (d["answered"], d["right"], d["answerable"]) == (6, 6, 6)
    assert d["precision"] == 1.0
    # With no bar at all every question gets an answer, four of them wrong.
    assert decisions(rows, model, 0.0)["answered"] == 10
