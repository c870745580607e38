"""Numbers, counts, money, percentages, durations and dates in a sentence, found by patterns.

Patterns, even when spaCy is installed, so a currency or a unit is never lost ("$18 million",
"18 million euros"). A number is a count only of the noun it stands before: in "40 soldiers died
in three countries" the count of soldiers is 40 and "three" counts countries.
"""

from __future__ import annotations

import re

from rag.answer.answer_type import Expected, singular
from rag.answer.spans import Candidate, key_of, weaker
from rag.models.nlp import Entity
from rag.text.lexicon import MONTH_NAMES, MONTHS, NUMBER_WORDS, alternation, wordlist
from rag.text.tokens import STOPWORDS, stem

_NUM_WORD = alternation(
    [w for w in NUMBER_WORDS if w != "zero"] + ["a dozen", "dozens", "hundreds", "thousands"]
)
_NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?[½¼¾]?"
    rf"|(?:{_NUM_WORD})(?:[- ](?:{_NUM_WORD}))*)"
)
_SCALE = r"(?:\s?(?:hundred|thousand|million|billion|trillion|bn|m|k)\b)?"
_CURRENCY_WORDS = (
    r"(?:dollars?|cents?|pence|euros?|pounds?(?: sterling)?|yen|yuan|renminbi|rupees?|francs?|"
    r"CFA francs|naira|rand|pesos?|reais|rubles?|roubles?|won|lira|shillings?|dirhams?|riyals?"
    r"|cedis?)"
)
MONEY = re.compile(
    rf"(?:(?:US|A|C|NZ|HK|S)?[$€£¥₹]\s?{_NUM}{_SCALE}(?:\s?(?:dollars?|USD|EUR|GBP))?"
    rf"|\b{_NUM}{_SCALE}\s+(?:US\s+)?{_CURRENCY_WORDS}\b"
    rf"|\b(?:USD|EUR|GBP|CHF)\s?{_NUM}{_SCALE})",
    re.I,
)
PERCENT = re.compile(rf"\b{_NUM}\s?(?:%|percent\b|per cent\b|percentage points?\b)", re.I)
DURATION = re.compile(
    rf"\b(?:(?:{_NUM}\s?(?:to|-|–)\s?)?{_NUM}|a|an|several|a few)[- ](?:and[- ]a[- ]half[- ])?"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b(?:[- ]long)?",
    re.I,
)
NUMBER = re.compile(
    rf"(?<![\w.,$€£¥])(?:more than |nearly |about |over |at least )?{_NUM}{_SCALE}(?![\w%])", re.I
)
# Units of measure after a number ("390 mg", "4.6 C", "4,000 to 6,000 pounds"): an amount.
MEASURE = re.compile(
    rf"\b(?:{_NUM}\s?(?:to|and|-|–)\s?)?{_NUM}{_SCALE}\s?"
    r"(?:(?:mg|milligrams?|grams?|kg|kilograms?|lbs?|pounds?|ounces?|oz|tons?|tonnes?"
    r"|inches|inch|feet|foot|ft|yards?|miles?|km|kilometers?|kilometres?|meters?|metres?|cm|mm"
    r"|acres?|hectares?|gallons?|liters?|litres?|barrels?|degrees?(?: (?:Celsius|Fahrenheit))?"
    r"|calories|kilowatts?|megawatts?|gigawatts?|mph|square (?:feet|miles|kilometers|kilometres))\b"
    r"|°\s?[CF]\b|(?-i:[CF])(?![\w'’\-]|\.\w))",
    re.I,
)
AMOUNT_COUNT_FIT = 0.3
_RESULT_BEFORE = re.compile(
    r"\b(?:won|wins?|winning|lost|lose|loses|losing|beat|beats|beaten|fell|falls?|defeated"
    r"|defeats?|edged|edges?|routed|finished|ended|final(?:\s+score)?|is|are|went|passed)\b"
    r"[^.;,]{0,12}$",
    re.I,
)
# Wins and losses, or a final score: "2-19", "116-102", "23-to-8" (not "1972-73", "5-10 years").
SCORE = re.compile(
    r"(?<![\d.,$\-–])\d{1,3}(?:-to-|\s?[-–]\s?|\s+to\s+)\d{1,3}"
    r"(?!\d|%|[.,]\d|\s?(?:percent|per\s+cent|million|billion|years?|months?|weeks?|days?|hours?"
    r"|minutes?|[ap]\.?m\b))",
    re.I,
)
_MONTH = alternation(MONTHS, title=True)
YEAR = re.compile(r"(?<![\d,.$])(?:1[6-9]|20)\d\d(?![\d,%])")
MONTH_NAME = re.compile(rf"\b(?:{_MONTH})\b\.?")
# "May 20", "20 May": a month right before or right after the number (not "2 million more
# by Dec…" cut off at the end of the window).
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH})\.?\s*$")
_MONTH_AFTER = re.compile(rf"^\s*(?:{_MONTH})\b")
# "from 2019 to 2021", "from 5% last year to …": a count after "from" opens a range; "data
# from 360,000 participants" is none.
_RANGE_END = re.compile(r"[^.;]{0,40}?\b(?:to|through|until)\s+(?:about\s+|nearly\s+)?\d")
_RANGE = re.compile(r"^\s*(?:-|–|—|to|and|through)\s*\d")
_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b")


