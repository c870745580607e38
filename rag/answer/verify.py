"""Parse, verify and locate the citations of a generated answer (DESIGN.md, "The answer contract").

A generated answer is trusted only as far as this module can check it:

- ``parse_claims`` splits the answer into sentences and reads their ``[n]`` markers;
- ``claim_facts`` lists what a sentence asserts that can be checked mechanically: numbers
  (normalised: "forty" == "40", "1,200" == "1200"), dates and names;
- ``supports`` decides whether one passage backs one claim: every fact of the claim occurs inside
  a window of at most ``MAX_WINDOW`` consecutive passage sentences, and the passage shares enough
  of the claim's content words to be about it (``MIN_OVERLAP`` / ``MIN_OVERLAP_WITH_FACTS``);
- ``locate`` finds that window, so a citation shows the exact supporting sentence(s);
- ``verify`` applies all of it to an answer: unsupported markers are dropped, claims left without
  support are dropped, the survivors are renumbered 1..n and become ``Citation`` objects whose
  offsets point into the article text.

Everything here is pure and deterministic: no model, no I/O.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from rag.schema import Citation, Passage
from rag.text.dates import resolve_relative_dates
from rag.text.tokens import STOPWORDS, content_words, sentence_spans, stem, word_spans, words

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
# "[1-3]" expands to 1, 2, 3; a wider range is taken as its two ends (a typo, not 40 passages).
MAX_RANGE = 10

NOT_FOUND_TOKEN = "NOT_FOUND"
NOT_FOUND_MESSAGE = "I could not find the answer in the indexed articles."

# --- markers -----------------------------------------------------------------------------------
_NUMBER_LIST = r"\d{1,3}(?:\s*(?:[,;]|[-–])\s*\d{1,3})*"
MARKER_RE = re.compile(
    r"[\[【]\s*(?:(?:passage|source|doc(?:ument)?|ref)\s*)?(" + _NUMBER_LIST + r")\s*[\]】]",
    re.IGNORECASE,
)
"""One marker: ``[1]``, ``[1, 2]``, ``[1,2]``, ``[1-3]``, ``【1】``, ``[Passage 2]``.

Group 1 is the number list; ``marker_numbers`` reads it. ``[sic]``, ``[Reuters]`` or
``[citation needed]`` never match."""
_GROUP_RE = re.compile(rf"(?:{MARKER_RE.pattern})(?:\s*(?:{MARKER_RE.pattern}))*", re.IGNORECASE)


@dataclass(frozen=True)
class MarkerGroup:
    """Adjacent markers (``[1][2]``, ``[1] [3]``) at one place in the answer text."""

    start: int
    end: int
    numbers: tuple[int, ...]


def marker_numbers(body: str) -> list[int]:
    """The passage numbers of one marker's body: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body.strip()):
        rng = re.fullmatch(r"(\d+)\s*[-–]\s*(\d+)", part)
        if rng:
            lo, hi = int(rng[1]), int(rng[2])
            out.extend(range(lo, hi + 1) if 0 <= hi - lo < MAX_RANGE else (lo, hi))
        elif part:
            out.append(int(part))
    return out


def marker_groups(text: str) -> list[MarkerGroup]:
    """Every group of adjacent markers in ``text``, numbers deduplicated in order."""
    groups = []
    for g in _GROUP_RE.finditer(text):
        nums: list[int] = []
        for m in MARKER_RE.finditer(g.group()):
            nums.extend(n for n in marker_numbers(m.group(1)) if n not in nums)
        groups.append(MarkerGroup(g.start(), g.end(), tuple(nums)))
    return groups


def format_markers(numbers: Iterable[int]) -> str:
    """[1, 2] -> "[1][2]", the one form newsrag writes (the widget and Slack parse it)."""
    return "".join(f"[{n}]" for n in numbers)


def strip_markers(text: str) -> str:
    """The text without its markers: "40 soldiers [1]." -> "40 soldiers."."""
    return _tidy(_GROUP_RE.sub("", text))


# --- claims ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """The part of a sentence that one or more marker groups vouch for.

    A sentence with one marker group is one clause. "JNIM said it killed 40 [1], the army said 12
    [2]." has two: each source is checked against the part it was put after."""

    text: str
    markers: tuple[int, ...]
    groups: tuple[MarkerGroup, ...]


