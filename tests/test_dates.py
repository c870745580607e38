"""Relative dates resolve against the article's publication date (docs/design.md, rule 4)."""

from datetime import date

from rag.text.dates import resolve_relative_dates

MONDAY = date(2025, 6, 2)


def _values(sentence: str, published=MONDAY):
    return {r.phrase: (r.value, r.label) for r in resolve_relative_dates(sentence, published)}


def test_weekday_is_the_latest_such_day_on_or_before_publication():
    got = _values("Fighters overran the base on Sunday and struck again on Monday.")
    assert got["Sunday"][0] == date(2025, 6, 1)
    assert got["Monday"][0] == MONDAY
    assert got["Sunday"][1] == "Sunday 1 June 2025"


def test_last_weekday_of_the_same_name_goes_back_a_week():
    assert _values("It happened last Monday.")["Monday"][0] == date(2025, 5, 26)


def test_yesterday_today_and_periods():
    got = _values("Yesterday's raid, today's funeral, and last week's warning.")
    assert got["Yesterday"][0] == date(2025, 6, 1)
    assert got["today"][0] == MONDAY
    assert got["last week"] == (None, "the week of Monday 26 May 2025")


def test_event_relative_phrases_and_undated_articles_are_left_alone():
    assert _values("The next day, the group struck Timbuktu.") == {}
    assert resolve_relative_dates("on Sunday", None) == []