def numeric(sentence: str, expected: Expected, entities: list[Entity]) -> list[Candidate]:
    return _change_or_level(sentence, _numbers(sentence, expected, entities), expected.change)


def _numbers(sentence: str, expected: Expected, entities: list[Entity]) -> list[Candidate]:
    kind = expected.kind
    date_spans = [(e.start, e.end) for e in entities if e.label in {"DATE", "TIME"}]
    taken: list[tuple[int, int]] = []
    out: list[Candidate] = []

    def add(m: re.Match[str], fit: float, counts: str | None = None) -> None:
        a, b = m.start(), m.end()
        text = sentence[a:b].strip(" ,.;:")
        b = a + len(text)
        taken.append((a, b))
        out.append(Candidate(text, a, b, fit, key_of(text), counts))

    if expected.score:  # "2-19", "116-102", "23-to-8": a result, before any range is skipped
        scores = list(SCORE.finditer(sentence))
        for m in scores:
            # "outscored 34-18 in the fourth quarter … to lose 116-102": of several, the one
            # a result verb gives is the result.
            decided = _RESULT_BEFORE.search(sentence[max(0, m.start() - 30) : m.start()])
            add(m, 1.0 if len(scores) == 1 or decided else 0.7)
    amount = expected.amount
    if amount:  # before money: "40 and 41 pounds" weighs, whole
        for m in MEASURE.finditer(sentence):
            add(m, 1.0)
    for m in MONEY.finditer(sentence):
        if not _overlaps(m.start(), m.end(), taken):
            add(m, 1.0 if kind == "money" or amount else 0.15)
    for m in PERCENT.finditer(sentence):
        if not _overlaps(m.start(), m.end(), taken):
            add(m, 1.0 if kind == "percent" or amount else 0.15)
    for m in DURATION.finditer(sentence):
        if not _overlaps(m.start(), m.end(), taken):
            if kind == "duration":
                add(m, 1.0)
            elif kind == "count" and expected.noun and counts_asked(sentence, m, expected):
                add(m, 0.9)  # "how many years" → "three years"
    if kind in {"duration", "money", "percent"}:
        return out
    parallel: bool | None = None  # another number here counts the asked noun
    for m in NUMBER.finditer(sentence):
        a, b = m.start(), m.end()
        if _overlaps(a, b, taken) or not re.search(r"\d|[a-z]", m.group(), re.I):
            continue
        if sentence[a - 1 : a] == "[" and sentence[b : b + 1] == "]":
            continue  # "[1]": a footnote, not a count
        if (
            _ORDINAL.match(sentence[b:])
            or sentence[b : b + 1] in {"-"}
            and _RANGE.match(sentence[b:])
        ):
            continue
        if (
            _RANGE.match(sentence[b:])
            or re.search(r"(?:-|–|between)\s*$", sentence[:a])
            or re.search(r"\bfrom\s*$", sentence[:a])
            and _RANGE_END.match(sentence[b:])
        ):
            continue  # "May 1-15", "from 2019 to 2021": a span of time, not a count
        if _MONTH_BEFORE.search(sentence[max(0, a - 12) : a]) or _MONTH_AFTER.search(
            sentence[b : b + 12]
        ):
            continue
        if YEAR.fullmatch(m.group()) and (
            not counts_asked(sentence, m, expected) or _singular_after(sentence, m)
        ):
            continue  # "the 2022 bill" names a year's bill, not 2,022 of them
        if any(x <= a < y for x, y in date_spans) and not counts_asked(sentence, m, expected):
            continue
        if re.fullmatch(r"(?:one|a dozen)", m.group(), re.I) and not counts_asked(
            sentence, m, expected
        ):
            continue  # "one of the …" is rarely the count asked for
        fit = 0.6
        if amount and _counts_other(sentence, m):
            fit = AMOUNT_COUNT_FIT  # "two turkeys" is how many, not how much they weigh
        elif expected.noun:
            if counts_asked(sentence, m, expected):
                fit = 1.0
            elif _counts_other(sentence, m):
                fit = OTHER_NOUN_FIT
            else:
                if parallel is None:
                    parallel = any(
                        counts_asked(sentence, x, expected) for x in NUMBER.finditer(sentence)
                    )
                fit = ELIDED_FIT if parallel else 0.45
        add(m, fit)
    return out