@dataclass(frozen=True)
class Claim:
    """One sentence of a generated answer."""

    text: str  # the sentence without its markers
    markers: tuple[int, ...]  # every marker of the sentence, in order, without repeats
    start: int  # span in the answer text, markers after the sentence included
    end: int
    clauses: tuple[Clause, ...] = ()

    @property
    def cited(self) -> bool:
        return bool(self.markers)


def parse_claims(answer_text: str) -> list[Claim]:
    """Sentences of ``answer_text`` with their markers, in order.

    Markers are blanked before splitting, so "… soldiers.[1] Next" splits like "… soldiers. Next";
    a marker after the final punctuation ("… soldiers. [1]") belongs to the sentence before it.
    """
    groups = marker_groups(answer_text)
    masked = list(answer_text)
    for g in groups:
        masked[g.start : g.end] = " " * (g.end - g.start)
    blank = "".join(masked)
    spans = sentence_spans(blank)
    if not spans:
        return []
    owned: list[list[MarkerGroup]] = [[] for _ in spans]
    for g in groups:
        owner = 0
        for i, (s, _e) in enumerate(spans):
            if s <= g.start:
                owner = i
        owned[owner].append(g)

    claims = []
    for (s, e), gs in zip(spans, owned, strict=True):
        markers: list[int] = []
        for g in gs:
            markers.extend(n for n in g.numbers if n not in markers)
        start = min([s] + [g.start for g in gs])
        end = max([e] + [g.end for g in gs])
        claims.append(
            Claim(
                text=_tidy_line(blank[s:e]),
                markers=tuple(markers),
                start=start,
                end=end,
                clauses=_clauses(blank, s, e, gs),
            )
        )
    return claims


def _clauses(blank: str, s: int, e: int, groups: list[MarkerGroup]) -> tuple[Clause, ...]:
    if not groups:
        return ()
    out: list[Clause] = []
    pending: list[MarkerGroup] = []
    cursor = s
    for i, g in enumerate(groups):
        stop = e if i == len(groups) - 1 else g.start
        part = _tidy_line(blank[cursor:stop]) if stop > cursor else ""
        cursor = max(cursor, g.end)
        if not re.search(r"\w", part):
            if out:  # "… [1] — [2]": the stray group vouches for the clause before it
                prev = out[-1]
                out[-1] = Clause(prev.text, _merge(prev.groups + (g,)), prev.groups + (g,))
            else:  # "[1] JNIM said …": a leading group vouches for what follows
                pending.append(g)
            continue
        gs = (*pending, g)
        pending = []
        out.append(Clause(part, _merge(gs), gs))
    return tuple(out)  # empty when the sentence has no words to vouch for


def _merge(groups: Sequence[MarkerGroup]) -> tuple[int, ...]:
    nums: list[int] = []
    for g in groups:
        nums.extend(n for n in g.numbers if n not in nums)
    return tuple(nums)


def _tidy_line(text: str) -> str:
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r" +([.,;:!?])", r"\1", text)
    return text.strip()


def _tidy(text: str) -> str:
    lines = [_tidy_line(line) for line in text.split("\n")]
    lines = [line for line in lines if not re.fullmatch(r"(?:[-*•]|\d+[.)])", line)]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- facts -------------------------------------------------------------------------------------


def _wordlist(text: str) -> list[str]:
    return text.split()


_MONTH_NUMBERS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
# Most specific first; a span taken by one pattern is not read again by a later one.
_DATE_PATTERNS = [
    re.compile(r"\b(?P<year>\d{4})-(?P<monthnum>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+{_DAY}\b(?:,?\s+{_YEAR}\b)?"),
    re.compile(rf"\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR}\b)?"),
    re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b"),
    re.compile(rf"\b{_MONTH}\b"),
    re.compile(rf"\b{_WEEKDAY}\b"),
    re.compile(rf"(?<![\d,.]){_YEAR}(?![\d,]|\.\d)"),
]
_UNITS = {
    w: i
    for i, w in enumerate(
        _wordlist("""zero one two three four five six seven eight
    nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen""")
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(_wordlist("twenty thirty forty fifty sixty seventy eighty ninety"))
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}
_NUMBER_WORDS = set(_UNITS) | set(_TENS) | set(_SCALES) | {"dozen"}
_DIGITS = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|bn)\b)?",
    re.IGNORECASE,
)
_ALPHA = re.compile(r"[A-Za-z]+")

