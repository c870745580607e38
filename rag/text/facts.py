"""The numbers, dates and names a sentence states: the facts a citation check can test.

``claim_facts`` lists them (numbers normalised: "forty" == "40", "1,200" == "1200"; dates part
by part; names as written); ``normalize_number`` reads one number; ``name_keys`` gives the
spellings a name may take in a passage. Pure text: no model, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from rag.text.lexicon import (
    MONTHS,
    NUMBER_WORDS,
    SCALES,
    TENS,
    UNITS,
    WEEKDAYS,
    alternation,
    wordlist,
)
from rag.text.markers import blank_markers
from rag.text.tokens import STOPWORDS, word_spans

_MONTH = rf"(?P<month>{alternation(MONTHS, title=True)})\.?"
_WEEKDAY = rf"(?P<weekday>{alternation(WEEKDAYS, title=True)})"
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
_DIGITS = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>hundred|thousand|million|billion|bn)\b)?",
    re.IGNORECASE,
)
_ALPHA = re.compile(r"[A-Za-z]+")

_TITLES = frozenset(
    wordlist("""president vice prime minister general gen colonel col lieutenant lt captain capt
    sergeant sgt major maj commander chief mr mrs ms dr prof sir madam king queen prince princess
    governor gov senator sen representative rep mayor spokesman spokeswoman spokesperson judge""")
)
_NOT_NAMES = STOPWORDS | _TITLES | set(MONTHS) | set(WEEKDAYS) | NUMBER_WORDS | {"i"}
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
    text = blank_markers(sentence)
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
        month = MONTHS[g["month"].lower().rstrip(".")]
    else:
        month = None
    day = int(g["day"]) if g.get("day") else None
    weekday = WEEKDAYS.index(g["weekday"].lower()) if g.get("weekday") else None
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
    return [value for _a, _b, value in _number_spans(text, taken)]


def number_spans(sentence: str) -> list[tuple[int, int, str]]:
    """Where each number of ``sentence`` is written, with its normalised value, in order; the
    numbers of ``claim_facts`` (a year or the day of a date is a date, not a number)."""
    text = blank_markers(sentence)
    _dates, taken = _find_dates(text)
    return _number_spans(text, taken)


def _number_spans(text: str, taken: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for m in _DIGITS.finditer(text):
        if _inside(m.start(), taken):
            continue
        try:
            value = Decimal(m.group("num").replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
            continue
        scale = (m.group("scale") or "").lower()
        if scale:
            value *= SCALES.get(scale, 10**9)
        out.append((m.start(), m.end(), _decimal_str(value)))
    tokens = [t for t in _ALPHA.finditer(text) if not _inside(t.start(), taken)]
    i = 0
    while i < len(tokens):
        run, j = _number_word_run(text, tokens, i)
        if run:
            out.append((tokens[i].start(), tokens[j - 1].end(), str(run)))
            i = j
        else:
            i += 1
    return sorted(out)


def _number_word_run(text: str, tokens: list[re.Match[str]], i: int) -> tuple[int | None, int]:
    """The value of the number words starting at ``tokens[i]`` and the index after them.

    Only well-formed runs: "forty-two", "two hundred and five", "a dozen", "3 thousand" is read
    by the digit pattern; "forty fifty" is two numbers and "one of them" none."""
    seq: list[str] = []
    j = i
    nxt_word = tokens[i + 1].group().lower() if i + 1 < len(tokens) else ""
    if tokens[i].group().lower() == "a" and nxt_word in (*SCALES, "dozen"):
        seq.append("one")  # "a dozen", "a hundred"
        j += 1
    while j < len(tokens):
        w = tokens[j].group().lower()
        if seq and not re.fullmatch(r"\s*-?\s*", text[tokens[j - 1].end() : tokens[j].start()]):
            break
        prev = seq[-1] if seq else None
        if w == "and" and prev in SCALES and j + 1 < len(tokens):
            nxt = tokens[j + 1].group().lower()
            if nxt in UNITS or nxt in TENS:
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
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        else:
            total += (current or 1) * SCALES[w]
            current = 0
    return total + current, j


def _may_follow(prev: str | None, w: str) -> bool:
    if w in UNITS:
        return prev is None or prev in SCALES or (prev in TENS and 0 < UNITS[w] < 10)
    if w in TENS:
        return prev is None or prev in SCALES
    if w in ("hundred", "dozen"):
        return prev in UNITS
    if w in SCALES:
        return prev is not None and prev != "dozen" and (prev not in SCALES or prev == "hundred")
    return False


def _decimal_str(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _find_names(text: str, taken: Sequence[tuple[int, int]]) -> list[str]:
    text = undot_acronyms(text, keep_offsets=True)
    toks = list(word_spans(text))
    names: list[str] = []
    phrase: list[re.Match[str]] = []

    def flush() -> None:
        if phrase:
            names.append(" ".join(strip_possessive(t.group()) for t in phrase))
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
    base = strip_possessive(word)
    return len(base) > 1 and base[0].isupper() and base.isalpha() and base.lower() not in _NOT_NAMES


def _is_acronym(word: str) -> bool:
    base = strip_possessive(word)
    return len(base) > 1 and base.isupper()


def undot_acronyms(text: str, *, keep_offsets: bool = False) -> str:
    """ "U.N." -> "UN" (padded to "UN  " with ``keep_offsets``, so spans still fit the text)."""

    def plain(m: re.Match[str]) -> str:
        letters = m.group().replace(".", "")
        return letters.ljust(len(m.group())) if keep_offsets else letters

    return _DOTTED_ACRONYM.sub(plain, text)


def strip_possessive(word: str) -> str:
    return re.sub(r"['’](?:s|S)?$", "", word)


def name_keys(token: str) -> set[str]:
    """Spellings a name token may take in a passage: possessive and plural dropped, a demonym
    reduced to its country ("Malian" -> "mali", "Nigerien" -> "niger", "Nigerian" -> "nigeria";
    never "Nigeria" -> "niger")."""
    t = strip_possessive(token).lower()
    keys = {t}
    if len(t) > 4 and t.endswith("s"):
        keys.add(t[:-1])
    for k in list(keys):
        for suffix, base_end in (("ien", ""), ("ese", ""), ("an", ""), ("n", "a")):
            base = k[: -len(suffix)]
            if k.endswith(suffix) and len(base) >= 3 and base.endswith(base_end):
                keys.add(base)
    return keys
