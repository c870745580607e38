"""Evaluation metrics, multiple choice, and smoke runs of `newsrag eval` and the bench.

The smoke runs use a tiny rtqa-shaped data set written here (fictional facts), so that eval and
bench cannot rot without CI spending minutes embedding real articles.
"""

from __future__ import annotations

import gzip
import json
import math
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.eval.evaluation import (
    AnswerMatcher,
    EvalQuestion,
    QuestionFileError,
    QuestionResult,
    answer_pattern,
    contains_answer,
    load_questions,
    open_answer_correct,
    question_from_record,
)
from rag.eval.metrics import hit_at, mrr_at, percentile, summarize
from rag.eval.multiple_choice import pick, with_answer
from rag.eval.rtqa import sample_rtqa
from rag.schema import Passage

# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer", "expected"),
    [
        ("Kevin McCarthy won", "Kevin", True),
        ("the Kevins were there", "Kevin", False),
        ("yesterday it rained", "Yes", False),
        ("He said YES.", "Yes", True),
        ("a $1.5 billion deal", "$1.5 billion", True),
        ("the U.S. said", "U.S.", True),
        ("Hong\nKong is costly", "Hong Kong", True),
        ("Hong Kongers", "Hong Kong", False),
        ("aged 17.", "17", True),
        ("aged 170", "17", False),
        ("the 2017 season", "17", False),
        ("Macy’s closed", "Macy's", True),
        ("", "x", False),
    ],
)
def test_answer_matching_is_on_word_boundaries(text, answer, expected):
    assert contains_answer(text, answer) is expected


def test_matcher_accepts_any_of_several_answers():
    m = AnswerMatcher(["Joe Biden", "Biden"])
    assert m("President Biden said") and not m("Bidenomics")
    assert answer_pattern("C++").search("I like C++ a lot")


def test_open_answer_needs_the_right_option_and_no_other():
    choices = ["New York", "Tokyo", "London", "Hong Kong"]
    assert open_answer_correct("Hong Kong tops the list [1]", choices, 3)
    assert not open_answer_correct("Hong Kong beat New York [1]", choices, 3)
    assert not open_answer_correct("London [1]", choices, 3)
    assert not open_answer_correct(None, choices, 3)


def test_retrieval_metrics():
    ranks = [1, 3, None, 7, 12]
    assert hit_at(ranks, 1) == pytest.approx(0.2)
    assert hit_at(ranks, 5) == pytest.approx(0.4)
    assert hit_at(ranks, 10) == pytest.approx(0.6)
    assert mrr_at(ranks, 10) == pytest.approx((1 + 1 / 3 + 1 / 7) / 5)
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile([5.0], 95) == 5.0
    assert math.isnan(percentile([], 50))


def _result(i: int, **kw) -> QuestionResult:
    base = dict(
        id=str(i), question="q", answer="a", as_of=None, hit_rank=None, status="answered",
        answer_text="", short_answer=None, open_correct=False, short_correct=False, cited=True,
        citation_supported=False, retrieval_s=0.01, latency_s=1.0, answer_chunk_share=0.0,
    )  # fmt: skip
    return QuestionResult(**(base | kw))


def test_summary_drops_frequent_answers_from_the_variant_only():
    results = [
        _result(1, hit_rank=1, answer_chunk_share=0.2, citation_supported=True),
        _result(2, hit_rank=None, status="not_found", cited=False),
        _result(3, hit_rank=4, mc_correct=True, mc_pick=0, open_correct=True),
        _result(4, hit_rank=None, mc_correct=False, mc_pick=1, mc_guess=True, latency_s=3.0),
    ]
    s = summarize(results)
    assert s["retrieval"]["hit@1"] == pytest.approx(0.25)
    assert s["retrieval"]["hit@5"] == pytest.approx(0.5)
    rare = s["retrieval_without_frequent_answers"]
    assert rare["questions"] == 3 and rare["hit@5"] == pytest.approx(1 / 3)
    assert s["not_found_rate"] == pytest.approx(0.25)
    assert s["citation_support"] == pytest.approx(1 / 3)  # answered and cited: 1, 3, 4
    assert s["multiple_choice_accuracy"] == pytest.approx(0.5)
    assert s["multiple_choice_guesses"] == 1
    assert s["open_answer_accuracy"] == pytest.approx(0.25)
    assert s["latency_s"]["p50"] == pytest.approx(1.0)


