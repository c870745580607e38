""" "What does JNIM stand for?": the name an article spells out before the acronym in brackets.

No span type fits such a question (the name is neither the acronym's category nor a thing the
sentence does), so it has its own answerer: the best-ranked sentence that writes
"Long Form (ACRONYM)" gives the long form, quoted. When no retrieved sentence does, the factoid
answerer answers or refuses as for any question.
"""

from __future__ import annotations

import re

from rag.answer.evidence import Evidence
from rag.answer.extractive import ExtractiveResult
from rag.answer.wording import statement
from rag.text.acronyms import expansions

_ASKED = re.compile(
    r"^\s*(?:what\s+(?:does|did|do)\s+(?:the\s+)?(?P<a>[A-Z][A-Za-z]{1,9})\s+stand\s+for"
    r"|what\s+is\s+(?:the\s+)?(?P<b>[A-Z][A-Za-z]{1,9})\s+(?:short|an?\s+(?:acronym|abbreviation))"
    r"\s+for"
    r"|what\s+is\s+the\s+(?:full|long)\s+(?:name|form)\s+of\s+(?:the\s+)?(?P<c>[A-Z][A-Za-z]{1,9}))"
    r"\s*\??\s*$",
    re.I,
)


def asked_acronym(question: str) -> str | None:
    """The acronym a question asks to spell out, as written ("JNIM"), else None."""
    m = _ASKED.match(question)
    if m is None:
        return None
    acronym = m.group("a") or m.group("b") or m.group("c")
    return acronym if sum(ch.isupper() for ch in acronym) >= 2 else None


def answer_expansion(acronym: str, ranked: list[Evidence]) -> ExtractiveResult | None:
    """The long form of ``acronym`` from the best-ranked sentence that spells it out."""
    for e in ranked:
        for x in expansions(e.text):
            if x.acronym.upper() == acronym.upper():
                following = e.passage.text[e.end : e.end + 300]
                text = statement(x.long_form, e.text, following, e.passage.published, "[1]")
                citation = e.passage.cite(1, e.start, e.end)
                return ExtractiveResult("answered", text, x.long_form, [citation], [])
    return None
