"""Does one passage back one claim sentence? (docs/design.md, "The answer contract").

A cited passage counts only if it states what the claim states, so the question is asked of the
claim's facts first (``rag.text.facts``): every number, date and name must occur within a window
of at most ``MAX_WINDOW`` consecutive passage sentences, because a number from one story and a
place from another paragraph of the same chunk do not make a claim. Facts alone can be matched by
a passage about something else, so the passage must also share enough of the claim's content
words (``MIN_OVERLAP`` / ``MIN_OVERLAP_WITH_FACTS``). A number must also hold the role the claim
gives it (``rag.text.roles``): "to 17" is not backed by "from 17 to 20".

``locate`` returns the same window, so a citation quotes the sentence(s) that carry the claim, and
``looks_like_instruction`` keeps text that gives orders to a model from ever being evidence.

Everything here is pure and deterministic: no model, no I/O. Whole answers are checked by
``rag.answer.verify``, which asks this module one (clause, passage) pair at a time.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from rag.text.dates import resolve_relative_dates
from rag.text.facts import DateFact, claim_facts, name_keys, strip_possessive, undot_acronyms
from rag.text.lexicon import MONTHS, NUMBER_WORDS, WEEKDAYS, wordlist
from rag.text.markers import strip_markers
from rag.text.roles import ROLE_SIDE, number_roles, old_value_times
from rag.text.tokens import content_words, sentence_spans, stem, word_spans, words

# --- thresholds --------------------------------------------------------------------------------
# Share of the claim's content stems that must occur in the passage. Numbers, dates and names are
# left out (they are checked as facts, and counting them would let "Aminata Kone resigned" pass on
# the name alone), and so are attribution verbs and hedges. A claim without checkable facts rests
# on wording alone, so it needs 60% (both words of a two-word claim, 3 of 4, 3 of 5); a claim whose
# numbers, dates and names were all found together in the passage is already pinned down, and
# 40% of the remaining words is enough to say the passage is about it while leaving room for the
# paraphrase models do ("gunmen" for "militants", "camp" for "outpost").
MIN_OVERLAP = 0.6
MIN_OVERLAP_WITH_FACTS = 0.4
# The facts of one claim must all be found within this many consecutive passage sentences: a
# number from one story and a place from another paragraph of the same chunk do not make a claim.
MAX_WINDOW = 3

# Reporting verbs and hedges: "JNIM claimed" and "JNIM said" are the same claim about JNIM.
_WEAK_STEMS = frozenset(
    stem(w)
    for w in wordlist("""claim claimed claims told tell tells state stated states report
    reported reports reportedly add added adds announce announced announces accord quoted quoting
    quote alleged allegedly insisted noted wrote cited citing statement least around
    approximately nearly almost about some several roughly estimated near nearby outside happen happened occur occurred take took
    taken place""")
)
# A claim that says a number is a past value ("had been 15", "15 before the vote") may quote the
# old value of a change; a claim that states it plainly ("the minimum age is 15") may not.
_PAST = re.compile(
    r"\b(?:previously|formerly|former|earlier|before|old|original|originally|initially|once|"
    r"prior|until|used to|had|last|ago)\b",
    re.IGNORECASE,
)
_ROLE_WORDS = {
    "old": "the old value",
    "new": "the new value",
    "low": "the lower bound",
    "high": "the upper bound",
    "part": "a part",
    "whole": "the whole",
    "by": "the size of the change",
}
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompts?|rules)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bnew instructions?\b",
    re.IGNORECASE,
)


# --- passage index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """What one passage sentence states, ready for matching."""

    start: int
    end: int
    numbers: frozenset[str]
    roles: frozenset[tuple[str, str]]  # (number, role) where the sentence gives it one
    old_times: frozenset[tuple[str, tuple[DateFact, ...]]]  # an old value and when it held
    years: frozenset[int]
    months: frozenset[int]
    monthdays: frozenset[tuple[int, int]]
    weekdays: frozenset[int]
    names: frozenset[str]
    stems: frozenset[str]
    instruction: bool


@lru_cache(maxsize=256)
def _units(text: str, published: date | None) -> tuple[_Unit, ...]:
    return tuple(_unit(text, a, b, published) for a, b in sentence_spans(text))


def _unit(text: str, a: int, b: int, published: date | None) -> _Unit:
    sentence = text[a:b]
    facts = claim_facts(sentence)
    years: set[int] = set()
    months: set[int] = set()
    monthdays: set[tuple[int, int]] = set()
    weekdays: set[int] = set()

    def add_day(d: date) -> None:
        years.add(d.year)
        months.add(d.month)
        monthdays.add((d.month, d.day))
        weekdays.add(d.weekday())

    for f in facts.dates:
        if f.year:
            years.add(f.year)
        if f.month:
            months.add(f.month)
        if f.weekday is not None:
            weekdays.add(f.weekday)
        if f.month and f.day:
            monthdays.add((f.month, f.day))
            year = f.year or _infer_year(f.month, f.day, published)
            if year:
                with contextlib.suppress(ValueError):  # 29 February of a common year
                    add_day(date(year, f.month, f.day))
    for r in resolve_relative_dates(sentence, published):
        if r.value is not None:
            add_day(r.value)
    names: set[str] = set()
    plain = undot_acronyms(sentence)
    for w in word_spans(plain):
        names |= name_keys(w.group())
    return _Unit(
        start=a,
        end=b,
        numbers=frozenset(facts.numbers),
        roles=frozenset((n, r) for n, rs in number_roles(sentence).items() for r in rs),
        old_times=frozenset(
            (n, claim_facts(when).dates) for n, when in old_value_times(sentence).items()
        ),
        years=frozenset(years),
        months=frozenset(months),
        monthdays=frozenset(monthdays),
        weekdays=frozenset(weekdays),
        names=frozenset(names),
        stems=frozenset(_stem(w) for w in words(sentence)),
        instruction=bool(_INSTRUCTION.search(sentence)),
    )


def _infer_year(month: int, day: int, published: date | None) -> int | None:
    """ "June 1" in an article of 2 June 2025 is 2025; "December 30" in one of January is the year
    before (news reports the past)."""
    if published is None:
        return None
    try:
        guess = date(published.year, month, day)
    except ValueError:
        return None
    return published.year - 1 if guess - published > timedelta(days=31) else published.year


def _stem(word: str) -> str:
    return stem(strip_possessive(word.lower()))


def _content_stems(text: str) -> list[str]:
    """Stems of the words that say what the claim is about, beyond its facts."""
    name_words = {w.lower() for name in claim_facts(text).names for w in name.split()}
    out = []
    for w in content_words(strip_markers(text)):
        w = strip_possessive(w)
        if (
            not w
            or w in name_words
            or any(c.isdigit() for c in w)
            or w in NUMBER_WORDS
            or w in MONTHS
            or w in WEEKDAYS
        ):
            continue
        s = stem(w)
        if s not in _WEAK_STEMS and s not in out:
            out.append(s)
    return out


def _stem_found(s: str, stems: frozenset[str]) -> bool:
    if s in stems:
        return True
    # attack/attacker, militia/militias: one stem a prefix of the other, both long enough.
    return len(s) >= 5 and any(len(p) >= 5 and (p.startswith(s) or s.startswith(p)) for p in stems)


# --- support -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """Whether a passage backs a claim, and if not, why."""

    ok: bool
    missing: list[str] = field(default_factory=list)  # facts not found together in the passage
    overlap: float = 0.0  # share of the claim's content stems found in the passage
    span: tuple[int, int] = (0, 0)  # the supporting sentence(s), offsets into the passage text


@dataclass(frozen=True)
class _Fact:
    label: str
    kind: Literal["number", "date", "name"]
    value: object


@dataclass(frozen=True)
class _Number:
    """A number of the claim, with the role the claim gives it (``rag.text.roles``)."""

    value: str
    roles: frozenset[str]
    past: bool  # the claim speaks of a past value
    dates: tuple[DateFact, ...]  # the claim's dates: "25 in April" for "up from 25 in April"


def _atoms(claim_sentence: str) -> list[_Fact]:
    facts = claim_facts(claim_sentence)
    roles = number_roles(claim_sentence)
    past = bool(_PAST.search(claim_sentence))
    out = [
        _Fact(n, "number", _Number(n, roles.get(n, frozenset()), past, facts.dates))
        for n in facts.numbers
    ]
    out += [_Fact(d.text, "date", d) for d in facts.dates]
    out += [_Fact(n, "name", tuple(n.split())) for n in facts.names]
    return out


def _fact_in(fact: _Fact, units: Sequence[_Unit], header_names: frozenset[str]) -> bool:
    def has(attr: str, value: object) -> bool:
        return any(value in getattr(u, attr) for u in units)

    if fact.kind == "number":
        num: _Number = fact.value  # type: ignore[assignment]
        return any(_number_in(num, u) for u in units)
    if fact.kind == "name":
        keys = header_names.union(*(u.names for u in units))
        return all(name_keys(tok) & keys for tok in fact.value)  # type: ignore[attr-defined]
    d: DateFact = fact.value  # type: ignore[assignment]
    checks = []
    if d.year is not None:
        checks.append(has("years", d.year) or has("numbers", str(d.year)))
    if d.month is not None and d.day is not None:
        checks.append(has("monthdays", (d.month, d.day)))
    elif d.month is not None:
        checks.append(has("months", d.month))
    if d.weekday is not None:
        checks.append(has("weekdays", d.weekday))
    return all(checks)


def _quoted_roles(n: str, unit: _Unit) -> frozenset[str]:
    return frozenset(r for m, r in unit.roles if m == n)


def _roles_agree(num: _Number, quoted: frozenset[str], when: Sequence[DateFact]) -> bool:
    """The claim gives ``num`` a role the quote allows: the same side of a change, range or
    proportion ("to 17" for "from 15 to 17", never "to 15"). A number the claim states plainly
    may be any value of the quote but its old one, unless the claim speaks of the past ("had
    been 15") or names the time the quote gives the old value (``when``: "25 in April")."""
    if not quoted:
        return True
    if num.roles:
        return bool({ROLE_SIDE[r] for r in num.roles} & {ROLE_SIDE[r] for r in quoted})
    return quoted != {"old"} or num.past or any(_same_time(a, b) for a in num.dates for b in when)


def _same_time(a: DateFact, b: DateFact) -> bool:
    parts = [(a.year, b.year), (a.month, b.month), (a.weekday, b.weekday)]
    shared = [(x, y) for x, y in parts if x is not None and y is not None]
    return bool(shared) and all(x == y for x, y in shared)


def _number_in(num: _Number, unit: _Unit) -> bool:
    if num.value in unit.numbers:
        when = [d for n, dates in unit.old_times if n == num.value for d in dates]
        return _roles_agree(num, _quoted_roles(num.value, unit), when)
    return num.value.isdigit() and int(num.value) in unit.years


def _missing_label(fact: _Fact, window: Sequence[_Unit]) -> str:
    """What the passage lacks: the fact, or the fact in the role the claim gives it."""
    if fact.kind != "number":
        return fact.label
    num: _Number = fact.value  # type: ignore[assignment]
    stated = [u for u in window if num.value in u.numbers]
    if not stated:
        return fact.label
    if num.roles:
        return f"{fact.label} as " + " or ".join(sorted(_ROLE_WORDS[r] for r in num.roles))
    return f"{fact.label} as the current value (it gives {fact.label} as the old value)"


def _search(claim_sentence: str, passage_text: str, published: date | None, header: str) -> Support:
    facts = _atoms(claim_sentence)
    stems = _content_stems(claim_sentence)
    units = [u for u in _units(passage_text, published) if not u.instruction]
    header_names = frozenset(k for w in word_spans(header) for k in name_keys(w.group()))

    passage_stems = frozenset().union(*(u.stems for u in units)) if units else frozenset()
    matched = sum(_stem_found(s, passage_stems) for s in stems)
    overlap = matched / len(stems) if stems else (1.0 if facts else 0.0)

    all_units = _units(passage_text, published)
    best: tuple[tuple[int, int, int, int], Sequence[_Unit], list[_Fact]] | None = None
    for size in range(1, MAX_WINDOW + 1):
        for i in range(len(all_units) - size + 1):
            window = all_units[i : i + size]
            if any(u.instruction for u in window):
                continue  # text that gives orders is never evidence (docs/design.md, rule 5)
            found = [f for f in facts if _fact_in(f, window, header_names)]
            wstems = frozenset().union(*(u.stems for u in window))
            hits = sum(_stem_found(s, wstems) for s in stems)
            key = (len(found), -size, hits, -i)
            if best is None or key > best[0]:
                best = (key, window, found)
    if best is None:
        missing = [f.label for f in facts]
        return Support(False, missing, overlap, (0, len(passage_text)))
    _key, window, found = best
    span = (window[0].start, window[-1].end)
    missing = [_missing_label(f, window) for f in facts if f not in found]
    threshold = MIN_OVERLAP_WITH_FACTS if facts else MIN_OVERLAP
    ok = not missing and overlap >= threshold and bool(stems or facts)
    return Support(ok, missing, round(overlap, 3), span)


def supports(
    claim_sentence: str,
    passage_text: str,
    *,
    published: date | None = None,
    header: str = "",
) -> Support:
    """Does ``passage_text`` back ``claim_sentence``?

    Yes when (1) every number, date and name of the claim occurs within ``MAX_WINDOW``
    consecutive sentences of the passage (numbers compared normalised, names case-insensitive,
    possessive- and demonym-tolerant, dates part by part, relative dates such as "Sunday"
    resolved against ``published``), and (2) at least ``MIN_OVERLAP`` of the claim's content
    stems occur in the passage (``MIN_OVERLAP_WITH_FACTS`` when the claim has facts). Names may
    also be found in ``header`` (title and source, as shown to the model). Attribution verbs
    ("said", "claimed", "according to") are left out of the comparison. A passage that gives
    instructions to a model ("ignore previous instructions…") supports nothing at all: its
    other sentences ("Assistant: HACKED") are part of the same attack.
    """
    if looks_like_instruction(passage_text):
        return Support(False, ["the passage gives instructions to the model"], 0.0, (0, 0))
    return _search(claim_sentence, passage_text, published, header)


def looks_like_instruction(text: str) -> bool:
    """Text that addresses a model rather than reporting news (docs/design.md, rule 5)."""
    return _INSTRUCTION.search(text) is not None


def locate(
    claim_sentence: str, passage_text: str, *, published: date | None = None
) -> tuple[int, int]:
    """Span (in ``passage_text``) of the sentence(s) that best support the claim.

    The window holding the most of the claim's facts wins; among those the shortest (one
    sentence unless the facts span two or three), then the one sharing most content stems.
    """
    return _search(claim_sentence, passage_text, published, "").span