_TITLES = frozenset(
    _wordlist("""president vice prime minister general gen colonel col lieutenant lt captain capt
    sergeant sgt major maj commander chief mr mrs ms dr prof sir madam king queen prince princess
    governor gov senator sen representative rep mayor spokesman spokeswoman spokesperson judge""")
)
_NOT_NAMES = STOPWORDS | _TITLES | set(_MONTH_NUMBERS) | set(_WEEKDAYS) | _NUMBER_WORDS | {"i"}
# Reporting verbs and hedges: "JNIM claimed" and "JNIM said" are the same claim about JNIM.
_WEAK_STEMS = frozenset(
    stem(w)
    for w in _wordlist("""claim claimed claims told tell tells state stated states report
    reported reports reportedly add added adds announce announced announces accord quoted quoting
    quote alleged allegedly insisted noted wrote cited citing statement least around
    approximately nearly almost about some several roughly estimated near nearby outside happen happened occur occurred take took
    taken place""")
)
_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget)\b.{0,40}\b(?:instructions?|prompts?|rules)\b"
    r"|\bsystem prompt\b|\byou are now\b|\bnew instructions?\b",
    re.IGNORECASE,
)
_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}")


@dataclass(frozen=True)
class DateFact:
    """A date as a claim states it; unstated parts are None ("June" has only a month)."""

    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # 0 = Monday


@dataclass(frozen=True)
class Facts:
    """The checkable facts of one sentence."""

    numbers: tuple[str, ...] = ()  # normalised: "40", "1200", "3.5", "1500000"
    dates: tuple[DateFact, ...] = ()
    names: tuple[str, ...] = ()  # as written, possessive dropped: "JNIM", "Michael Langley"

    def __bool__(self) -> bool:
        return bool(self.numbers or self.dates or self.names)


def normalize_number(text: str) -> str | None:
    """ "1,200" -> "1200", "3.50" -> "3.5", "40%" -> "40", "forty-two" -> "42", "1.5 million"
    -> "1500000"; None when ``text`` is not a number."""
    facts = claim_facts(text)
    return facts.numbers[0] if len(facts.numbers) == 1 and not facts.dates else None


def claim_facts(sentence: str) -> Facts:
    """Numbers, dates and names stated in ``sentence`` (markers are ignored)."""
    text = _GROUP_RE.sub(lambda m: " " * len(m.group()), sentence)
    dates, taken = _find_dates(text)
    numbers = _find_numbers(text, taken)
    names = _find_names(text, taken)
    return Facts(tuple(dict.fromkeys(numbers)), tuple(dates), tuple(dict.fromkeys(names)))


