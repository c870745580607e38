"""rag.store.filters: the as_of / source rule every store applies."""

from __future__ import annotations

from datetime import date

from rag.store.filters import UNDATED, Filters, day_number

JUNE_2 = date(2025, 6, 2)


def test_no_filter_admits_everything() -> None:
    f = Filters()
    assert not f.active and f.day_range() is None
    assert f.admits(None, None) and f.admits(date(2030, 1, 1), "Any Wire")


def test_as_of_keeps_that_day_and_before() -> None:
    f = Filters(as_of=JUNE_2)
    assert f.admits(JUNE_2, "x") and f.admits(date(2025, 6, 1), "x")
    assert not f.admits(date(2025, 6, 3), "x")


def test_undated_articles_only_when_asked_for() -> None:
    assert not Filters(as_of=JUNE_2).admits(None, "x")
    assert Filters(as_of=JUNE_2, include_undated=True).admits(None, "x")
    assert Filters(as_of=JUNE_2, include_undated=True).day_range() == (UNDATED, day_number(JUNE_2))
    assert Filters(as_of=JUNE_2).day_range() == (0, day_number(JUNE_2))


def test_sources_restrict_by_name() -> None:
    f = Filters(sources=("Sahel Wire",))
    assert f.active
    assert f.admits(None, "Sahel Wire") and not f.admits(None, "Other") and not f.admits(None, None)
