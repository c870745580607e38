"""Names and things in a sentence: which entity spans fill a person, an organisation, a place or
a thing, and how surely.

Named entities come from spaCy (rag/models/nlp.py) when it is installed, capitalised names from
patterns when not; a "which country" question also reads a demonym as its country.
"""

from __future__ import annotations

import re

from rag.answer.answer_type import WORK_NOUNS, singular
from rag.answer.spans import LIST_SEPARATOR, Candidate, key_of
from rag.models.nlp import Entity
from rag.text.lexicon import CALENDAR_WORDS, MONTH_ABBREVIATIONS, wordlist
from rag.text.places import country_of, is_country, is_us_state
from rag.text.tokens import STOPWORDS, stem

# A quotation short enough to be a title or a coined word ("“Squid Game”", "“polarization”").
QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")

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


_GENERIC_HEADS = frozenset(
    wordlist("""list number lot part way kind type sort thing things time times people one ones
    end result results fact case point percent share rest majority group deal
    day days week weeks month months year years effort efforts attempt attempts""")
)


def named(
    sentence: str,
    kind: str,
    entities: list[Entity],
    noun_phrases: list[Entity],
    noun: str | None = None,
    known: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """``known``: what NER read as a name in any sentence retrieved with this one."""
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
        if fit is None and kind == "thing" and e.label == "DATE" and _named_day(e.text):
            fit = NAMED_DAY_FIT
        if kind == "place" and e.label in {"PERSON", "ORG"} and _STREET.search(e.text):
            fit = table["FAC"]  # "Danny Drive", read as a person: a street is a place
        if fit is None:
            continue
        text, a = _trim(e.text, e.start)
        if not text or (e.label == "NAME" and text.lower() in STOPWORDS):
            continue
        if _PLUS.match(sentence, a + len(text)):
            text += "+"  # "Disney+", "Apple TV+": the plus is part of the name NER cut off
        elif e.label in {"ORG", "PERSON"} and (s := _NAME_S.match(sentence, a + len(text))):
            text += s.group(1)  # "Wendy's was the fastest": a name that ends in 's, no owner
        out.append(Candidate(text, a, a + len(text), fit, key_of(text)))
    if kind == "place":
        out += _unread_places(sentence, entities)
    if kind in {"place", "org"} and noun:
        out += _named_by_category(sentence, entities, noun, table)
    if kind in {"place", "org", "thing", "person"} and noun:
        out += _described_as_category(sentence, noun, max(table.values()))
        out += _labelled_as_category(sentence, noun, max(table.values()))
    if kind in {"person", "org"}:
        out += _unread_acronyms(sentence, entities, table["ORG"], known)
        # "the Malian army", "Russian mercenaries": a nationality names the people who act
        # when a noun for a body of them follows it, as surely as a group's name.
        for e in entities:
            m = _BODY_AFTER.match(sentence, e.end) if e.label == "NORP" else None
            if m:
                text = sentence[e.start : m.end()]
                out.append(Candidate(text, e.start, m.end(), table["ORG"], key_of(text)))
    if kind == "thing":
        out += _called(sentence, noun)
        for m in QUOTED.finditer(sentence):
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
        # "Russian mercenaries": the nationality qualifies the thing, it is not the thing.
        norps = {(e.start, e.end) for e in entities if e.label == "NORP"}
        phrases = [(np.start, np.end) for np in noun_phrases]
        out = [
            c
            for c in out
            if (c.start, c.end) not in norps
            or not any(a <= c.start and c.end <= b and b - a > c.end - c.start for a, b in phrases)
        ]
    return out


_NO_NAME_START = STOPWORDS | CALENDAR_WORDS  # "The", "Monday": capitalised, no name's first word
UNREAD_PLACE_FIT = 0.55  # as a capitalised name read without NER ("NAME")
_AT_A_PLACE = re.compile(
    r"\b(?:in|at|near|outside|(?:locations?|cities|towns|places|sites)\s+(?:like|such as))\s+"
    r"([A-Z][a-z’'\-]+(?:\s+[A-Z][a-z’'\-]+)*)"
)


def _unread_places(sentence: str, entities: list[Entity]) -> list[Candidate]:
    """ "in Timbuktu", "iconic locations like Timbuktu": a capitalised name where news puts a
    place, which NER did not read as anything (an unfamiliar town), is a place, less surely."""
    out = []
    for m in _AT_A_PLACE.finditer(sentence):
        a, b = m.span(1)
        text = m.group(1)
        if _read_by_ner(a, b, entities) or text.split()[0].lower() in _NO_NAME_START:
            continue
        out.append(Candidate(text, a, b, UNREAD_PLACE_FIT, key_of(text)))
    # "Lucky Illinois ticket wins": a country's or a US state's own name is a place wherever
    # it stands, though NER read nothing there.
    taken = [(c.start, c.end) for c in out]
    for run in _CAPITALISED_RUN.finditer(sentence):
        words = list(re.finditer(r"\S+", run.group()))
        for i in range(len(words)):
            for j in range(len(words), i, -1):  # the longest name first: "North Carolina"
                a, b = run.start() + words[i].start(), run.start() + words[j - 1].end()
                text = sentence[a:b]
                if (is_country(text) or is_us_state(text)) and not (
                    _read_by_ner(a, b, entities) or any(x < b and a < y for x, y in taken)
                ):
                    out.append(Candidate(text, a, b, UNREAD_PLACE_FIT, key_of(text)))
                    taken.append((a, b))
    return out


_CAPITALISED_RUN = re.compile(r"(?<![\w’'\-])[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*(?![\w’'\-])")


# The words that give a thing its name: "a variant called Christchurch", "a drug known as …".
NAMED_AS = r"(?:called|named|dubbed|known as)"
_CALLED = re.compile(
    rf"\b([A-Za-z][\w\-]*)\s+{NAMED_AS}\s+(?![“\"‘])"
    r"([\w][\w\-’' ]*?)(?=\s*(?:[,.;:()–—]|\s(?:which|that|who|and|in|on|at|for|to|from|by|"
    r"with|after|before|is|was|were|are)\b|$))"
)
CALLED_FIT = 0.9


def _called(sentence: str, noun: str | None) -> list[Candidate]:
    """ "a heart condition called long QT syndrome type 1": the name a sentence gives a thing
    of the asked category (a word NER and the noun chunks cut short), whole."""
    out = []
    for m in _CALLED.finditer(sentence):
        text = m.group(2).strip()
        if not noun or stem(singular(m.group(1).lower())) != noun or len(text.split()) > 8:
            continue
        out.append(Candidate(text, m.start(2), m.start(2) + len(text), CALLED_FIT, key_of(text)))
    return out


_CAPITALISED_RUN = re.compile(r"[A-Z][\w’'\-]*(?:\s+(?:of\s+)?[A-Z][\w’'\-]*)+")


def _named_by_category(
    sentence: str, entities: list[Entity], noun: str, table: dict[str, float]
) -> list[Candidate]:
    """ "Tsavo West National Park" for "which park": capitals closed by the asked category are
    one of it, whole, whatever NER read it as (a person) or nothing."""
    out = []
    for m in _CAPITALISED_RUN.finditer(sentence):
        a, b = m.span()
        text = m.group()
        if stem(singular(text.split()[-1].lower())) != noun:
            continue
        if text.split()[0].lower() in _NO_NAME_START:
            a += len(text.split()[0]) + 1
            text = sentence[a:b]
        if len(text.split()) < 2 or any(
            x.start == a and x.end == b and x.label in table for x in entities
        ):
            continue
        out.append(Candidate(text, a, b, max(table.values()), key_of(text)))
    return out


_DESCRIBED = re.compile(
    r"(?<![\w’'\-])([A-Z][\w’'\-]*(?:\s+(?:of\s+)?[A-Z][\w’'\-]*){0,4}),\s+(?:a|an|the)\s+"
    r"((?:[\w\-]+\s+){0,3}[\w\-]+)\b"
)


def _described_as_category(sentence: str, noun: str, fit: float) -> list[Candidate]:
    """ "Sentebale, a British charity he set up": the sentence says the name is one of the
    asked category, whether or not NER read it as a name."""
    out = []
    for m in _DESCRIBED.finditer(sentence):
        said = m.group(2).split()
        if not any(stem(singular(w.lower())) == noun for w in said[:3]):
            continue
        text = m.group(1)
        a = m.start(1)
        if text.split()[0].lower() in _NO_NAME_START or (a == 0 and " " not in text):
            continue  # "However, the iconic landmark …": a word opening the sentence, no name
        if any(w.lower() in CALENDAR_WORDS for w in text.split()):
            continue  # "Earlier Wednesday, the Ukrainian leader …": when, not who
        out.append(Candidate(text, a, a + len(text), fit, key_of(text)))
    return out


# "The chain ranking highest in accuracy: Chick-fil-A at 91.6%": a label naming the category,
# then the name it gives.
_LABELLED = re.compile(
    r"^(?:[Tt]he\s+)?(?:[\w\-]+\s+){0,3}?([\w\-]+)\b[^:.;!?]{0,60}:\s+"
    r"([A-Z][\w’'&.\-]*(?:\s+[A-Z][\w’'&.\-]*){0,3})"
)


def _labelled_as_category(sentence: str, noun: str, fit: float) -> list[Candidate]:
    """ "The chain ranking highest …: Chick-fil-A": a sentence that opens with the asked
    category and names one after a colon."""
    m = _LABELLED.match(sentence)
    if m is None or stem(singular(m.group(1).lower())) != noun:
        return []
    text = m.group(2).rstrip(".’'")
    return [Candidate(text, m.start(2), m.start(2) + len(text), fit, key_of(text))]


def _read_by_ner(start: int, end: int, entities: list[Entity]) -> bool:
    """NER read some entity over these characters: the rules for names it missed stay out."""
    return any(x.start < end and start < x.end for x in entities)


_SHOUTED = re.compile(r"(?:^|\s)[A-Z]{2,}\s+$|^\s+[A-Z]{2,}\b")
_ACRONYM = re.compile(r"(?<![\w.’'\-])[A-Z]{2,6}(?![\w.’'\-])")


def _unread_acronyms(
    sentence: str, entities: list[Entity], fit: float, known: frozenset[str]
) -> list[Candidate]:
    """ "Al-Qaeda-linked JNIM fighters killed …": capitals NER missed here name a group that it
    read as one in another retrieved sentence ("JNIM also claimed …")."""
    out = []
    for m in _ACRONYM.finditer(sentence):
        a, b = m.span()
        if m.group() not in known or _read_by_ner(a, b, entities):
            continue
        if _SHOUTED.search(sentence[max(0, a - 12) : a]) or _SHOUTED.match(sentence[b : b + 12]):
            continue  # "MUST WATCH", "JUST WATCHED": a page's capitals, no name
        out.append(Candidate(m.group(), a, b, fit, key_of(m.group())))
    return out


_BODY_AFTER = re.compile(
    r"\s+(?:armed forces|army|forces|troops|military|police|government|authorities|navy|"
    r"air force|coast guard|mercenaries|rebels|militants|fighters|junta|officials)\b"
)
NAMED_DAY_FIT = 0.6  # "Veterans Day", "Giving Tuesday": NER reads a holiday as a date


def _named_day(text: str) -> bool:
    """A date that is a name ("Veterans Day", "Black Friday", "Juneteenth"), not a day of the
    calendar ("Tuesday", "Nov. 11", "last week")."""
    content = [w for w in text.split() if w.lower() not in STOPWORDS]
    return (
        bool(content)
        and not any(ch.isdigit() for ch in text)
        and all(w[:1].isupper() for w in content)
        and not all(re.sub(r"s$", "", w.strip(".,").lower()) in _CALENDAR for w in content)
    )


_CALENDAR = CALENDAR_WORDS | MONTH_ABBREVIATIONS
_WORK_STEMS = frozenset(stem(w) for w in WORK_NOUNS)
_TEAM_STEMS = frozenset(stem(w) for w in ("team", "side", "squad"))
_COUNTRY_NOUNS = frozenset(stem(w) for w in ("country", "nation"))
DEMONYM_FIT = 0.75  # "Malian soldiers … at Boulikessi" places Boulikessi in Mali, less surely
_COUNTRY_FIT = {"GPE": 0.5, "LOC": 0.3, "NAME": 0.3, "NORP": 0.15, "ORG": 0.1, "FAC": 0.1}


def _countries(entities: list[Entity]) -> list[Candidate]:
    """ "Which country": a country's name, or its demonym read as the country ("Malian army" →
    Mali), ahead of cities, regions and groups (a GPE the table does not know may be one)."""
    out: list[Candidate] = []
    for e in _split_lists(entities):
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


def _split_lists(entities: list[Entity]) -> list[Entity]:
    """ "Mali, Burkina Faso" read by NER as one organisation: the countries it lists, each."""
    out: list[Entity] = []
    for e in entities:
        cuts = [0, *(x for m in LIST_SEPARATOR.finditer(e.text) for x in m.span()), len(e.text)]
        parts = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts), 2)]
        if len(parts) > 1 and all(country_of(e.text[a:b]) for a, b in parts):
            out += [Entity(e.text[a:b], "GPE", e.start + a, e.start + b) for a, b in parts]
        else:
            out.append(e)
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


_PLUS = re.compile(r"\+(?![\w+])")
_STREET = re.compile(
    r"\s(?:Drive|Road|Street|Avenue|Lane|Boulevard|Way|Court|Place|Highway|Parkway|Pike|Trail)$"
)
# "'s" and then a verb or the clause's end: part of the name ("Wendy's was", "McDonald's said").
_NAME_S = re.compile(
    r"(['’]s)(?=\s+(?:was|is|has|had|were|are|said|says|will|would|also|posted|reported)\b"
    r"|\s*[,.;:](?:\s|$))"
)


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