# "India leads with 2.5 million deaths; China is second with 1.8 million": a bare number in a
# sentence where another counts the asked noun counts it too, the noun left out.
ELIDED_FIT = 0.8


# "raised it by $1 to $10.99": $1 is how much it changed and $10.99 the level it reached;
# "from 5% to 7%": 5% is the level it left.
_BY_BEFORE = re.compile(r"\bby\s+(?:about\s+|nearly\s+|almost\s+|more\s+than\s+)?$", re.I)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:about\s+|nearly\s+|almost\s+)?$", re.I)
_TO_BETWEEN = re.compile(r"^\s*(?:,\s*)?to\s+(?:about\s+|nearly\s+|almost\s+|a\s+)?$", re.I)
CHANGE_OR_LEVEL_FIT = 0.5  # the value of the two a question does not ask for


def _change_or_level(sentence: str, found: list[Candidate], change: bool) -> list[Candidate]:
    ordered = sorted(found, key=lambda c: c.start)
    unasked: set[int] = set()  # ids of the values the question does not ask for
    for c, d in zip(ordered, ordered[1:], strict=False):
        if not _TO_BETWEEN.match(sentence[c.end : d.start]):
            continue
        if _BY_BEFORE.search(sentence[: c.start]):
            unasked.add(id(d) if change else id(c))
        elif _FROM_BEFORE.search(sentence[: c.start]):
            unasked.add(id(c))
            if change:
                unasked.add(id(d))
    return [weaker(c, CHANGE_OR_LEVEL_FIT) if id(c) in unasked else c for c in found]


_FOLLOW = re.compile(r"[\w’'\-]+|[,.;:()]")


def _counted_words(sentence: str, m: re.Match[str], span: int = 4) -> list[str]:
    tokens = _FOLLOW.findall(sentence[m.end() : m.end() + 60])
    out: list[str] = []
    for tok in tokens[:span]:
        if tok in {",", ".", ";", ":", "(", ")"}:
            break
        low = tok.lower()
        if low in STOPWORDS and low not in {"of", "more", "other"}:
            break
        # "a 4,000-page assessment": the count's noun joined to it by a hyphen.
        out.append(low[1:] if low.startswith("-") and not out else low)
    return out


