"""Relative dates in a quoted sentence, resolved against the article's publication date.

"on Sunday" in an article of Monday 2 June 2025 is Sunday 1 June 2025 (docs/design.md, rule 4).
News writes weekdays for the past week, so a weekday is the latest such day on or before the
publication date, unless the sentence tells of what is to come ("the deal would need to be
approved on Thursday", "next Monday"): then it is the first such day after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from rag.text.lexicon import MONTHS, WEEKDAYS, alternation

_RELATIVE = re.compile(
    r"\b(?:(?P<last>last|this|next|on|since|by|until|early|late)\s+)?"
    rf"(?P<day>{alternation(WEEKDAYS)})\b"
    r"|\b(?P<word>yesterday|today|tonight|last night|this morning|this afternoon|this evening|"
    r"the previous day|the day before|the next day|"
    r"the following day|last week|last month|this month|earlier this month|"
    r"earlier this week|last year)\b",
    re.I,
)


# "Saturday 6 May", "Saturday, May 6": a weekday followed by the date it is.
_DATE_AFTER = re.compile(
    rf",?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{alternation(MONTHS)})\b"
    rf"|(?:{alternation(MONTHS)})\.?\s+\d{{1,2}}\b)",
    re.I,
)
# Words that put a clause in the future: "will", "would need to", "is expected to", "plans to".
_TO_COME = re.compile(
    r"\b(?:will|would|shall|(?:is|are) (?:expected|set|scheduled|due|slated) to|plans? to)\b|'ll\b",
    re.I,
)


def _clause_before(sentence: str, at: int) -> str:
    """The words of the weekday's own clause before it: "… said on Sunday it would …" and
    "X will play Diana, the network announced Sunday" tell no future for Sunday."""
    return _CLAUSE_BREAK.split(sentence[:at])[-1]


_CLAUSE_BREAK = re.compile(r"[,;:—–\"“”]|\bthat\b")


@dataclass(frozen=True)
class ResolvedDate:
    phrase: str
    start: int
    end: int
    value: date | None  # a day, when the phrase names one
    label: str  # how to show it: "1 June 2025", "week of 26 May 2025", "May 2025"


def resolve_relative_dates(sentence: str, published: date | None) -> list[ResolvedDate]:
    if published is None:
        return []
    out: list[ResolvedDate] = []
    for m in _RELATIVE.finditer(sentence):
        if m.group("day"):
            if _DATE_AFTER.match(sentence, m.end("day")):
                continue  # "Saturday, May 6, 2023" says its own date
            target = WEEKDAYS.index(m.group("day").lower())
            before = (m.group("last") or "").lower()
            if before == "next" or _TO_COME.search(_clause_before(sentence, m.start())):
                ahead = (target - published.weekday()) % 7
                if before == "next" and ahead == 0:
                    ahead = 7  # "will reach 8 billion on Tuesday" on a Tuesday is that day
                day = published + timedelta(days=ahead)
            else:
                back = (published.weekday() - target) % 7
                if before == "last" and back == 0:
                    back = 7
                day = published - timedelta(days=back)
            out.append(ResolvedDate(m.group("day"), m.start("day"), m.end("day"), day, _fmt(day)))
            continue
        word = m.group("word").lower()
        day = None
        label = ""
        if word in {"yesterday", "last night", "the previous day", "the day before"}:
            # "the previous day" is relative to the story's own day, which is usually the
            # publication date in breaking news; say so by showing the date it implies.
            day = published - timedelta(days=1)
        elif word in {"today", "tonight", "this morning", "this afternoon", "this evening"}:
            day = published
        elif word in {"the next day", "the following day"}:
            continue  # relative to an event, not to the publication date: leave as written
        elif word in {"last week"}:
            monday = published - timedelta(days=published.weekday() + 7)
            label = f"the week of {_fmt(monday)}"
        elif word in {"this month", "earlier this month"}:
            label = f"{published:%B %Y}"
        elif word == "last month":
            first = published.replace(day=1) - timedelta(days=1)
            label = f"{first:%B %Y}"
        elif word == "earlier this week":
            monday = published - timedelta(days=published.weekday())
            label = f"the week of {_fmt(monday)}"
        elif word == "last year":
            label = str(published.year - 1)
        out.append(
            ResolvedDate(
                m.group("word"), m.start("word"), m.end("word"), day, _fmt(day) if day else label
            )
        )
    return out


def _fmt(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"