def test_question_records(tmp_path):
    q = question_from_record(
        {"question": "Who?", "choices": ["A", "B"], "answer_index": 1, "date": "2024-01-05"}, "x"
    )
    assert q.answers == ["B"] and q.as_of == date(2024, 1, 5) and q.has_choices
    q = question_from_record({"question": "Who?", "answer": ["Ann", "Anne"]}, "x")
    assert q.answers == ["Ann", "Anne"] and not q.has_choices
    for bad in (
        {"answer": "x"},
        {"question": "q"},
        {"question": "q", "answer": "a", "as_of": "May"},
    ):
        with pytest.raises(QuestionFileError):
            question_from_record(bad, "x")
    path = tmp_path / "q.jsonl"
    path.write_text('{"question": "Who?", "answer": "Ann"}\n\nnot json\n')
    with pytest.raises(QuestionFileError, match=":3: invalid JSON"):
        load_questions(path)


# --- multiple choice --------------------------------------------------------------------------


def _passage(text: str, title: str = "News", i: int = 0) -> Passage:
    return Passage(chunk_id=f"c{i}", article_id=f"a{i}", title=title, text=text, start=0,
                   end=len(text))  # fmt: skip


def test_multiple_choice_picks_the_supported_option():
    passages = [
        (_passage("Tokyo and London were also on the list. Hong Kong is the world's most "
                  "expensive city for expatriates, a new ranking found.", i=0), 1.0),
        (_passage("New York hosted the ranking's launch event.", i=1), 0.9),
    ]  # fmt: skip
    choice = pick(
        "According to a recent ranking, which is the world's most expensive city?",
        ["New York", "Tokyo", "London", "Hong Kong"],
        passages,
    )
    assert choice.index == 3 and not choice.guess
    assert "Hong Kong is the world's most expensive" in choice.evidence[3]


def test_multiple_choice_numbers_match_verbatim_and_absent_options_guess():
    passages = [(_passage("The minimum age for senior skaters was raised to 17 years."), 1.0)]
    choice = pick("The minimum age for senior skating was raised to:", ["15", "17", "19", "21"],
                  passages)  # fmt: skip
    assert choice.index == 1
    nothing = pick("Which fruit?", ["Apple", "Pear"], [(_passage("Nothing relevant here."), 1.0)])
    assert nothing.guess and nothing.scores == [0.0, 0.0]


def test_the_open_answer_picks_the_option_it_names_alone():
    passages = [(_passage("Tokyo was named the most expensive city, ahead of London."), 1.0)]
    options = ["New York", "Tokyo", "London", "Hong Kong"]
    evidence = pick("Which is the world's most expensive city?", options, passages)
    named = with_answer(evidence, options, "London")
    assert named.index == 2 and named.from_answer and named.scores == evidence.scores
    # An answer naming no option, or two, leaves the evidence's pick.
    for answer in (None, "Paris", "Tokyo and London"):
        kept = with_answer(evidence, options, answer)
        assert kept.index == evidence.index and not kept.from_answer


def test_the_answerers_best_candidates_pick_when_its_answer_names_no_option():
    passages = [(_passage("Tokyo was named the most expensive city, ahead of London."), 1.0)]
    options = ["New York", "Tokyo", "London", "Hong Kong"]
    evidence = pick("Which is the world's most expensive city?", options, passages)
    # Refused (no short answer), or a short answer naming no option: the first candidate that
    # names exactly one option picks it, in the answerer's order.
    for answer in (None, "Paris"):
        named = with_answer(evidence, options, answer, ["Paris", "Tokyo and London", "Hong Kong"])
        assert named.index == 3 and named.from_answer
    # The short answer still comes first; past the third candidate nothing is consulted.
    assert with_answer(evidence, options, "London", ["Hong Kong"]).index == 2
    late = with_answer(evidence, options, None, ["Paris", "Oslo", "Rome", "Hong Kong"])
    assert late.index == evidence.index and not late.from_answer


