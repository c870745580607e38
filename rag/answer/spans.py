"""A candidate answer span, and the key that pools it with the same answer elsewhere.

Its own module so that the finders (number_candidates, name_candidates), the question filters in
candidates and the pooling across sentences share the type without importing one another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.answer.answer_type import singular
from rag.text.acronyms import trailing_acronym
from rag.text.lexicon import NUMBER_WORDS, wordlist
from rag.text.tokens import words


@dataclass(frozen=True)
class Candidate:
    text: str  # as the sentence writes it: the short answer
    start: int  # offsets in the sentence
    end: int
    fit: float  # how surely this span is of the asked-for type: 0..1, up to NAMES_CATEGORY_FIT
    key: str  # normalised, to pool the same answer across sentences
    counts: str | None = None  # the noun a number stands before ("assailants" in "13 assailants")
    # The sentence states the asked relation outright, by the question's title ("host/comedian
    # Steve Harvey" for "Who hosts …?") or its outcome ("a loss to Canada" for "Who beat …?"):
    # that says who it is whatever the clause's own verb tells.
    stated: bool = False


def weaker(c: Candidate, factor: float = 0.6) -> Candidate:
    """The same span, its fit scaled by ``factor`` (above 1: a surer one)."""
    return replace(c, fit=c.fit * factor)


def key_of(text: str) -> str:
    from rag.text.facts import normalize_number

    acronym = trailing_acronym(text)
    if acronym:
        text = acronym  # "Federal Bureau of Investigation (FBI)" is the FBI elsewhere

    n = normalize_number(text)
    w = [x for x in words(text.lower()) if x not in {"the", "a", "an"}]
    if n is not None and not re.search(r"\b[A-Z][a-z]+", text[1:]):  # "Forty Acres" is a name
        unit = [
            x
            for x in w
            if not re.match(r"^[\d.,]+$", x) and x not in NUMBER_WORDS and x not in _HEDGES
        ]
        return n + ":" + (singular(unit[-1]) if unit else "")
    return " ".join(singular(x) for x in w)


# "more than 30", "over 30", "at least 30": the same count, said less exactly, not a unit.
_HEDGES = frozenset(
    wordlist("""more than over under less fewer about around nearly almost at least some
    roughly approximately up to""")
)


# What stands between two items of a list: "Mali, Burkina Faso, and Niger", "Sweden and Finland".
LIST_SEPARATOR = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")


def coordinated(
    sentence: str, spans: list[tuple[int, int]], at: tuple[int, int]
) -> list[tuple[int, int]]:
    """The spans listed together with ``at`` in ``sentence`` (``at`` included, in order):
    those only a list separator keeps apart from it or from one another."""
    spans = sorted(set(spans) | {at})
    i = j = spans.index(at)
    while i > 0 and LIST_SEPARATOR.fullmatch(sentence[spans[i - 1][1] : spans[i][0]]):
        i -= 1
    while j + 1 < len(spans) and LIST_SEPARATOR.fullmatch(sentence[spans[j][1] : spans[j + 1][0]]):
        j += 1
    return spans[i : j + 1]
