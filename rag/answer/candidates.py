"""Candidate answers of the expected type in one sentence, each with how well it fits the type.

Named entities come from spaCy (rag/models/nlp.py) when it is installed, capitalised names
from patterns when not; numbers, money, percentages, durations and dates always come from
patterns too, so a currency or a unit is never lost ("$18 million", "18 million euros"). A
number is a count only of the noun it stands before: in "40 soldiers died in three countries"
the count of soldiers is 40 and "three" counts countries. A candidate that the question
already names is not its answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.answer_type import ORG_NOUNS, PLACE_NOUNS, WORK_NOUNS, Expected, singular
from rag.models.nlp import Entity
from rag.text.lexicon import MONTHS, NUMBER_WORDS, alternation, wordlist
from rag.text.places import country_of, is_country
from rag.text.tokens import STOPWORDS, stem, words


@dataclass(frozen=True)
class Candidate:
    text: str  # as the sentence writes it: the short answer
    start: int  # offsets in the sentence
    end: int
    fit: float  # how surely this span is of the asked-for type: 0..1, up to NAMES_CATEGORY_FIT
    key: str  # normalised, to pool the same answer across sentences
    counts: str | None = None  # the noun a number stands before ("assailants" in "13 assailants")


_NUM_WORD = alternation(
    [w for w in NUMBER_WORDS if w != "zero"] + ["a dozen", "dozens", "hundreds", "thousands"]
)
_NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|(?:{_NUM_WORD})(?:[- ](?:{_NUM_WORD}))*)"
)
_SCALE = r"(?:\s?(?:hundred|thousand|million|billion|trillion|bn|m|k)\b)?"
_CURRENCY_WORDS = (
    r"(?:dollars?|euros?|pounds?(?: sterling)?|yen|yuan|renminbi|rupees?|francs?|CFA francs|"
    r"naira|rand|pesos?|reais|rubles?|roubles?|won|lira|shillings?|dirhams?|riyals?|cedis?)"
)
MONEY = re.compile(
    rf"(?:(?:US|A|C|NZ|HK|S)?[$€£¥₹]\s?{_NUM}{_SCALE}(?:\s?(?:dollars?|USD|EUR|GBP))?"
    rf"|\b{_NUM}{_SCALE}\s+(?:US\s+)?{_CURRENCY_WORDS}\b"
    rf"|\b(?:USD|EUR|GBP|CHF)\s?{_NUM}{_SCALE})",
    re.I,
)
PERCENT = re.compile(rf"\b{_NUM}\s?(?:%|percent\b|per cent\b|percentage points?\b)", re.I)
DURATION = re.compile(
    rf"\b(?:{_NUM}|a|an|several|a few)[- ](?:and[- ]a[- ]half[- ])?"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b(?:[- ]long)?",
    re.I,
)
NUMBER = re.compile(
    rf"(?<![\w.,$€£¥])(?:more than |nearly |about |over |at least )?{_NUM}{_SCALE}(?![\w%])", re.I
)
_MONTH = alternation(MONTHS, title=True)
_YEAR = re.compile(r"(?<![\d,.$])(?:1[6-9]|20)\d\d(?![\d,%])")
_MONTH_NAME = re.compile(rf"\b(?:{_MONTH})\b\.?")
_DATE_AROUND = re.compile(rf"(?:\b(?:{_MONTH})\.?\s*$)|(?:^\s*(?:{_MONTH})\b)")
_RANGE = re.compile(r"^\s*(?:-|–|—|to|and|through)\s*\d")
_QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
_ORDINAL = re.compile(r"^(?:st|nd|rd|th)\b")

# Which entity labels fill which kind, and how surely.
_LABEL_FIT: dict[str, dict[str, float]] = {
    "person": {"PERSON": 1.0, "ORG": 0.45, "NORP": 0.3, "NAME": 0.55, "GPE": 0.2},
    "org": {"ORG": 1.0, "NORP": 0.4, "PERSON": 0.35, "NAME": 0.55, "PRODUCT": 0.4, "GPE": 0.3, "FAC": 0.3},
    "place": {"GPE": 1.0, "LOC": 0.9, "FAC": 0.75, "NAME": 0.55, "NORP": 0.3, "ORG": 0.25},
    "thing": {
        "WORK_OF_ART": 1.0, "PRODUCT": 1.0, "EVENT": 0.9, "LAW": 0.9, "LANGUAGE": 0.8,
        "ORG": 0.8, "PERSON": 0.7, "GPE": 0.6, "NORP": 0.6, "FAC": 0.7, "LOC": 0.6,
        "NAME": 0.55, "QUOTE": 0.9, "NP": 0.5,
    },
}  # fmt: skip


def candidates(
    sentence: str,
    expected: Expected,
    entities: list[Entity],
    question_stems: set[str],
    noun_phrases: list[Entity] | None = None,
) -> list[Candidate]:
    kind = expected.kind
    if kind is None:
        return []
    if kind in {"count", "money", "percent", "duration"}:
        found = _numeric(sentence, expected, entities)
    elif kind == "date":
        found = _dates(sentence, expected, entities)
    else:
        found = _named(sentence, kind, entities, noun_phrases or [], expected.noun)
        if expected.blank and not expected.noun:
            # "… is:" with no category: a number or a date may be the answer too, less surely.
            found += [_weaker(c) for c in _numeric(sentence, Expected("count"), entities)]
            found += [
                _weaker(c) for c in _dates(sentence, Expected("date", date_part="date"), entities)
            ]
    if kind == "place" and not question_stems & {"border", "neighbour", "neighbor", "near"}:
        # "near the Burkina Faso border": a neighbour of the place asked about, not the place.
        found = [
            _weaker(c, 0.3)
            if _NEIGHBOUR_AFTER.match(sentence[c.end :])
            or _NEIGHBOUR_BEFORE.search(sentence[: c.start])
            else c
            for c in found
        ]
    if kind == "place" and expected.noun in _WITHIN_A_COUNTRY:
        # "Which state …": a country is no state, city or county ("US" beside "California").
        found = [
            _weaker(c, 0.3) if is_country(c.text) and c.key not in _ALSO_A_STATE else c
            for c in found
        ]
    if kind in {"place", "org", "thing"} and expected.noun:
        # "Maricopa County" for "which national park": the name says it is another category;
        # "Pacific Ocean" for "which ocean", "United Airlines" for "which airline": the asked one.
        found = [
            _weaker(c, OTHER_CATEGORY_FIT)
            if _names_another_category(c.text, expected.noun)
            else _weaker(c, NAMES_CATEGORY_FIT)
            if _names_the_category(c.text, expected.noun)
            else c
            for c in found
        ]
    found = [_without_asked_owner(c, question_stems) for c in found]
    out: dict[tuple[int, int], Candidate] = {}
    for c in found:
        if (
            _named_by_question(c.text, question_stems, expected.noun)
            or _credit(sentence, c)
            or c.end <= _dateline_end(sentence)
        ):
            continue
        prev = out.get((c.start, c.end))
        if prev is None or c.fit > prev.fit:
            out[(c.start, c.end)] = c
    # A span inside a longer candidate of the same kind ("Langley" in "Michael Langley") goes.
    spans = sorted(out.values(), key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for c in spans:
        if any(k.start <= c.start and c.end <= k.end and k.fit >= c.fit for k in kept):
            continue
        kept.append(c)
    return kept


_CAPITALISED = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")


def type_hint(expected: Expected, sentence: str) -> bool:
    """A cheap look for a span of the expected type, before NER reads the sentence."""
    kind = expected.kind
    if kind == "money":
        return MONEY.search(sentence) is not None
    if kind == "percent":
        return PERCENT.search(sentence) is not None
    if kind == "duration":
        return DURATION.search(sentence) is not None
    if kind == "count":
        if not expected.noun:
            return NUMBER.search(sentence) is not None
        return any(_counts(sentence, m, expected) for m in NUMBER.finditer(sentence))
    if kind == "date":
        return bool(_YEAR.search(sentence) or _MONTH_NAME.search(sentence))
    return _CAPITALISED.search(sentence) is not None


def key_of(text: str) -> str:
    from rag.text.facts import normalize_number

    n = normalize_number(text)
    w = [x for x in words(text.lower()) if x not in {"the", "a", "an"}]
    if n is not None and not re.search(r"\b[A-Z][a-z]+", text[1:]):  # "Forty Acres" is a name
        unit = [x for x in w if not re.match(r"^[\d.,]+$", x) and x not in NUMBER_WORDS]
        return n + ":" + (singular(unit[-1]) if unit else "")
    return " ".join(singular(x) for x in w)


def _weaker(c: Candidate, factor: float = 0.6) -> Candidate:
    return Candidate(c.text, c.start, c.end, c.fit * factor, c.key, c.counts)


_NEIGHBOUR_AFTER = re.compile(r"^['’]?s?\s+(?:border|frontier|borders)\b", re.I)
_NEIGHBOUR_BEFORE = re.compile(
    r"\b(?:near|neighbou?ring|bordering|across from|close to|toward|towards|into|from)\s+(?:the\s+)?$",
    re.I,
)


OTHER_CATEGORY_FIT = 0.4
NAMES_CATEGORY_FIT = 1.25
_CATEGORY_HEADS = frozenset(singular(w) for w in PLACE_NOUNS | ORG_NOUNS)
# Heads that name the same category ("Fox News Channel" is a network, "Boston College" a school).
_KIN_CATEGORIES = [
    frozenset(wordlist(group))
    for group in (
        "network channel broadcaster station outlet",
        "company firm business corporation conglomerate maker manufacturer group giant brand",
        "university college school institution academy",
        "city town village municipality capital metropolis borough",
        "team club side franchise",
        "airline carrier airways",
        "party group movement",
        "agency department ministry office administration bureau service",
        "store retailer chain restaurant supermarket",
        "park site venue",
    )
]


def _names_another_category(text: str, noun: str) -> bool:
    """The name's own last word is a category the question did not ask for ("Maricopa County"
    for "which park", "Howard University" for "which airline")."""
    parts = text.split()
    if len(parts) < 2:
        return False
    head = singular(parts[-1].strip(".,’'").lower())
    if head not in _CATEGORY_HEADS or stem(head) == noun:
        return False
    return not any(head in g and any(stem(w) == noun for w in g) for g in _KIN_CATEGORIES)


def _names_the_category(text: str, noun: str) -> bool:
    """The name's own last word is the asked-for category or its kin ("Columbia University" for
    "which university", "United Airlines" for "which airline"), and it is more than that word."""
    parts = text.split()
    if len(parts) < 2 or not parts[0][:1].isupper():
        return False
    head = stem(singular(parts[-1].strip(".,’'").lower()))
    return head == noun or any(
        head in {stem(w) for w in g} and any(stem(w) == noun for w in g) for g in _KIN_CATEGORIES
    )


_OWNER = re.compile(r"^([A-Z][\w.\-]*)['’]s\s+(?=[A-Z])")


def _without_asked_owner(c: Candidate, question_stems: set[str]) -> Candidate:
    """ "London’s National Gallery" for "which London gallery": the question says whose it is,
    the answer is the rest."""
    m = _OWNER.match(c.text)
    if m is None or stem(m.group(1)) not in question_stems:
        return c
    return Candidate(c.text[m.end() :], c.start + m.end(), c.end, c.fit, key_of(c.text[m.end() :]))


def _named_by_question(text: str, question_stems: set[str], noun: str | None) -> bool:
    """ "the university" or "Sotheby’s" for a question that says them: not an answer, nor
    "Tesla CEO Elon Musk" for a question about Elon Musk (a full name it says, with a title).
    "Northeastern University" for "which university" is one: its other word is new."""
    content = [stem(possessive(w)) for w in words(text) if w.lower() not in STOPWORDS]
    content = [c for c in content if c != noun]
    names = text.split()[-2:]
    full_name = (
        len(names) == 2
        and all(w[:1].isupper() for w in names)
        and singular(names[-1].lower()) not in _CATEGORY_HEADS  # "… National Park" is new
        and stem(singular(names[-1].lower())) != noun
    )
    if full_name and all(stem(possessive(w)) in question_stems for w in words(" ".join(names))):
        return True
    return not content or all(c in question_stems for c in content)


# "(CNN) —", "WASHINGTON (AP) —", "PHOENIX –": where a story was filed and by which outlet.
_DATELINE = re.compile(
    r"^\W{0,3}(?:[A-Z][A-Z.’']+(?:,?\s[\w.’']+){0,4}\s*)?\([A-Z][\w&.’' ]{0,30}\)\s*[-—–:]?"
    r"|^\W{0,3}[A-Z][A-Z.,’' ]{2,40}[-—–](?=\s)"
)


def _dateline_end(sentence: str) -> int:
    """Where a story's dateline ends (0 if none): the outlet and city that open a wire story
    name who filed it and from where, never the answer to a question about its news."""
    m = _DATELINE.match(sentence)
    return m.end() if m else 0


def possessive(word: str) -> str:
    return re.sub(r"['’]s?$", "", word)


def _credit(sentence: str, c: Candidate) -> bool:
    """A photo credit ("Shaun Botterill/Getty Images") names who took a picture, nothing else."""
    return sentence[c.end : c.end + 1] == "/" or bool(
        re.search(r"(?:photo|image|credit|caption)s?\W{0,3}(?:by\W+)?$", sentence[: c.start], re.I)
    )


# --- numbers ----------------------------------------------------------------------------------


def _numeric(sentence: str, expected: Expected, entities: list[Entity]) -> list[Candidate]:
    kind = expected.kind
    dates = [(e.start, e.end) for e in entities if e.label in {"DATE", "TIME"}]
    taken: list[tuple[int, int]] = []
    out: list[Candidate] = []

    def add(m: re.Match[str], fit: float, counts: str | None = None) -> None:
        a, b = m.start(), m.end()
        text = sentence[a:b].strip(" ,.;:")
        b = a + len(text)
        taken.append((a, b))
        out.append(Candidate(text, a, b, fit, key_of(text), counts))

    for m in MONEY.finditer(sentence):
        add(m, 1.0 if kind == "money" else 0.15)
    for m in PERCENT.finditer(sentence):
        if not _overlaps(m.start(), m.end(), taken):
            add(m, 1.0 if kind == "percent" else 0.15)
    for m in DURATION.finditer(sentence):
        if not _overlaps(m.start(), m.end(), taken):
            if kind == "duration":
                add(m, 1.0)
            elif kind == "count" and expected.noun and _counts(sentence, m, expected):
                add(m, 0.9)  # "how many years" → "three years"
    if kind in {"duration", "money", "percent"}:
        return out
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
        if _RANGE.match(sentence[b:]) or re.search(r"(?:-|–|from|between)\s*$", sentence[:a]):
            continue  # "May 1-15", "from 2019 to 2021": a span of time, not a count
        if _DATE_AROUND.search(sentence[max(0, a - 12) : a]) or _DATE_AROUND.search(
            sentence[b : b + 12]
        ):
            continue
        if _YEAR.fullmatch(m.group()) and (
            not _counts(sentence, m, expected) or _singular_after(sentence, m)
        ):
            continue  # "the 2022 bill" names a year's bill, not 2,022 of them
        if any(x <= a < y for x, y in dates) and not _counts(sentence, m, expected):
            continue
        if re.fullmatch(r"(?:one|a dozen)", m.group(), re.I) and not _counts(sentence, m, expected):
            continue  # "one of the …" is rarely the count asked for
        fit = 0.6
        if expected.noun:
            fit = (
                1.0
                if _counts(sentence, m, expected)
                else (0.15 if _counts_other(sentence, m) else 0.45)
            )
        add(m, fit)
    return out


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
        out.append(low)
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


def _singular_after(sentence: str, m: re.Match[str]) -> bool:
    follow = _counted_words(sentence, m, 1)
    return bool(follow) and singular(follow[0]) == follow[0] and not follow[0].endswith("s")


_AGE_BEFORE = re.compile(r"\b(?:turn(?:s|ed|ing)?|aged?|age of)\s*$", re.I)
_AGE_AFTER = re.compile(r"^[-\s](?:years?[-\s]old|year-old)\b", re.I)


def _counts(sentence: str, m: re.Match[str], expected: Expected) -> bool:
    if not expected.noun:
        return False
    noun = expected.noun
    if noun == "year" and (
        _AGE_AFTER.match(sentence[m.end() :]) or _AGE_BEFORE.search(sentence[: m.start()])
    ):
        return True  # "how old": "a 21-year-old", "turned 100", "aged 89"
    single = singular(expected.noun_text or noun)
    kin = next((g for g in _SAME_COUNT if single in g), frozenset())
    for w in _counted_words(sentence, m):
        if stem(w) == noun or singular(w) == single or singular(w) in kin:
            return True
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


# --- dates ------------------------------------------------------------------------------------


_AGE_OR_SPAN = re.compile(
    r"\b(?:age|aged)\b|\bold$|^(?:the\s+)?(?:(?:last|past|next|first|final|nearly|almost|about|"
    rf"more than|over|some)\s+)*(?:\d[\d,.]*|{_NUM_WORD}|a|an|several|few|many)[\s-]+"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|decades?|centuries)$|^the\s+(?:last|past)\s+"
    r"(?:decade|century)$"
)


_WEEKDAY_ONLY = re.compile(
    r"(?:(?:last|this|next|on|early|late)\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
)


def _dates(sentence: str, expected: Expected, entities: list[Entity]) -> list[Candidate]:
    part = expected.date_part or "date"
    out: list[Candidate] = []
    spans = [(e.start, e.end) for e in entities if e.label in {"DATE", "TIME"}]
    for m in _YEAR.finditer(sentence):
        if not any(a <= m.start() < b for a, b in spans):
            spans.append((m.start(), m.end()))
    for a, b in spans:
        text = sentence[a:b].strip(" ,.;:")
        low = text.lower()
        if low in {"today", "now", "currently", "this week", "last week", "this year", "recently"}:
            continue
        year = _YEAR.search(text)
        month = _MONTH_NAME.search(text)
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
            fit = 0.5  # "Tuesday": a day relative to the article, when a date is asked for
        elif year or month or re.search(r"\d|day\b", low):
            fit = 1.0
        out.append(Candidate(text, a, a + len(text), fit, key_of(text)))
    return out


# --- names and things -------------------------------------------------------------------------


_GENERIC_HEADS = frozenset(
    wordlist("""list number lot part way kind type sort thing things time times people one ones
    end result results fact case point percent share rest majority group deal""")
)


def _named(
    sentence: str,
    kind: str,
    entities: list[Entity],
    noun_phrases: list[Entity],
    noun: str | None = None,
) -> list[Candidate]:
    table = dict(_LABEL_FIT.get(kind, _LABEL_FIT["thing"]))
    work = kind == "thing" and noun in _WORK_STEMS
    if kind == "org" and noun:
        table.update(PERSON=0.2)  # "which university" is not answered by a person's name
    if kind == "org" and noun in _TEAM_STEMS:
        table.update(GPE=0.6)  # "Argentina won the final": a side may bear its country's name
    if kind == "thing" and noun:
        # "Which product …": a category that is no person, place or group of people.
        table.update(PERSON=0.3, GPE=0.3, NORP=0.3, LOC=0.3)
    if work:
        # "Which show …": a title, not the network that airs it nor the people in it.
        table.update(ORG=0.3, PERSON=0.2, FAC=0.3, EVENT=0.5, PRODUCT=0.7)
    out: list[Candidate] = []
    if kind == "place" and noun in _COUNTRY_NOUNS:
        return _countries(entities)
    for e in entities:
        fit = table.get(e.label)
        if fit is None:
            continue
        text, a = _trim(e.text, e.start)
        if not text or (e.label == "NAME" and text.lower() in STOPWORDS):
            continue
        out.append(Candidate(text, a, a + len(text), fit, key_of(text)))
    if kind == "thing":
        for m in _QUOTED.finditer(sentence):
            text = m.group(1).strip(" ,.;:")
            if len(text.split()) <= 8:
                out.append(
                    Candidate(
                        text, m.start(1), m.start(1) + len(text), table["QUOTE"], key_of(text)
                    )
                )
        for np in noun_phrases:
            text, a = _trim(np.text, np.start)
            head = text.split()[-1].lower() if text else ""
            if text and len(text.split()) <= 6 and head not in _GENERIC_HEADS:
                fit = table["NP"]
                plain = not any(w[:1].isupper() for w in text.split())
                if plain and noun and stem(singular(head)) == noun:
                    continue  # "a canned drink" for "which drink": the category, not one of it
                if work and plain:
                    fit *= 0.4  # a title is capitalised: "the reality TV show" is none
                out.append(Candidate(text, a, a + len(text), fit, key_of(text)))
    return out


_WORK_STEMS = frozenset(stem(w) for w in WORK_NOUNS)
_TEAM_STEMS = frozenset(stem(w) for w in ("team", "side", "squad"))
_COUNTRY_NOUNS = frozenset(stem(w) for w in ("country", "nation"))
_WITHIN_A_COUNTRY = frozenset(
    stem(w)
    for w in wordlist("""state province city town county region village district borough
    suburb neighborhood neighbourhood municipality capital""")
)
_ALSO_A_STATE = frozenset({"georgia"})  # a country and a US state
DEMONYM_FIT = 0.75  # "Malian soldiers … at Boulikessi" places Boulikessi in Mali, less surely
_COUNTRY_FIT = {"GPE": 0.5, "LOC": 0.3, "NAME": 0.3, "NORP": 0.15, "ORG": 0.1, "FAC": 0.1}


def _countries(entities: list[Entity]) -> list[Candidate]:
    """ "Which country": a country's name, or its demonym read as the country ("Malian army" →
    Mali), ahead of cities, regions and groups (a GPE the table does not know may be one)."""
    out: list[Candidate] = []
    for e in entities:
        text, a = _trim(e.text, e.start)
        if not text:
            continue
        found = _country_prefix(text)
        if found is not None:
            n, country = found
            fit = 1.0 if is_country(text[:n]) else DEMONYM_FIT
            out.append(Candidate(country, a, a + n, fit, key_of(country)))
        elif e.label in _COUNTRY_FIT:
            out.append(Candidate(text, a, a + len(text), _COUNTRY_FIT[e.label], key_of(text)))
    return out


def _country_prefix(text: str) -> tuple[int, str] | None:
    """ "Malian Armed Forces" → (6, "Mali"): the longest run of leading words naming a country."""
    spans = [m.end() for m in re.finditer(r"[\w’'\-.]+", text)][:4]
    for end in reversed(spans):
        country = country_of(text[:end])
        if country is not None:
            return end, country
    return None


_LEADING = re.compile(r"^(?:the|a|an|this|that|these|those|its|his|her|their|our|some)\s+")


def _trim(text: str, start: int) -> tuple[str, int]:
    t = text.rstrip(" ,.;:’'”\"")
    t2 = t.lstrip(" “\"‘'")
    start += len(t) - len(t2)
    m = _LEADING.match(t2)
    if m and len(t2) > m.end():
        start += m.end()
        t2 = t2[m.end() :]
    t2 = re.sub(r"['’]s$", "", t2)
    return t2, start