def test_an_answer_that_rounds_to_one_option_picks_it():
    passages = [(_passage("The share saying they had no religion rose to 37.2%."), 1.0)]
    options = ["27%", "37%", "47%", "57%"]
    evidence = pick("What share have no religion?", options, passages)
    assert with_answer(evidence, options, "37.2%").index == 1
    # Not to an option the number does not round to.
    assert not with_answer(evidence, ["$4 million", "$5 million"], "$4.15 million").from_answer


# --- a tiny rtqa-shaped data set --------------------------------------------------------------

ARTICLES = [
    ("a1", "2024-03-01", "Lake Varn ferry service resumes",
     "The ferry across Lake Varn resumed service on Friday after a three-week pause. "
     "Operator Northwind Lines said the repaired vessel, the Osprey, carried 212 passengers on "
     "its first crossing. The company blamed the pause on a cracked propeller shaft."),
    ("a2", "2024-03-02", "Varn council names new harbour master",
     "The Varn town council appointed Mirela Sandoval as harbour master on Saturday. Sandoval, "
     "a former ferry captain, replaces Tom Hadley, who retired after 19 years in the post."),
    ("a3", "2024-03-03", "Glass museum opens in Ostrava Nova",
     "A museum of blown glass opened in Ostrava Nova on Sunday with 3,400 pieces on display. "
     "The curator said the oldest item, a green bowl, dates from the 1790s."),
    ("a4", "2024-02-20", "Orchard festival postponed",
     "The Brightwater orchard festival was postponed because of frost damage to the blossom. "
     "Organisers said the new date would be announced in April."),
    ("a5", "2024-03-10", "Ferry operator reports record month",
     "Northwind Lines said the Osprey carried 9,000 passengers in March, a record."),
    ("a6", "2023-11-11", "Chess club wins regional title",
     "The Quarry Lane chess club won the regional title for the fourth time, beating "
     "Millbrook 5-3 in the final round."),
]  # fmt: skip

QUESTIONS = [
    {"id": "q1", "date": "2024-03-05", "question": "How many passengers did the Osprey carry on "
     "its first crossing after the Lake Varn ferry resumed?", "choices": ["112", "212", "312",
     "9,000"], "answer_index": 1, "answer": "212", "answer_in_corpus": True, "pool": ["a1", "a5"]},
    {"id": "q2", "date": "2024-03-05", "question": "Who was appointed harbour master of Varn?",
     "choices": ["Tom Hadley", "Mirela Sandoval", "Anna Brook", "Luis Ortega"], "answer_index": 1,
     "answer": "Mirela Sandoval", "answer_in_corpus": True, "pool": ["a2"]},
    {"id": "q3", "date": "2024-03-06", "question": "How many pieces are on display at the new "
     "glass museum in Ostrava Nova?", "choices": ["340", "3,400", "34,000", "1790"],
     "answer_index": 1, "answer": "3,400", "answer_in_corpus": True, "pool": ["a3"]},
    {"id": "q4", "date": "2024-03-06", "question": "Why was the orchard festival postponed?",
     "choices": ["Rain", "Frost", "Strike", "Fire"], "answer_index": 1, "answer": "Frost",
     "answer_in_corpus": False, "pool": ["a4"]},
]  # fmt: skip


