"""The calendar and number words every text rule reads: one set of tables for the whole core.

Dates, facts, the spaCy fallback patterns and the answerers each recognise weekdays, months
and number words; they build their patterns from these tables so that "Sept" or "a dozen"
means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable


def wordlist(text: str) -> list[str]:
    """A table written as running text (ruff would have it a list literal, which reads worse)."""
    return text.split()


# Index = ``date.weekday()``: 0 is Monday.
WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip

# Every spelling news uses for a month: the full name first, then its abbreviations.
_MONTH_SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
)  # fmt: skip
MONTHS: dict[str, int] = {name: i + 1 for i, names in enumerate(_MONTH_SPELLINGS) for name in names}
MONTH_ABBREVIATIONS: frozenset[str] = frozenset(n for names in _MONTH_SPELLINGS for n in names[1:])
MONTH_NAMES: tuple[str, ...] = tuple(names[0] for names in _MONTH_SPELLINGS)  # January first
# Words that name a time, never a place or a subject: "on Saturday", "an outage in March".
CALENDAR_WORDS: frozenset[str] = frozenset(WEEKDAYS) | frozenset(MONTHS)

UNITS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        wordlist("""zero one two three four five six seven eight nine ten eleven twelve
        thirteen fourteen fifteen sixteen seventeen eighteen nineteen""")
    )
}
TENS: dict[str, int] = {
    w: 10 * (i + 2)
    for i, w in enumerate(wordlist("twenty thirty forty fifty sixty seventy eighty ninety"))
}
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
NUMBER_WORDS: frozenset[str] = frozenset(UNITS) | frozenset(TENS) | frozenset(SCALES) | {"dozen"}


def alternation(names: Iterable[str], *, title: bool = False) -> str:
    """A regex alternation of ``names``, longest first so "Sept" wins over "Sep" ("Sept" ->
    "Sept|Sep"); ``title`` capitalises each name for patterns that are case-sensitive on purpose
    (a capital "May" is the month, "may" the verb)."""
    unique = sorted(set(names), key=lambda n: (-len(n), n))
    return "|".join(n.title() if title else n for n in unique)
