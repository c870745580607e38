"""The role a sentence gives its numbers (rag.text.roles) and how verification uses it: a cited
number must hold the role the claim gives it, not just occur in the quote.

The articles below are invented for these tests.
"""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer.support import supports
from rag.answer.verify import verify
from rag.schema import Passage
from rag.text.roles import number_roles, old_value_times

AGE = (
    "Delegates of the Nordic Rowing League voted on Friday to raise the minimum age for the "
    "open class from 15 to 17, starting next spring."
)
TOLL = "Raids killed 40 villagers in March, up from 25 in February, a monitoring group said."
FARES = "The transit board cut monthly tram passes by 5% to $12 on Thursday."
FLOOD = "Engineers said between 200 and 300 houses were flooded along the river."
COURT = "Three of the five judges backed the appeal."


def _p(pid: str, text: str) -> Passage:
    return Passage(
        chunk_id=f"{pid}-0",
        article_id=pid,
        title=pid.title(),
        text=text,
        start=0,
        end=len(text),
        published=date(2032, 4, 9),
        source="Test Wire",
    )


PASSAGES = [
    _p("age", AGE),
    _p("toll", TOLL),
    _p("fares", FARES),
    _p("flood", FLOOD),
    _p("court", COURT),
]


# --- reading roles --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "roles"),
    [
        ("The cap was raised from 15 to 17.", {"15": {"old"}, "17": {"new"}}),
        ("The cap was raised to 17 from 15.", {"17": {"new"}, "15": {"old"}}),
        ("Prices rose from 3% to 5.5% in May.", {"3": {"old"}, "5.5": {"new"}}),
        (
            "Output fell from a record high of 40,000 barrels to about 12,000.",
            {"40000": {"old"}, "12000": {"new"}},
        ),
        ("The age went from fifteen to seventeen.", {"15": {"low"}, "17": {"high"}}),
        ("Raids killed 40 villagers, up from 25 a week earlier.", {"40": {"new"}, "25": {"old"}}),
        ("Sales were 8 million, down from 9 million.", {"8000000": {"new"}, "9000000": {"old"}}),
        ("The fee is now $30, compared with $20 last year.", {"30": {"new"}}),
        ("The fee was previously $20.", {"20": {"old"}}),
        ("Between 10 and 20 people died.", {"10": {"low"}, "20": {"high"}}),
        ("Players aged 15-17 may enter.", {"15": {"low"}, "17": {"high"}}),
        ("Some 10 to 20 people died.", {"10": {"low"}, "20": {"high"}}),
        # "three weeks to": not a range, and not the old value
        ("Claims rose over the past three weeks to more than 9,000.", {"9000": {"new"}}),
        ("Rain may drop 1 to 2 inches.", {"1": {"low"}, "2": {"high"}}),  # a range after a verb
        ("Three of the five judges agreed.", {"3": {"part"}, "5": {"whole"}}),
        ("Only 4 out of 12 reactors run.", {"4": {"part"}, "12": {"whole"}}),
        ("The board cut fares by 5% to $12.", {"5": {"by"}, "12": {"new"}}),
    ],
)
def test_roles_are_read_from_the_words_around_a_number(sentence: str, roles: dict) -> None:
    assert number_roles(sentence) == {n: frozenset(r) for n, r in roles.items()}


@pytest.mark.parametrize(
    "sentence",
    [
        "Militants killed 40 soldiers.",
        "He was sentenced to 10 years.",  # "to" without a verb of change
        "Up to 40 people died.",  # a bound, not a change
        "More than 40,000 staff will walk out.",
        "17",
        "She polled 49% compared with 34% for her rival.",  # side by side, neither old
        "The bags can lift up to 80 pounds.",
        "The final ended 49 in 2015.",  # a year is no whole
    ],
)
def test_plain_numbers_have_no_role(sentence: str) -> None:
    assert number_roles(sentence) == {}


def test_a_number_also_stated_plainly_gives_no_role_to_check() -> None:
    assert number_roles("The 17 members raised the fee from 15 to 17.") == {"15": {"old"}}


def test_markers_are_not_numbers() -> None:
    assert number_roles("The cap was raised to 17 [1].") == {"17": {"new"}}


def test_the_time_of_an_old_value_is_kept() -> None:
    assert old_value_times(TOLL) == {"25": "in February"}


# --- verification ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [
        "The minimum age was raised to 15 [1].",  # the old value as the new one
        "The minimum age is now 15 [1].",
        "The minimum age for the open class is 15 [1].",  # the old value stated as the current
        "15 [1]",
        "The minimum age rose from 17 to 15 [1].",  # the two swapped
        "Raids killed 25 villagers in March [2].",  # February's toll as March's
        "The raid toll rose to 25 [2].",
        "The transit board cut tram passes to $5 [3].",  # the size of the cut as the new price
        "Flooded houses rose to 200 [4].",  # a lower bound as a new value
        "Five of the three judges backed the appeal [5].",
    ],
)
def test_a_number_of_the_quote_in_the_wrong_role_is_dropped(claim: str) -> None:
    checked = verify(claim, PASSAGES)
    assert checked.status == "not_found", checked
    assert any(" as " in note for note in checked.notes), checked.notes


@pytest.mark.parametrize(
    "claim",
    [
        "The minimum age was raised to 17 [1].",
        "17 [1]",
        "The minimum age is now 17 [1].",
        "The league raised the minimum age from 15 to 17 [1].",
        "The minimum age went from 15 to 17 [1].",
        "The minimum age was 15 before the vote [1].",  # the old value told as a past one
        "The minimum age had been 15 [1].",
        "Raids killed 40 villagers in March [2].",
        "Raids killed 25 villagers in February [2].",  # the old value with its own time
        "Raids killed 40 villagers in March, up from 25 [2].",
        "The transit board cut tram passes to $12 [3].",
        "The transit board cut monthly tram passes by 5% [3].",
        "Monthly tram passes now cost $12 [3].",
        "Up to 300 houses were flooded [4].",
        "At least 200 houses were flooded [4].",
        "Between 200 and 300 houses were flooded [4].",
        "Three of the five judges backed the appeal [5].",
        "Three judges backed the appeal [5].",
    ],
)
def test_true_paraphrases_keep_their_citation(claim: str) -> None:
    checked = verify(claim, PASSAGES)
    assert checked.status == "answered" and checked.citations, checked.notes


def test_the_note_says_which_role_was_missing() -> None:
    s = supports("The minimum age was raised to 15.", AGE)
    assert not s.ok and s.missing == ["15 as the new value"]
    s = supports("The minimum age is 15.", AGE)
    assert not s.ok and s.missing == ["15 as the current value (it gives 15 as the old value)"]


def test_a_plain_mention_elsewhere_in_the_window_still_supports() -> None:
    text = AGE + " Most of the league's current rowers are 15."
    assert supports("Most of the league's current rowers are 15.", text).ok