@pytest.fixture(scope="module")
def tiny_rtqa(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rtqa")
    with gzip.open(root / "articles.jsonl.gz", "wt", encoding="utf-8") as f:
        for aid, day, title, text in ARTICLES:
            record = {"id": aid, "url": f"https://example.org/{aid}", "title": title,
                      "published": day, "authors": [], "text": text}  # fmt: skip
            f.write(json.dumps(record) + "\n")
    (root / "questions-dev.jsonl").write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n")
    return root


def test_sample_is_seeded_and_pools_plus_distractors(tiny_rtqa):
    a = sample_rtqa(tiny_rtqa, questions=2, distractors=1, seed=3)
    b = sample_rtqa(tiny_rtqa, questions=2, distractors=1, seed=3)
    assert [q.id for q in a.questions] == [q.id for q in b.questions]
    assert a.article_ids == b.article_ids
    assert all(q.id != "q4" for q in a.questions)  # only answer_in_corpus questions
    pooled = {p for q in a.questions for p in q.pool}
    assert pooled < set(a.article_ids) and len(a.article_ids) == len(pooled) + 1
    assert all(q.as_of is not None for q in a.questions)


def test_eval_rtqa_smoke(tiny_rtqa, tmp_path):
    from api.cli import app

    runner = CliRunner()
    args = ["eval", "rtqa", "--questions", "3", "--distractors", "1", "--seed", "1",
            "--rtqa-dir", str(tiny_rtqa), "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    s = report["summary"]
    assert s["questions"] == 3 and report["store"]["cached"] is False
    assert s["retrieval"]["hit@10"] == 1.0  # tiny corpus: every answer is retrievable
    assert s["multiple_choice_questions"] == 3
    assert 0.0 <= s["multiple_choice_accuracy"] <= 1.0
    assert report["hardware"]["cores"] >= 1 and report["date"]
    assert {q["id"] for q in report["questions"]} == {"q1", "q2", "q3"}
    # The second run reuses the store, and the table prints.
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "hit@5" in again.stdout and "multiple-choice accuracy" in again.stdout


def test_eval_file_smoke(sample_data_dir, tmp_path):
    from api.cli import app

    questions = tmp_path / "mine.jsonl"
    questions.write_text(
        json.dumps({"question": "How many soldiers did JNIM say it killed at Dioura?",
                    "answer": "40", "as_of": "2025-06-02"}) + "\n"
        + json.dumps({"question": "Which club won the national cup final?",
                      "choices": ["Eastbrook Athletic", "Northgate Rovers"], "answer_index": 1})
        + "\n"
    )  # fmt: skip
    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        app,
        ["eval", "file", str(questions), "--data-dir", str(sample_data_dir), "--json",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    s = json.loads(out.read_text())["summary"]
    assert s["questions"] == 2 and s["retrieval"]["hit@5"] == 1.0
    assert s["multiple_choice_questions"] == 1


def test_eval_file_rejects_a_bad_file(tmp_path):
    from api.cli import app

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no answer"}\n')
    result = CliRunner().invoke(app, ["eval", "file", str(bad)])
    assert result.exit_code == 2
    assert "no expected answer" in result.output


def test_bench_smoke(tiny_rtqa, tmp_path):
    """The whole bench on the tiny data: every pipeline in its own process, and a sweep."""
    pytest.importorskip("langchain_text_splitters")  # the naive pipeline's splitter
    from bench.run import main

    report = main(
        ["--questions", "3", "--distractors", "1", "--seed", "1", "--sizes", "4,8", "--raw", "4",
         "--rtqa-dir", str(tiny_rtqa), "--workdir", str(tmp_path / "bench")]
    )  # fmt: skip
    rows = report["pipelines"]
    assert set(rows) == {"newsrag", "naive", "bm25"}
    for r in rows.values():
        assert r["chunks"] > 0 and r["ingest_s"] > 0 and r["peak_rss_mb"] > 0
        assert 0.0 <= r["metrics"]["hit@5"] <= 1.0
    assert rows["newsrag"]["metrics"]["hit@10"] == 1.0
    assert rows["newsrag"]["raw_chunks_per_s"] > 0
    assert [row["chunks"] >= 4 for row in report["sweep"]["rows"]] == [True, True]


def test_eval_question_dataclass_defaults():
    q = EvalQuestion(id="x", question="q?", answers=["a"])
    assert not q.has_choices and q.pool == []


def test_answer_chunk_shares_reads_every_chunk_through_the_store(sample_components):
    from rag.eval.evaluation import answer_chunk_shares

    store = sample_components.store
    texts = list(store.chunk_texts(page=2))  # several pages of articles
    assert len(texts) == store.stats()["chunks"] and len(set(texts)) > 1
    assert list(store.chunk_texts()) == texts
    questions = [
        EvalQuestion(id="dioura", question="Where?", answers=["Dioura"]),
        EvalQuestion(id="nowhere", question="Where?", answers=["Xylophonia"]),
    ]
    shares = answer_chunk_shares(store, questions)
    holding = sum(AnswerMatcher(["Dioura"])(t) for t in texts)
    assert shares == {"dioura": holding / len(texts), "nowhere": 0.0} and holding
