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


def test_a_weekday_of_what_is_to_come_is_the_next_such_day():
    sunday = date(2024, 9, 8)

    def labels(sentence):
        return [r.label for r in resolve_relative_dates(sentence, sunday)]

    assert labels("The deal would need to be approved on Thursday.") == [
        "Thursday 12 September 2024"
    ]
    assert labels("Talks resume next Monday.") == ["Monday 9 September 2024"]
    assert labels("The strike is expected to start Friday.") == ["Friday 13 September 2024"]
    # The saying is past even when what is said is to come.
    assert labels("He said on Friday that talks would resume.") == ["Friday 6 September 2024"]
    assert labels("The vote was held on Thursday.") == ["Thursday 5 September 2024"]
    assert labels('Ines Varga will play the lead in "Orlo," the studio said Friday.') == [
        "Friday 6 September 2024"
    ]
    # A story of the day itself: "will reach 8 billion on Sunday", published that Sunday.
    assert labels("The population will reach 8 billion on Sunday.") == ["Sunday 8 September 2024"]
    assert labels("Talks resume next Sunday.") == ["Sunday 15 September 2024"]