# Nouns news uses for the same people: "13 assailants" counts the attackers asked about.
# (MiniLM cannot tell these apart from their opposites: "attackers" ~ "soldiers" 0.59.)
_SAME_COUNT = [
    frozenset(wordlist(group))
    for group in (
        "attacker assailant gunman gunmen militant fighter jihadist insurgent rebel raider",
        "soldier troop serviceman servicemen personnel",
        "people person individual resident civilian inhabitant",
        "death fatality dead casualty",
        "child kid minor",
        "vote ballot",
    )
]


# Nouns that count kinds of the noun before them ("five rhino species", "three vaccine types").
_CLASSIFIERS = frozenset(
    singular(w)
    for w in wordlist("species subspecies type kind breed variety strain brand model category")
)


def _singular_after(sentence: str, m: re.Match[str]) -> bool:
    follow = _counted_words(sentence, m, 1)
    return bool(follow) and singular(follow[0]) == follow[0] and not follow[0].endswith("s")


_AGE_BEFORE = re.compile(r"\b(?:turn(?:s|ed|ing)?|aged?|age of)\s*$", re.I)
_NAME_BEFORE = re.compile(r"\b[A-Z][\w’'\-]+,\s*$")
_AGE_CLOSED = re.compile(r"^\s*(?:,(?!\s*(?:\d|and\b|or\b))|\))")  # not "Kesh, 40, 50 or 60"
_AGE_AFTER = re.compile(r"^[-\s](?:years?[-\s]old|year-old)\b", re.I)


def counts_asked(sentence: str, m: re.Match[str], expected: Expected) -> bool:
    """The number at ``m`` counts the asked noun or its kin ("13 assailants" for attackers)."""
    if not expected.noun:
        return False
    noun = expected.noun
    if noun == "year" and (
        _AGE_AFTER.match(sentence[m.end() :])
        or _AGE_BEFORE.search(sentence[: m.start()])
        or (
            expected.age
            and _NAME_BEFORE.search(sentence[: m.start()])
            and _AGE_CLOSED.match(sentence[m.end() :])
            and re.fullmatch(r"\d{1,3}", m.group())
        )
    ):
        return True  # "how old": "a 21-year-old", "turned 100", "aged 89", "Palmer, 29, said"
    single = singular(expected.noun_text or noun)
    kin = next((g for g in _SAME_COUNT if single in g), frozenset())
    counted = _counted_words(sentence, m)
    for k, w in enumerate(counted):
        if stem(w) == noun or singular(w) == single or singular(w) in kin:
            # "five rhino species", "two species of rhinos" count species, not rhinos.
            around = counted[:k] + counted[k + 1 : k + 2]
            return not any(singular(x) in _CLASSIFIERS for x in around)
        if len(noun) >= 5 and stem(w).startswith(noun):
            return True
    return False


def counted_noun(sentence: str, end: int, expected: Expected) -> str | None:
    """The words from a count to the noun it counts: "Malian soldiers" after "40"."""
    m = re.match(r"", sentence[end:])  # an empty match at ``end`` for _counted_words
    follow = _counted_words(sentence[end:], m) if m else []
    noun = expected.noun or ""
    single = singular(expected.noun_text or noun)
    kin = next((g for g in _SAME_COUNT if single in g), frozenset())
    for i, w in enumerate(follow):
        if stem(w) == noun or singular(w) == single or singular(w) in kin:
            return " ".join(sentence[end:].split()[: i + 1]).strip(",.;:")
    return None


OTHER_NOUN_FIT = 0.15  # "three countries" for "how many soldiers"


def _counts_other(sentence: str, m: re.Match[str]) -> str | None:
    """ "three countries": the noun a number counts, right after it (a plural, or a unit)."""
    follow = _counted_words(sentence, m, 3)
    if not follow:
        return None
    w = follow[0]
    if w in {"of", "more", "other", "percent"} or not (w.endswith("s") or len(follow) > 1):
        return None
    plural = next((x for x in follow if x.endswith("s") and len(x) > 3), None)
    return plural or w


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(x < b and a < y for x, y in spans)