def _find_dates(text: str) -> tuple[list[DateFact], list[tuple[int, int]]]:
    found: list[tuple[int, DateFact]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            fact = _date_fact(m)
            if fact is not None:
                found.append((m.start(), fact))
                taken.append((m.start(), m.end()))
    found.sort(key=lambda item: item[0])
    return [f for _, f in found], taken


def _date_fact(m: re.Match[str]) -> DateFact | None:
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    if g.get("monthnum"):
        month: int | None = int(g["monthnum"])
    elif g.get("month"):
        month = _MONTH_NUMBERS[g["month"].lower().rstrip(".")]
    else:
        month = None
    day = int(g["day"]) if g.get("day") else None
    weekday = _WEEKDAYS.index(g["weekday"].lower()) if g.get("weekday") else None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            date(year or 2000, month or 1, day)  # 2000 is a leap year: 29 February is fine
        except ValueError:
            return None
    return DateFact(m.group().strip(), year, month, day, weekday)


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


def _find_numbers(text: str, taken: Sequence[tuple[int, int]]) -> list[str]:
    out: list[tuple[int, str]] = []
    for m in _DIGITS.finditer(text):
        if _inside(m.start(), taken):
            continue
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            continue
        scale = (m.group("scale") or "").lower()
        if scale:
            value *= _SCALES.get(scale, 10**9)
        out.append((m.start(), _decimal_str(value)))
    tokens = [t for t in _ALPHA.finditer(text) if not _inside(t.start(), taken)]
    i = 0
    while i < len(tokens):
        run, j = _number_word_run(text, tokens, i)
        if run:
            out.append((tokens[i].start(), str(run)))
            i = j
        else:
            i += 1
    return [n for _, n in sorted(out)]


def _number_word_run(text: str, tokens: list[re.Match[str]], i: int) -> tuple[int | None, int]:
    """The value of the number words starting at ``tokens[i]`` and the index after them.

    Only well-formed runs: "forty-two", "two hundred and five", "a dozen", "3 thousand" is read
    by the digit pattern; "forty fifty" is two numbers and "one of them" none."""
    seq: list[str] = []
    j = i
    nxt_word = tokens[i + 1].group().lower() if i + 1 < len(tokens) else ""
    if tokens[i].group().lower() == "a" and nxt_word in (*_SCALES, "dozen"):
        seq.append("one")  # "a dozen", "a hundred"
        j += 1
    while j < len(tokens):
        w = tokens[j].group().lower()
        if seq and not re.fullmatch(r"\s*-?\s*", text[tokens[j - 1].end() : tokens[j].start()]):
            break
        prev = seq[-1] if seq else None
        if w == "and" and prev in _SCALES and j + 1 < len(tokens):
            nxt = tokens[j + 1].group().lower()
            if nxt in _UNITS or nxt in _TENS:
                j += 1
                continue
            break
        if not _may_follow(prev, w):
            break
        seq.append(w)
        j += 1
    if not seq or seq == ["one"]:
        return None, i  # "one of them" is not a stated quantity
    total = current = 0
    for w in seq:
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * _SCALES[w]
            current = 0
    return total + current, j


def _may_follow(prev: str | None, w: str) -> bool:
    if w in _UNITS:
        return prev is None or prev in _SCALES or (prev in _TENS and 0 < _UNITS[w] < 10)
    if w in _TENS:
        return prev is None or prev in _SCALES
    if w in ("hundred", "dozen"):
        return prev in _UNITS
    if w in _SCALES:
        return prev is not None and prev != "dozen" and (prev not in _SCALES or prev == "hundred")
    return False


def _decimal_str(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _find_names(text: str, taken: Sequence[tuple[int, int]]) -> list[str]:
    text = _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", "").ljust(len(m.group())), text)
    toks = list(word_spans(text))
    names: list[str] = []
    phrase: list[re.Match[str]] = []

    def flush() -> None:
        if phrase:
            names.append(" ".join(_strip_possessive(t.group()) for t in phrase))
            phrase.clear()

    for i, t in enumerate(toks):
        word = t.group()
        gap = text[toks[i - 1].end() : t.start()] if i else text[: t.start()]
        if not _is_name_token(word) or _inside(t.start(), taken):
            flush()
            continue
        joined = bool(phrase) and phrase[-1] is toks[i - 1] and re.fullmatch(r"\s+|-", gap)
        if not joined:
            flush()
        at_start = i == 0 or bool(re.search(r"[.!?:;\"“‘(]\s*$", gap))
        if at_start and not _is_acronym(word):
            # A capital at the start of a sentence or a quote proves nothing unless a second
            # capitalised word follows it ("Michael Langley said" but not "Militants said").
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if not (
                nxt
                and _is_name_token(nxt.group())
                and re.fullmatch(r"\s+|-", text[t.end() : nxt.start()])
            ):
                continue
        phrase.append(t)
    flush()
    return names


def _is_name_token(word: str) -> bool:
    base = _strip_possessive(word)
    return len(base) > 1 and base[0].isupper() and base.isalpha() and base.lower() not in _NOT_NAMES


def _is_acronym(word: str) -> bool:
    base = _strip_possessive(word)
    return len(base) > 1 and base.isupper()


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’](?:s|S)?$", "", word)


def _name_keys(token: str) -> set[str]:
    """Spellings a name token may take in a passage: possessive and plural dropped, a demonym
    reduced to its country ("Malian" -> "mali", "Nigerien" -> "niger", "Nigerian" -> "nigeria";
    never "Nigeria" -> "niger")."""
    t = _strip_possessive(token).lower()
    keys = {t}
    if len(t) > 4 and t.endswith("s"):
        keys.add(t[:-1])
    for k in list(keys):
        for suffix, base_end in (("ien", ""), ("ese", ""), ("an", ""), ("n", "a")):
            base = k[: -len(suffix)]
            if k.endswith(suffix) and len(base) >= 3 and base.endswith(base_end):
                keys.add(base)
    return keys


# --- passage index -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """What one passage sentence states, ready for matching."""

    start: int
    end: int
    numbers: frozenset[str]
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
    plain = _DOTTED_ACRONYM.sub(lambda m: m.group().replace(".", ""), sentence)
    for w in word_spans(plain):
        names |= _name_keys(w.group())
    return _Unit(
        start=a,
        end=b,
        numbers=frozenset(facts.numbers),
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
    return stem(_strip_possessive(word.lower()))


def _content_stems(text: str) -> list[str]:
    """Stems of the words that say what the claim is about, beyond its facts."""
    name_words = {w.lower() for name in claim_facts(text).names for w in name.split()}
    out = []
    for w in content_words(strip_markers(text)):
        w = _strip_possessive(w)
        if (
            not w
            or w in name_words
            or any(c.isdigit() for c in w)
            or w in _NUMBER_WORDS
            or w in _MONTH_NUMBERS
            or w in _WEEKDAYS
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


def _atoms(facts: Facts) -> list[_Fact]:
    out = [_Fact(n, "number", n) for n in facts.numbers]
    out += [_Fact(d.text, "date", d) for d in facts.dates]
    out += [_Fact(n, "name", tuple(n.split())) for n in facts.names]
    return out


def _fact_in(fact: _Fact, units: Sequence[_Unit], header_names: frozenset[str]) -> bool:
    def has(attr: str, value: object) -> bool:
        return any(value in getattr(u, attr) for u in units)

    if fact.kind == "number":
        n = str(fact.value)
        return has("numbers", n) or (n.isdigit() and has("years", int(n)))
    if fact.kind == "name":
        keys = header_names.union(*(u.names for u in units))
        return all(_name_keys(tok) & keys for tok in fact.value)  # type: ignore[attr-defined]
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


def _search(claim_sentence: str, passage_text: str, published: date | None, header: str) -> Support:
    facts = _atoms(claim_facts(claim_sentence))
    stems = _content_stems(claim_sentence)
    units = [u for u in _units(passage_text, published) if not u.instruction]
    header_names = frozenset(k for w in word_spans(header) for k in _name_keys(w.group()))

    passage_stems = frozenset().union(*(u.stems for u in units)) if units else frozenset()
    matched = sum(_stem_found(s, passage_stems) for s in stems)
    overlap = matched / len(stems) if stems else (1.0 if facts else 0.0)

    all_units = _units(passage_text, published)
    best: tuple[tuple[int, int, int, int], tuple[int, int], list[_Fact]] | None = None
    for size in range(1, MAX_WINDOW + 1):
        for i in range(len(all_units) - size + 1):
            window = all_units[i : i + size]
            if any(u.instruction for u in window):
                continue  # text that gives orders is never evidence (DESIGN.md, rule 5)
            found = [f for f in facts if _fact_in(f, window, header_names)]
            wstems = frozenset().union(*(u.stems for u in window))
            hits = sum(_stem_found(s, wstems) for s in stems)
            key = (len(found), -size, hits, -i)
            if best is None or key > best[0]:
                best = (key, (window[0].start, window[-1].end), found)
    if best is None:
        missing = [f.label for f in facts]
        return Support(False, missing, overlap, (0, len(passage_text)))
    _key, span, found = best
    missing = [f.label for f in facts if f not in found]
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
    """Text that addresses a model rather than reporting news (DESIGN.md, rule 5)."""
    return _INSTRUCTION.search(text) is not None


def locate(
    claim_sentence: str, passage_text: str, *, published: date | None = None
) -> tuple[int, int]:
    """Span (in ``passage_text``) of the sentence(s) that best support the claim.

    The window holding the most of the claim's facts wins; among those the shortest (one
    sentence unless the facts span two or three), then the one sharing most content stems.
    """
    return _search(claim_sentence, passage_text, published, "").span


# --- verify ------------------------------------------------------------------------------------


@dataclass
class Verified:
    """An answer after verification: what the user may see."""

    answer: str
    citations: list[Citation]
    status: Literal["answered", "not_found"]
    notes: list[str] = field(default_factory=list)


_META = re.compile(r"\b(?:passages?|sources?|articles?|reports?|documents?)\b", re.IGNORECASE)
_META_VERB = re.compile(
    r"\b(?:not|no|neither|nor|disagree|differ|differs|conflict|conflicting|contradict|unclear|"
    r"vary|varies|only)\b|n't\b",
    re.IGNORECASE,
)
# A "Sources:" / "## References" heading that starts a list of sources after the answer.
_SOURCE_LIST = re.compile(
    r"^[ \t]*(?:[*_#]+[ \t]*)?(?:sources|references|citations)[ \t]*[*_]*[ \t]*(?::|$)",
    re.IGNORECASE | re.MULTILINE,
)


def is_not_found(answer_text: str) -> bool:
    """The model said it has no answer (it was told to reply NOT_FOUND)."""
    return bool(re.search(rf"\b{NOT_FOUND_TOKEN}\b", answer_text))


def _is_meta(claim: Claim) -> bool:
    """ "The sources disagree on the toll." says something about the passages, not the world."""
    return bool(
        _META.search(claim.text) and _META_VERB.search(claim.text) and not claim_facts(claim.text)
    )


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _header(p: Passage) -> str:
    return " ".join(x for x in (p.title, p.source or "") if x)


_Key = tuple[int, tuple[int, int]]  # (passage index, supporting span in the passage)


def verify(answer_text: str, passages: Sequence[Passage]) -> Verified:
    """Check every claim of a generated answer against the passages its markers name.

    Markers are 1-based indexes into ``passages`` as numbered in the prompt. A marker whose
    passage does not support its clause (nor the whole sentence) is dropped; a sentence left
    with a clause that no marker supports is dropped, and so is a sentence with no marker at all
    unless it only talks about the sources ("The passages do not say who …"). Kept citations are
    renumbered 1..n by first appearance; one number per (passage, supporting sentence), so two
    claims backed by different sentences of one passage get two markers, each with its own quote.
    Nothing supported, or a NOT_FOUND reply, gives ``not_found`` with no citations.
    """
    notes: list[str] = []
    text = answer_text.strip()
    if is_not_found(text):
        return Verified(
            NOT_FOUND_MESSAGE, [], "not_found", ["the model found no answer (NOT_FOUND)"]
        )
    cut = _SOURCE_LIST.search(text)
    if cut and cut.start() > 0:
        text = text[: cut.start()].rstrip()

    claims = parse_claims(text)
    kept: list[tuple[Claim, list[dict[int, _Key]]]] = []
    dropped: list[Claim] = []
    any_cited = False
    for claim in claims:
        if not claim.clauses:
            if _is_meta(claim):
                kept.append((claim, []))
            else:
                dropped.append(claim)
                notes.append(f"dropped unsupported claim: {_short(claim.text)} (no citation)")
            continue
        per_clause: list[dict[int, _Key]] = []
        for clause in claim.clauses:
            ok: dict[int, _Key] = {}
            for n in clause.markers:
                if not 1 <= n <= len(passages):
                    notes.append(f"dropped marker [{n}]: no passage {n} was given")
                    continue
                p = passages[n - 1]
                support = supports(clause.text, p.text, published=p.published, header=_header(p))
                if not support.ok and clause.text != claim.text:
                    whole = supports(claim.text, p.text, published=p.published, header=_header(p))
                    support = whole if whole.ok else support
                if support.ok:
                    ok[n] = (n - 1, support.span)
                else:
                    notes.append(
                        f"dropped marker [{n}] on “{_short(clause.text, 80)}”: {_why(n, support)}"
                    )
            per_clause.append(ok)
        if all(per_clause):
            kept.append((claim, per_clause))
            any_cited = True
        else:
            dropped.append(claim)
            notes.append(f"dropped unsupported claim: {_short(claim.text)}")

    if not any_cited:
        return Verified(NOT_FOUND_MESSAGE, [], "not_found", notes)

    numbering: dict[_Key, int] = {}
    citations: list[Citation] = []
    edits: list[tuple[int, int, str]] = []
    for claim, per_clause in kept:
        for clause, ok in zip(claim.clauses, per_clause, strict=True):
            for g in clause.groups:
                new: list[int] = []
                for n in g.numbers:
                    if n not in ok:
                        continue
                    key = ok[n]
                    if key not in numbering:
                        numbering[key] = len(numbering) + 1
                        citations.append(_citation(numbering[key], passages[key[0]], key[1]))
                    if numbering[key] not in new:
                        new.append(numbering[key])
                edits.append((g.start, g.end, format_markers(new)))
    for claim in dropped:
        edits.append((*_line_aware(text, claim.start, claim.end), ""))
    for start, end, repl in sorted(edits, reverse=True):
        text = text[:start] + repl + text[end:]
    return Verified(_tidy(text), citations, "answered", notes)


def _line_aware(text: str, a: int, b: int) -> tuple[int, int]:
    """Widen a deletion to its whole line when it is all the line holds (a list item)."""
    line_start = text.rfind("\n", 0, a) + 1
    line_end = text.find("\n", b)
    line_end = len(text) if line_end < 0 else line_end
    if text[line_start:a].strip() or text[b:line_end].strip():
        return a, b
    return line_start, min(line_end + 1, len(text))


def _why(n: int, support: Support) -> str:
    if support.missing:
        return f"passage {n} does not state " + ", ".join(support.missing)
    return f"passage {n} is not about it (word overlap {support.overlap:.2f})"


def _citation(marker: int, p: Passage, span: tuple[int, int]) -> Citation:
    return p.cite(marker, *span)
