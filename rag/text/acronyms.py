"""A name followed by its acronym in brackets: "Jama'a Nusrat ul-Islam wa al-Muslimin (JNIM)".

News spells out a group's name once, with the acronym it then uses. NER often cuts such a name
in pieces (a transliterated one especially: "al-Muslimin" read as a person), so the span from
the name's first word to its acronym is found here and read as one name.

The match is Schwartz and Hearst's ("A simple algorithm for identifying abbreviation
definitions in biomedical text", 2003): the acronym's letters are found in order, right to left,
in the words before the bracket, its first letter opening a word. The PyPI package of it
(``abbreviations``) configures logging when imported and raises on unbalanced brackets, so the
few lines are here instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,9})\)")
_WORD = re.compile(r"[\w'’\-.&]+")
_STOP_BEFORE = re.compile(r"[,;:()“”\"]")  # a long form never reaches across these


_TRAILING = re.compile(r"\S\s*\(([A-Z][A-Za-z]{1,9})\)$")


def trailing_acronym(name: str) -> str | None:
    """ "Federal Bureau of Investigation (FBI)" → "FBI": the acronym a name closes with."""
    m = _TRAILING.search(name)
    return m.group(1) if m else None


@dataclass(frozen=True)
class Expansion:
    long_form: str
    acronym: str
    start: int  # of the long form, in the text
    end: int  # of the long form
    acronym_start: int
    acronym_end: int


def expansions(text: str) -> list[Expansion]:
    """Every "Long Form (ACRONYM)" of ``text`` whose long form is capitalised like a name."""
    out: list[Expansion] = []
    for m in _ACRONYM.finditer(text):
        acronym = m.group(1)
        if sum(ch.isupper() for ch in acronym) < 2:
            continue  # "(Reuters)", "(Mon)": a word in brackets, not an acronym
        before = text[: m.start()].rstrip()
        cut = max((x.end() for x in _STOP_BEFORE.finditer(before)), default=0)
        words = list(_WORD.finditer(before, cut))
        limit = min(len(acronym) + 5, 2 * len(acronym))
        found = _long_form(acronym, words[-limit:])
        if found is None:
            continue
        a, b = found
        out.append(Expansion(before[a:b], acronym, a, b, m.start(1), m.end(1)))
    return out


def _long_form(acronym: str, words: list[re.Match]) -> tuple[int, int] | None:
    """The shortest run of ``words`` ending before the bracket that spells ``acronym``."""
    if not words:
        return None
    end = words[-1].end()
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w.group()[0].lower() != acronym[0].lower() or not w.group()[0].isupper():
            continue
        if _spells(acronym.lower(), w.string[w.start() : end].lower()):
            return w.start(), end
    return None


def _spells(acronym: str, long_form: str) -> bool:
    """Schwartz-Hearst: each letter of the acronym, last first, found leftwards in the long form;
    the first letter at the start of a word."""
    j = len(long_form) - 1
    for i in range(len(acronym) - 1, -1, -1):
        ch = acronym[i]
        while j >= 0 and (long_form[j] != ch or (i == 0 and j > 0 and long_form[j - 1].isalnum())):
            j -= 1
        if j < 0:
            return False
        j -= 1
    return True


# The two-letter acronyms news writes out as often as not.
_TWO_LETTERS = {
    "AI": "artificial intelligence",
    "EV": "electric vehicle",
    "UN": "United Nations",
    "EU": "European Union",
    "PM": "prime minister",
}
# Words a spelled-out name may hold that its acronym may skip ("People for the Ethical …").
_MINOR = frozenset({"of", "the", "for", "and", "&", "on", "in", "to", "a", "an", "at", "de"})
_RUN_WORD = re.compile(r"[A-Za-z][\w'’\-]*|&")


def spelled_out(acronym: str, text: str) -> bool:
    """``text`` writes ``acronym`` out ("chief executive officer" for "CEO", "People for the
    Ethical Treatment of Animals" for "PETA"): its letters open consecutive words, minor words
    skipped, the words all capitalised or all lowercase of four letters or more."""
    if acronym.rstrip("s") in _TWO_LETTERS:
        # Two letters spell too many word pairs ("annual income"): only the ones news uses.
        written = re.escape(_TWO_LETTERS[acronym.rstrip("s")])
        return re.search(rf"\b{written}", text, re.I) is not None
    if not (3 <= len(acronym) <= 6 and acronym.isalpha() and acronym.isupper()):
        return False
    letters = acronym.lower()
    tokens = _RUN_WORD.findall(text)
    return any(
        t[0].lower() == letters[0] and t.lower() not in _MINOR and _spelled(letters, tokens, i, [])
        for i, t in enumerate(tokens)
    )


def _spelled(letters: str, tokens: list[str], i: int, used: list[str]) -> bool:
    if not letters:
        content = [w for w in used if w.lower() not in _MINOR]
        return all(w[0].isupper() for w in content) or all(
            w.islower() and len(w) >= 4 for w in content
        )
    if i >= len(tokens):
        return False
    w = tokens[i]
    if w[0].lower() == letters[0] and _spelled(letters[1:], tokens, i + 1, [*used, w]):
        return True
    return bool(used) and w.lower() in _MINOR and _spelled(letters, tokens, i + 1, used)