_AGE_OR_SPAN = re.compile(
    r"\b(?:age|aged)\b|\bold$|^(?:the\s+)?(?:(?:last|past|next|first|final|nearly|almost|about|"
    r"more than|over|some|just|only|barely|roughly|around|less than|under)\s+)*"
    rf"(?:\d[\d,.]*|{_NUM_WORD}|a|an|several|few|many)[\s-]+"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centuries)$|^the\s+(?:last|past)\s+"
    r"(?:decade|century)$"
)


_WEEKDAY_ONLY = re.compile(
    r"(?:(?:last|this|next|on|early|late)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
)


_DAY_OF_MONTH = re.compile(
    r"(?<![\d.,])(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?(?![\d.,%])|\bday\b", re.I
)


RELATIVE_WEEK_FIT = 0.5
_MONTH_DAY = re.compile(
    rf"\b(?:{_MONTH})\.?\s+(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?"
    rf"|\b(?:[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\s+(?:{_MONTH})\b(?:\.?,?\s+\d{{4}}\b)?"
)


def dates(
    sentence: str, expected: Expected, entities: list[Entity], dated: bool = False
) -> list[Candidate]:
    """``dated``: the sentence's article has a publication date, which makes "Monday" a day."""
    part = expected.date_part or "date"
    out: list[Candidate] = []
    spans = [(e.start, e.end) for e in entities if e.label in {"DATE", "TIME"}]
    # NER misses a day written before a noun ("the Feb. 9 Academy Awards").
    for m in [*_MONTH_DAY.finditer(sentence), *YEAR.finditer(sentence)]:
        if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b in spans):
            spans.append((m.start(), m.end()))
    for a, b in spans:
        text = sentence[a:b].strip(" ,.;:")
        low = text.lower()
        if low in {"now", "currently", "this year", "recently"}:
            continue
        if low in {"today", "this week", "last week"}:
            # Read back from a dated article's day ("last week" = the week of Monday 26 May
            # 2025, rag/text/dates.py), a when, if a vague one; undated, no when at all.
            if dated:
                out.append(Candidate(text, a, a + len(text), RELATIVE_WEEK_FIT, key_of(text)))
            continue
        year = YEAR.search(text)
        month = MONTH_NAME.search(text)
        if not year and not month and _AGE_OR_SPAN.search(low):
            continue  # "the age of 96", "70 years": how old or how long, not when
        fit = 0.8
        if part == "year":
            if not year:
                continue
            text, a, fit = year.group(), a + year.start(), 1.0
        elif part == "month":
            if not month:
                continue
            text, a, fit = month.group().rstrip("."), a + month.start(), 1.0
        elif part == "day" and not (re.search(r"\d", text) or "day" in low):
            fit = 0.4
        elif _WEEKDAY_ONLY.fullmatch(low):
            # "Tuesday": a day relative to the article; with its date, a day of the calendar
            # (the answer says which, rag/text/dates.py).
            fit = 1.0 if dated else 0.5
        elif year or month or re.search(r"\d|day\b", low):
            fit = 1.0
            if part == "day" and not _DAY_OF_MONTH.search(
                text.replace(year.group(), "") if year else text
            ):
                fit = 0.6  # "on what date": "May 2023" is less of an answer than "6 May 2023"
        out.append(Candidate(text, a, a + len(text), fit, _date_key(text) or key_of(text)))
    return out


_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.I
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I
)


def _date_key(text: str) -> str | None:
    """ "Saturday, May 6, 2023", "6 May 2023": one day of the calendar, pooled as one answer
    however it is written."""
    m = _DAY_MONTH_YEAR.search(text)
    if m is not None:
        day, month, year = m.group(1), m.group(2), m.group(3)
    elif (m := _MONTH_DAY_YEAR.search(text)) is not None:
        month, day, year = m.group(1), m.group(2), m.group(3)
    else:
        return None
    number = MONTHS.get(month.lower().rstrip("."))
    if number is None or not 1 <= int(day) <= 31:
        return None
    # Words, as other keys are: "2044" alone still pools into "23 august 2044".
    return f"{int(day)} {MONTH_NAMES[number - 1]} {year}"
