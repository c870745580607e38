"""What a sentence says a name is, beside it: an apposition of the question's words ("Cuba's
largest oil supplier, Venezuela,") or an office with its country ("Cuban President …").

Both hold whatever kind NER took the name for: Venezuela answers "Who is …?" though it is a
place, and "U.S. President …" does not answer "Who is the president of Cuba?".
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer.spans import Candidate, weaker
from rag.text.facts import strip_possessive
from rag.text.lexicon import wordlist
from rag.text.places import country_of
from rag.text.tokens import STOPWORDS, stem, words

OWN_OFFICE_FIT = 1.25  # "Cuban President X" for the president of Cuba
ANOTHER_OFFICE_FIT = 0.5  # "U.S. President Y" for the president of Cuba

APPOSED_FIT = 0.9
# A description that opens the sentence or a clause, or with an article: "Cuba's largest oil
# supplier, Venezuela," (not "… spawned investigations into Syed's conviction, books,").
_PHRASE_BEFORE = re.compile(
    r"(?:^|[,(—:]\s*|\b(?:the|a|an|its|his|her|their)\s+)((?:[\w’'\-]+\s+){0,3}[\w’'\-]+),\s*$"
)
_CLOSED = re.compile(r"^\s*(?:,|\)|—|–|$|\.\s*$)")
_DESCRIPTION = re.compile(r"(?:the|a|an|its|his|her|their|[A-Z][\w.\-]*['’]s?)\s", re.I)
_PHRASE_AFTER = re.compile(r"^,\s+((?:[\w’'\-]+\s+){0,5}[\w’'\-]+)")


def apposed_to_asked(sentence: str, c: Candidate, question_stems: set[str]) -> bool:
    """The candidate stands beside a phrase of the question's words, set off by a comma:
    "Cuba's largest oil supplier, Venezuela," or "Venezuela, Cuba's largest oil supplier"."""
    # Set off on both sides ("…, Venezuela, has …"); a phrase after it opens as a description
    # does ("the", "a", "Cuba's"), not as a clause's subject ("…, Bank of America CEO … said").
    before = (
        _PHRASE_BEFORE.search(sentence[: c.start]) if _CLOSED.match(sentence[c.end :]) else None
    )
    after = _PHRASE_AFTER.match(sentence[c.end :])
    if after is not None and not _DESCRIPTION.match(after.group(1)):
        after = None
    for phrase, near in ((before, -1), (after, 0)):
        if phrase is None:
            continue
        content = [stem(strip_possessive(w)) for w in words(phrase.group(1))]
        content = [w for w in content if w not in STOPWORDS]
        said = sum(w in question_stems for w in content)
        # Mostly the question's words: "Victoria's Secret's parent company" shares only the
        # owner with "Where did the Victoria's Secret show take place?".
        if said >= 2 and content[near] in question_stems and 3 * said >= 2 * len(content):
            return True
    return False


_OFFICES = (
    r"president|prime\s+minister|premier|minister|foreign\s+minister|leader|king|queen"
    r"|chancellor|ambassador"
)
_OFFICE = re.compile(rf"(?:{_OFFICES})", re.I)
_OFFICE_BEFORE = re.compile(
    r"\b([A-Z][\w.\-]*(?:\s+[A-Z][\w.\-]*)?)\s+(?i:(?:vice|deputy|former|acting)\s+)?"
    rf"(?i:{_OFFICES})\s+$"
)


def office_of(sentence: str, c: Candidate, asked: frozenset[str]) -> Candidate:
    """A person named after an office and its country: more when it is one of the question's
    ``asked`` countries, less when another."""
    m = _OFFICE_BEFORE.search(sentence[: c.start])
    country = country_of(m.group(1)) if m else None
    if country is None:
        return c
    return weaker(c, OWN_OFFICE_FIT if country in asked else ANOTHER_OFFICE_FIT)


ROLE_FIT = 1.5  # "chair Sophie Chandauka" for "Who is the chair of Sentebale?"
_TITLE_SET_OFF = re.compile(
    r"^,\s+(?:the|an?|its|their|his|her|[A-Z][\w.\-’']*['’]s?)\s+((?:[\w\-’']+\s+){0,3}[\w\-’']+)"
)


def titled_as_asked(
    sentence: str, c: Candidate, roles: frozenset[str], question_stems: set[str]
) -> Candidate:
    """A person the sentence gives the question's title ("chair Sophie Chandauka", "thanking
    director Darren Aronofsky", "“Abbott Elementary” creator and star Quinta Brunson", "Gov.
    Kathy Hochul", "Sophie Chandauka, the charity's chair,"): more, as sure as an apposition.
    Not another title ("goalie coach …"), one held once ("former chair …", "firing coach …"),
    nor another's ("New Jersey Gov. …" for New York's governor). An office with its country
    ("U.S. President …") is told by ``office_of`` instead."""
    roles = frozenset(r for r in roles if not _OFFICE.fullmatch(r))
    if not roles or _OFFICE_BEFORE.search(sentence[: c.start]):
        return c
    before = _TOKEN.findall(sentence[max(0, c.start - 60) : c.start])
    after = _TITLE_SET_OFF.match(sentence[c.end :])
    told = _TOKEN.findall(after.group(1)) if after else []
    if _titled(before, roles, question_stems) or _titled(told, roles, question_stems):
        return replace(weaker(c, ROLE_FIT), stated=True)
    return c


_TOKEN = re.compile(r"[\w\-’'./]+")
_ABBREVIATED = {
    "gov.": "governor",
    "sen.": "senator",
    "rep.": "representative",
    "gen.": "general",
    "sec.": "secretary",
    "atty.": "attorney",
    "supt.": "superintendent",
}
_NO_LONGER = frozenset(
    wordlist("""former ex late then outgoing departing departed fired firing ousted ousting sacked
    sacking dismissed dismissing replaced replacing removed removing""")
)


def _titled(tokens: list[str], roles: frozenset[str], question_stems: set[str]) -> bool:
    """The tokens end with one of ``roles`` (or with it and another title: "creator and
    star"), held here and now by what stands before it."""
    low = [_ABBREVIATED.get(t.lower(), t.lower()) for t in tokens]
    ends = [len(low)] + ([len(low) - 2] if len(low) >= 3 and low[-2] in {"and", "&"} else [])
    for end in ends:
        for role in roles:
            parts = role.split()
            n = len(parts)
            if end < n:
                continue
            said = low[end - n : end] == parts or (
                n == 1 and any(p == role or p.endswith("-" + role) for p in low[end - 1].split("/"))
            )
            if said and _held_here(tokens[: end - n], question_stems):
                return True
    return False


def _held_here(prior: list[str], question_stems: set[str]) -> bool:
    """What stands before a title lets it be the asked one: nothing, a function word or a
    verb ("with chair", "thanking director"), or the question's own names ("Sentebale's
    chair"); not a qualifier ("goalie coach"), a word of the past ("former"), another place."""
    if not prior:
        return True
    word = prior[-1].lower().strip(".")
    if word in _NO_LONGER:
        return False
    if word in STOPWORDS or word.endswith(("ing", "ed")):
        return True
    if not (prior[-1][:1].isupper() or re.search(r"['’]s?$", prior[-1])):
        return False
    run = []
    for t in reversed(prior):
        if not (t[:1].isupper() or re.search(r"['’]s?$", t)):
            break
        run.append(t)
    owners = [stem(strip_possessive(t).strip(".’'").lower()) for t in run]
    return all(w in question_stems or w in STOPWORDS for w in owners)


OWNER_FIT = 1.25  # "Greta Gerwig’s “Barbie”" for "Who directed Barbie?"
_OWNS_NEXT = re.compile(r"^\.?['’]s?\s+[“\"‘']?([A-Z][\w\-]*)")


def owns_the_asked(sentence: str, c: Candidate, question_stems: set[str]) -> bool:
    """The candidate owns a name the question asks about ("Greta Gerwig’s “Barbie”",
    "Universal’s “Oppenheimer”"): the person or group behind it, for "Who directed …?"."""
    m = _OWNS_NEXT.match(sentence[c.end :])
    return m is not None and stem(m.group(1)) in question_stems
