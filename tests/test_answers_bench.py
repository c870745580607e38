"""`make answers` (bench/answers.py): its question halves and what it leaves to `make eval`."""

from __future__ import annotations

from bench.answers import choose, split_of
from bench.train import held_out_ids


def _records(n: int = 600) -> list[dict]:
    return [
        {
            "id": f"{year}0{month}1{day:02d}_{i}",
            "date": f"{year}-0{month}-1{day % 10}",
            "answer_in_corpus": True,
            "pool": [],
        }
        for i in range(n)
        for year, month, day in [(2022 if i % 2 else 2024, 1 + i % 9, i % 28)]
    ]


def test_the_halves_are_disjoint_and_fixed_by_id_alone():
    records = _records()
    look = {r["id"] for r in choose(records, 40, 3, "look")}
    check = {r["id"] for r in choose(records, 40, 3, "check")}
    assert look and check and not look & check
    assert all(split_of(i) == "look" for i in look) and all(split_of(i) == "check" for i in check)


def test_no_question_make_eval_reports_on_is_drawn():
    records = _records()
    drawn = {r["id"] for r in choose(records, 200, 3, "all")}
    assert not drawn & held_out_ids(records)
