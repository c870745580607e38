"""What a question asks for: its answer type, its content words and its focus terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from rag.answer.answer_type import PERSON_NOUNS, Expected, expected_answer, singular
from rag.text.kin import kin_of
from rag.text.lexicon import CALENDAR_WORDS
from rag.text.places import is_demonym
from rag.text.tokens import STOPWORDS, stem, words

# Answer types, and the spaCy entity labels that can fill them.
ENTITY_LABELS: dict[str, set[str]] = {
    "count": {"CARDINAL", "QUANTITY", "PERCENT", "MONEY"},
    "money": {"MONEY", "CARDINAL"},
    "percent": {"PERCENT", "CARDINAL"},
    "person": {"PERSON", "ORG", "NORP"},
    "org": {"ORG", "NORP", "PERSON"},
    "place": {"GPE", "LOC", "FAC"},
    "date": {"DATE", "TIME"},
}

_TYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "money",
        re.compile(
            r"\bhow much\b.*\b(money|costs?|spen[dt]|pa(?:y|id)|worth|budget|price|raised?|fined?)\b"
            r"|\bwhat (price|budget|cost)\b",
            re.I,
        ),
    ),
    (
        "percent",
        re.compile(r"\b(what|which) (percentage|share|proportion|rate)\b|\bby how much\b", re.I),
    ),
    (
        "count",
        re.compile(
            r"\bhow (many|much)\b|\b(what|which) (number|toll|total|amount)\b|\bnumber of\b|\bdeath toll\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"\bwhen\b|\b(what|which) (year|date|day|month|time)\b|\bsince when\b|\bhow long ago\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"\bwhere\b|\b(what|which|in which) (country|city|state|town|region|place|province|base|county|village)\b",
            re.I,
        ),
    ),
    (
        "person",
        re.compile(
            r"\bwho(m|se)?\b|\b(what|which) (person|man|woman|leader|president|minister|official|commander|player|coach|actor|singer|ceo|chief|general)\b",
            re.I,
        ),
    ),
    (
        "org",
        re.compile(
            r"\b(what|which) (group|company|organi[sz]ation|party|team|agency|firm|club|militia|army|bank)\b",
            re.I,
        ),
    ),
]

# Words that mean "the question is about this fact" without naming the subject.
_QUESTION_WORDS = {
    "how",
    "many",
    "much",
    "who",
    "whom",
    "whose",
    "what",
    "which",
    "when",
    "where",
    "why",
    "did",
    "does",
    "do",
    "is",
    "are",
    "was",
    "were",
    "the",
    "a",
    "an",
}


@dataclass
class QuestionAnalysis:
    text: str
    answer_type: str | None
    terms: list[str]  # content stems, in order, unique
    focus: list[str] = field(default_factory=list)  # names and numbers the answer must be about
    counted: str | None = None  # "how many soldiers …" → "soldier" (stem)
    expected: Expected = field(default_factory=lambda: Expected(None))
    # Focus names NER reads as a person or an organisation ("Nasa", "Jimmy Carter"): a count
    # beside some place is not another place's for them (rag/answer/evidence.py).
    not_places: frozenset[str] = frozenset()

    @cached_property
    def terms_and_kin(self) -> frozenset[str]:
        """The content stems and the words news uses for the same ("killed" for "died")."""
        return frozenset(self.terms).union(*(kin_of(t) for t in self.terms))

    @cached_property
    def names_alone(self) -> frozenset[str]:
        """Names the question says as one word, not as an owner: "Biden" in "Who wants Biden to
        end …?" is the Joe Biden a sentence names, while "Biden's son" is another Biden."""
        return frozenset(
            t.lower()
            for t in self.focus
            if " " not in t
            and t[:1].isupper()
            and re.search(rf"(?<=\s){re.escape(t)}\b(?!['’])", self.text)
        )

    @property
    def wants_entity(self) -> bool:
        return self.answer_type is not None

    def refine(self, parse) -> None:
        """Re-read the expected answer with the question's spaCy parse (a better head noun),
        drop focus terms that name no subject (``_no_subject``), and note which focus names
        are people or organisations, not places."""
        if parse is None:
            return
        self.focus = [t for t in self.focus if not _no_subject(t, parse)]
        self.not_places = (
            frozenset(
                t
                for t in self.focus
                for e in parse.ents
                if e.label_ in _NO_PLACE
                and t.endswith(e.text)  # "Former President Jimmy Carter" is "Jimmy Carter"
                # "died in the Kesh flood": NER may call a name it does not know anything.
                and not _AFTER_PLACE_WORD.search(self.text[: e.start_char])
            )
            | frozenset(t for t in self.focus if _EVENT_HEAD.search(t))
        )
        if self.expected.kind is None:
            return
        self.expected = expected_answer(self.text, parse)
        self.answer_type = self.expected.kind
        self.counted = self.expected.noun if self.expected.kind == "count" else self.counted


