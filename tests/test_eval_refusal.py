"""The refusal metrics of `newsrag eval rtqa`: the absent sample, --year, answered-right-given-top-5.

A tiny rtqa-shaped data set written here (fictional facts).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.eval.evaluation import QuestionResult
from rag.eval.metrics import summarize, summarize_absent
from rag.eval.rtqa import sample_absent, sample_rtqa

ARTICLES = [
    ("p1", "2024-03-04", "Lake Varn ferry resumes", "The Lake Varn ferry Osprey carried 212 "
     "passengers on its first crossing after repairs, operator Northwind Lines said."),
    ("p2", "2022-05-10", "Kelso bridge reopens", "The Kelso footbridge reopened after 14 "
     "months of repairs, the county engineer Dana Whitlow said."),
    ("w1", "2024-03-02", "Ferry timetables change on Lake Varn", "Northwind Lines will add an "
     "evening ferry crossing on Lake Varn from April, the operator said."),
    ("w2", "2024-03-01", "Osprey ferry passengers praise crossing", "Passengers on the Lake "
     "Varn ferry said the crossing was smooth; one counted 212 gulls."),  # holds the answer
    ("w3", "2024-03-05", "Glass museum opens", "A glass museum opened in Ostrava Nova."),
    ("w4", "2024-02-01", "Ferry crossing on Lake Varn cancelled", "Storms cancelled the Lake "
     "Varn ferry crossing for a day."),  # a month before the question: not its week
    ("w5", "2022-05-08", "Kelso footbridge repairs near an end", "Engineers said the Kelso "
     "footbridge works were nearly done."),
]  # fmt: skip

QUESTIONS = [
    {"id": "f1", "date": "2024-03-05", "question": "How many passengers did the Lake Varn "
     "ferry Osprey carry on its first crossing?", "answer": "212", "answer_in_corpus": True,
     "pool": ["p1"]},
    {"id": "f2", "date": "2022-05-11", "question": "How long was the Kelso footbridge closed "
     "for repairs?", "answer": "14 months", "answer_in_corpus": True, "pool": ["p2"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def rtqa_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rtqa-absent")
    with gzip.open(root / "articles.jsonl.gz", "wt", encoding="utf-8") as f:
        for aid, day, title, text in ARTICLES:
            record = {"id": aid, "url": f"https://example.org/{aid}", "title": title,
                      "published": day, "authors": [], "text": text}  # fmt: skip
            f.write(json.dumps(record) + "\n")
    (root / "questions-dev.jsonl").write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    return root


def test_absent_sample_drops_pools_and_answer_bearing_articles(rtqa_dir):
    a = sample_absent(rtqa_dir, questions=2, seed=1, per_question=5)
    b = sample_absent(rtqa_dir, questions=2, seed=1, per_question=5)
    assert a.article_ids == b.article_ids and [q.id for q in a.questions] == ["f2", "f1"]
    assert "p1" not in a.article_ids and "p2" not in a.article_ids  # their own sources
    assert "w2" not in a.article_ids  # "212" occurs in it
    assert "w4" not in a.article_ids  # not the question's week
    assert {"w1", "w3", "w5"} == set(a.article_ids)


def test_absent_sample_keeps_the_closest_articles_first(rtqa_dir):
    one = sample_absent(rtqa_dir, questions=2, seed=1, per_question=1, years=[2024])
    assert [q.id for q in one.questions] == ["f1"]
    assert one.article_ids == ["w1"]  # the ferry article, not the museum


def test_year_filter_samples_questions_and_distractors_of_that_year(rtqa_dir):
    s = sample_rtqa(rtqa_dir, questions=5, distractors=5, seed=2, years=[2022])
    assert [q.id for q in s.questions] == ["f2"]
    assert set(s.article_ids) == {"p2", "w5"}
    assert s.key.endswith("-y2022")
    assert not sample_rtqa(rtqa_dir, 5, 5, 2).key.endswith("-y2022")


def _result(hit_rank, status, open_correct) -> QuestionResult:
    return QuestionResult(
        id="x", question="q", answer="a", as_of=None, hit_rank=hit_rank, status=status,
        answer_text="", short_answer=None, open_correct=open_correct, short_correct=None,
        cited=status == "answered", citation_supported=False, retrieval_s=0.1, latency_s=0.2,
    )  # fmt: skip


def test_answered_right_given_top5_and_false_answer_rate():
    results = [
        _result(1, "answered", True),
        _result(5, "not_found", False),
        _result(6, "answered", True),  # not in the top 5: not counted
        _result(None, "not_found", False),
    ]
    s = summarize(results)
    assert s["top5_questions"] == 2 and s["answered_right_given_top5"] == 0.5
    absent = summarize_absent(
        [_result(None, "answered", False), *[_result(None, "not_found", False)] * 3]
    )
    assert absent["questions"] == 4 and absent["false_answer_rate"] == 0.25


def test_eval_rtqa_reports_the_absent_set(rtqa_dir, tmp_path):
    from api.cli import app

    args = ["eval", "rtqa", "--questions", "2", "--distractors", "0", "--seed", "1",
            "--absent", "2", "--no-mc", "--rtqa-dir", str(rtqa_dir),
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    absent = report["absent"]
    assert absent["summary"]["questions"] == 2 and absent["store"]["articles"] == 3
    assert 0.0 <= absent["summary"]["false_answer_rate"] <= 1.0
    assert {q["id"] for q in absent["questions"]} == {"f1", "f2"}
    assert "answered_right_given_top5" in report["summary"]
    again = CliRunner().invoke(app, args)  # the draw and the store come from the cache
    assert again.exit_code == 0, again.output
    assert "false-answer rate" in again.stdout and "given top-5" in again.stdout
