"""A sentence that gives the question's own quantity another value is about another fact.

"Which leader secured a fifth term?" is not answered by a sentence about someone's "second
term", nor "Which automaker recalled 114,000 cars?" by one about "720,810 cars", nor "Which film
won five awards?" by one about a film that won two: the sentence shares the question's words,
so it ranks high, and its name is then the answer to a question nobody asked. A quantity is a
number or an ordinal written right before a noun of the question (a length of time is none);
a sentence contradicts it when it writes the same noun after another value of the same kind,
and nowhere after that one.
Close values agree ("114,000" is "114,430"): news rounds. A bound is kept as a bound: "more
than a dozen states" is not contradicted by "14 states".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rag.text.facts import number_spans
from rag.text.lexicon import wordlist
from rag.text.tokens import STOPWORDS, stem

ROUNDING = Decimal("0.1")  # cardinals this close (relative) are the same value, rounded
NOUN_REACH = 3  # a sentence's value counts for a noun at most this many words after it

_ORDINAL_WORDS = {
    w: i + 1
    for i, w in enumerate(
        wordlist("""first second third fourth fifth sixth seventh eighth ninth tenth eleventh
        twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth
        twentieth""")
    )
}
_ORDINAL = re.compile(
    r"\b(?:(\d+)(?:st|nd|rd|th)|(" + "|".join(_ORDINAL_WORDS) + r"))\b", re.IGNORECASE
)
# A length of time is no quantity of a thing: an article tells many ("a 70-year-old", "a 30-year
# lease", "after 34 years") beside the one asked about.
_DURATIONS = frozenset(
    wordlist("""second seconds minute minutes hour hours day days week weeks month months year
    years decade decades century centuries""")
)
_AT_LEAST = re.compile(r"\b(?:more than|over|at least|upwards of|in excess of)\s+$", re.I)
_AT_MOST = re.compile(r"\b(?:fewer than|less than|under|up to|nearly|almost|at most)\s+$", re.I)
_WORD = re.compile(r"[A-Za-z]+|[^\sA-Za-z\-]")  # words, and any mark that ends a phrase


@dataclass(frozen=True)
class Quantity:
    kind: str  # "ordinal" or "number"
    value: Decimal
    noun: str  # a stem
    bound: str = ""  # "min" ("more than 12"), "max" ("nearly 12") or "" (exactly, or rounded)


@dataclass(frozen=True)
class Asked:
    quantities: tuple[Quantity, ...]  # values with the noun right after them
    named: frozenset[Decimal]  # every value the question writes, of anything


def asked_quantities(question: str) -> Asked:
    """The question's values with the noun right after them ("fifth term", "114,000 cars")."""
    values = _values(question)
    return Asked(
        tuple(Quantity(v.kind, v.value, nouns[0], v.bound) for v, nouns in values if nouns),
        frozenset(v.value for v, _ in values),
    )


def contradicts(asked: Asked, sentence: str) -> bool:
    """The sentence gives one of the asked nouns another value of the same kind, never the
    asked one. A value the question itself names is no other value: "Judge hit his 62nd home
    run, breaking a 61-year-old record" is answered by the sentence about the 61st."""
    if not asked.quantities:
        return False
    stated = _values(sentence)
    for a in asked.quantities:
        values = [v for v, nouns in stated if v.kind == a.kind and a.noun in nouns[:NOUN_REACH]]
        if values and not any(_same(a, v) or v.value in asked.named for v in values):
            return True
    return False


def _values(text: str) -> list[tuple[Quantity, list[str]]]:
    """Each value with the stems of the words after it, up to the next mark."""
    out: list[tuple[Quantity, list[str]]] = []
    taken: list[tuple[int, int]] = []
    for m in _ORDINAL.finditer(text):
        n = int(m.group(1)) if m.group(1) else _ORDINAL_WORDS[m.group(2).lower()]
        out.append((Quantity("ordinal", Decimal(n), ""), _nouns_after(text, m.end())))
        taken.append((m.start(), m.end()))
    for a, b, value in number_spans(text):
        if not any(s < b and a < e for s, e in taken):
            before = text[max(0, a - 20) : a]
            bound = "min" if _AT_LEAST.search(before) else "max" if _AT_MOST.search(before) else ""
            out.append((Quantity("number", Decimal(value), "", bound), _nouns_after(text, b)))
    return out


def _nouns_after(text: str, end: int) -> list[str]:
    """Stems of the lowercase words after ``end`` (a hyphen joins: "six-week"), to a mark;
    none after a length of time."""
    nouns: list[str] = []
    for m in _WORD.finditer(text, end):
        w = m.group()
        if not w.isalpha():
            break
        if w[0].isupper():
            break  # "2024 Golden Globes": a name, not a quantity of something
        if not nouns and w.lower() in _DURATIONS:
            return []
        if w not in STOPWORDS:
            nouns.append(stem(w))
    return nouns


def _same(a: Quantity, b: Quantity) -> bool:
    if a.kind == "ordinal" or a.value == 0:
        return a.value == b.value
    slack = ROUNDING * abs(a.value)
    if a.bound == "min":
        return b.value >= a.value - slack
    if a.bound == "max":
        return b.value <= a.value + slack
    return abs(a.value - b.value) <= slack