def _no_subject(term: str, doc) -> bool:
    """A capitalised word the question is not about: one that opens a sentence and that the
    parse reads as no proper noun anywhere ("Approximately", "Trailblazing"), a day or a month
    (when, not what: "an outage Tuesday"), or a nationality ("Britons", "Russian"), which the
    articles write in other forms ("British") or leave out."""
    if " " in term or not term[:1].isalpha():
        return False
    if re.search(r"-[a-z]+$", term):
        return True  # "a government U-turn", "Trump-backed": a word, no name
    if term.lower() in CALENDAR_WORDS or is_demonym(term):
        return True
    tokens = [t for t in doc if t.text == term]
    if not tokens:
        return False
    return all(t.is_sent_start and t.pos_ != "PROPN" for t in tokens)


_AFTER_PLACE_WORD = re.compile(
    r"\b(?:at|in|near|on|outside|from|of|to|across|throughout|within)\s+(?:the\s+)?(?:\w+\s+)?$",
    re.I,
)
# Only labels NER gives unknown place names less often ("Sahel" may read as a PRODUCT).
_NO_PLACE = frozenset({"PERSON", "ORG"})
# "the Park Fire", "Hurricane Helene": an event's name, which NER may read as a place ("FAC").
_EVENT_HEAD = re.compile(
    r"(?:^Hurricane|^Storm|^Typhoon|^Cyclone|\b(?:Fire|Complex|Flood|Earthquake|Quake|Storm|"
    r"War|Games|Cup|Championships?|Olympics|Festival|Summit|Election|Strike|Crash|Shooting)s?$)"
)


def analyse(question: str) -> QuestionAnalysis:
    expected = expected_answer(question)
    answer_type = expected.kind
    if answer_type is None:
        # Statements and fill-ins the wh-rules miss: the older keyword patterns still type them.
        answer_type = next((t for t, p in _TYPE_PATTERNS if p.search(question)), None)
        if answer_type is not None:
            expected = Expected(answer_type)
    terms = list(dict.fromkeys(stem(w) for w in words(question) if w not in STOPWORDS))
    counted = expected.noun if answer_type == "count" else None
    return QuestionAnalysis(question, answer_type, terms, focus_terms(question), counted, expected)


# "M&M’s", "AT&T" and "Procter & Gamble" are one name each: an ampersand joins, it never ends one.
_NAME = re.compile(
    r"\b[A-Z][\w'’\-]*(?:&[A-Z][\w'’\-]*)*"
    r"(?:\s+(?:[A-Z][\w'’\-]*(?:&[A-Z][\w'’\-]*)*|&|of|de|al|bin|van|von|la|du))*\b"
)
_POSSESSIVE = re.compile(r"['’]s?$")
_YEAR_OR_NUMBER = re.compile(r"\b\d[\d,.]*\b")


def focus_terms(question: str) -> list[str]:
    """Proper names and numbers in the question: a passage that has none of them is off-topic.

    "How many soldiers died at Dioura?" → ["Dioura"]. The first word of the question is a name
    only if it is not a question word ("Who", "Did") and looks like one elsewhere.
    """
    found: list[str] = []
    for m in _NAME.finditer(question):
        phrase = m.group().strip()
        tokens = phrase.split()
        # Trim sentence-initial question words and stopwords from the phrase's ends.
        while tokens and (tokens[0].lower() in _QUESTION_WORDS or tokens[0].lower() in STOPWORDS):
            tokens = tokens[1:]
        while tokens and tokens[-1].lower() in {"of", "de", "al", "la", "du", "van", "von", "bin"}:
            tokens = tokens[:-1]
        tokens = [_POSSESSIVE.sub("", t) for t in tokens]
        if len(tokens) > 2 and tokens[1] == "of" and singular(tokens[0].lower()) in PERSON_NOUNS:
            tokens = tokens[2:]  # "CEO of Bank of America": the bank is named, the CEO asked
        if not tokens:
            continue
        if m.start() == 0 and len(tokens) == len(phrase.split()) and tokens[0].lower() in STOPWORDS:
            continue
        found.append(" ".join(tokens))
    found += [n for n in _YEAR_OR_NUMBER.findall(question)]
    return list(dict.fromkeys(found))
