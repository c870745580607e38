"""Replies of the shapes a real small model gave (``make bench-llm``, docs/measured.md), replayed
through the fake OpenAI-compatible server so CI covers them without the model.

The articles below are invented for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fake_openai import FakeOpenAI, serve

from rag.answer.generative import (
    EXAMPLE_ANSWER,
    EXAMPLE_PASSAGES,
    EXAMPLE_QUESTION,
    OpenAIAnswerer,
)
from rag.answer.verify import NOT_FOUND_MESSAGE, is_not_found, verify
from rag.schema import Passage
from rag.settings import Settings

SKATING = (
    "Members of the Alpine Skating Union voted on Tuesday to raise the minimum age for senior "
    "competition from 15 to 17. The change takes effect next season."
)
STRIKE = "More than 40,000 rail staff are expected to walk out on June 21, the union said."


def _passage(pid: str, text: str, title: str) -> Passage:
    return Passage(
        chunk_id=f"{pid}-0",
        article_id=pid,
        title=title,
        text=text,
        start=0,
        end=len(text),
        published=date(2031, 6, 8),
        source="Test Wire",
    )


PASSAGES = [
    _passage("skate", SKATING, "Skating age raised"),
    _passage("rail", STRIKE, "Rail strike called"),
]


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeOpenAI, str]]:
    fake = FakeOpenAI()
    with serve(fake) as base_url:
        yield fake, base_url


@pytest.fixture
def answerer(server: tuple[FakeOpenAI, str], tmp_path) -> tuple[FakeOpenAI, OpenAIAnswerer]:
    fake, base_url = server
    fake.reset()
    settings = Settings(
        openai_base_url=base_url, openai_model="small", openai_timeout=5.0, data_dir=tmp_path
    )
    return fake, OpenAIAnswerer(settings)


@pytest.mark.parametrize("reply", ["NOT_FOUND", "Not_FOUND", "[not_found]", "not_found."])
def test_not_found_in_any_case_is_a_refusal(answerer, reply: str) -> None:
    fake, model = answerer
    fake.push(reply)
    result = model.answer("Which park flooded?", PASSAGES)
    assert result.status == "not_found" and result.answer == NOT_FOUND_MESSAGE
    assert result.notes == ["the model found no answer (NOT_FOUND)"]


def test_not_found_is_never_read_in_prose() -> None:
    assert not is_not_found("The answer was not found in the 2024 report [1].")


@pytest.mark.parametrize("reply", ["[2]", "[13]", "[1][2]"])
def test_a_reply_of_markers_only_is_not_found_and_says_why(answerer, reply: str) -> None:
    fake, model = answerer
    fake.push(reply)
    result = model.answer("How many staff will walk out?", PASSAGES)
    assert result.status == "not_found" and not result.citations
    assert result.notes == [f"the model's reply states nothing: {reply}"]


@pytest.mark.parametrize("reply", ["15", "Japan"])
def test_a_bare_uncited_answer_is_dropped(answerer, reply: str) -> None:
    fake, model = answerer
    fake.push(reply)
    result = model.answer("What is the minimum age now?", PASSAGES)
    assert result.status == "not_found"
    assert result.notes == [f"dropped unsupported claim: {reply} (no citation)"]


def test_the_prompt_shows_one_cited_exchange_before_the_question(answerer) -> None:
    fake, model = answerer
    fake.push("NOT_FOUND")
    model.answer("How many staff will walk out?", PASSAGES)
    (req,) = fake.requests
    roles = [m["role"] for m in req.messages]
    assert roles == ["system", "user", "assistant", "user"]
    example, shown, question = req.messages[1], req.messages[2], req.messages[3]
    assert EXAMPLE_QUESTION in example["content"] and EXAMPLE_PASSAGES in example["content"]
    assert shown["content"] == EXAMPLE_ANSWER
    assert "How many staff will walk out?" in question["content"]
    assert STRIKE in question["content"] and EXAMPLE_QUESTION not in question["content"]


def test_the_example_answer_passes_our_own_verification() -> None:
    # The model is shown what a verifiable answer looks like: it must be one.
    text = "The Kessel bridge reopened on Wednesday after six weeks of repairs, the mayor said."
    bridge = _passage("bridge", text, "Kessel bridge reopens")
    budget = _passage("budget", "The town council approved a budget on Tuesday.", "Budget")
    assert text in EXAMPLE_PASSAGES
    checked = verify(EXAMPLE_ANSWER, [budget, bridge])
    assert checked.status == "answered" and checked.citations[0].quote == text


def test_a_cited_answer_from_the_example_topic_is_not_verified(answerer) -> None:
    # Echoing the example instead of answering: nothing in the real passages supports it.
    fake, model = answerer
    fake.push(EXAMPLE_ANSWER)
    result = model.answer("How many staff will walk out?", PASSAGES)
    assert result.status == "not_found"


def test_the_old_value_of_a_change_is_not_the_new_one() -> None:
    # The real model answered this question "15" (uncited, so dropped); cited, it would pass.
    checked = verify("The minimum age was raised to 15 [1].", PASSAGES)
    assert checked.status == "not_found"


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        ("The minimum age was raised to 15 [1].", "not_found"),
        ("15 [1]", "not_found"),
        ("The minimum age was raised to 17 [1].", "answered"),
        ("17 [1]", "answered"),
    ],
)
def test_a_cited_number_must_hold_its_role_in_the_quote(answerer, reply: str, status: str) -> None:
    fake, model = answerer
    fake.push(reply)
    result = model.answer("What is the minimum age now?", PASSAGES)
    assert result.status == status, result.notes
    if status == "not_found":
        assert any("15 as the" in n for n in result.notes), result.notes
    else:
        assert result.citations[0].quote.startswith("Members of the Alpine Skating Union")
