"""Who reported a story, not what happened in it: datelines, photo credits and news outlets
quoted as sources.

A wire story opens with its outlet and city ("WASHINGTON (AP) —"), a photo carries its
photographer's credit ("Shaun Botterill/Getty Images"), and reporting names the outlet a source
spoke to ("told CNN", "CNN reported", "according to Reuters"). None of these names answers a
question about the news itself, though they are among the most frequent names in any news
corpus. The same outlet in another role ("CNN aired the debate") stays a candidate.
"""

from __future__ import annotations

import re

from rag.answer.spans import Candidate
from rag.text.lexicon import MONTHS, alternation

# "(CNN) —", "WASHINGTON (AP) —", "PHOENIX –", "HALIFAX, Nova Scotia –": where a story was
# filed and by which outlet.
_DATELINE = re.compile(
    r"^\W{0,3}(?:[A-Z][A-Z.’']+(?:,?\s[\w.’']+){0,4}\s*)?\([A-Z][\w&.’' ]{0,30}\)\s*[-—–:]?"
    r"|^\W{0,3}[A-Z][A-Z.,’' ]{2,40}[-—–](?=\s)"
    r"|^\W{0,3}[A-Z][A-Z.’']{2,}(?:\s[A-Z][A-Z.’']+){0,2},(?:\s[A-Z][\w.’']*){1,3}\s[-—–](?=\s)"
)


def dateline_end(sentence: str) -> int:
    """Where a story's dateline ends (0 if none): the outlet and city that open a wire story
    name who filed it and from where, never the answer to a question about its news."""
    m = _DATELINE.match(sentence)
    return m.end() if m else 0


# "Jan. 8, 2020 Updated Jan. 26, 2020, 12:42 a.m. ET": when the page was published and
# updated, left in the text by the site; it dates the page, not anything the story tells.
_STAMP_WORDS = re.compile(
    r"(?:updated|published|posted|modified|last|on|at|ET|EST|EDT|CT|PT|GMT|UTC|BST"
    rf"|[ap]\.?m|{alternation(MONTHS)}|\d{{1,4}}(?::\d\d)?)\.?",
    re.I,
)


def timestamp(sentence: str) -> bool:
    """A line that only says when the page was published or updated."""
    tokens = re.findall(r"[^\s,|·•/]+", sentence)
    return (
        len(tokens) >= 3
        and any(c.isdigit() for c in sentence)
        and re.search(r"\b(?:updated|published|posted|modified)\b", sentence, re.I) is not None
        and all(_STAMP_WORDS.fullmatch(t) for t in tokens)
    )


def credit(sentence: str, c: Candidate) -> bool:
    """A photo credit ("Shaun Botterill/Getty Images") names who took a picture, nothing else."""
    return sentence[c.end : c.end + 1] == "/" or bool(
        re.search(r"(?:photo|image|credit|caption)s?\W{0,3}(?:by\W+)?$", sentence[: c.start], re.I)
    )


# News organisations that reporting cites as its source; "the" is optional before each.
OUTLETS = (
    "CNN",
    "CNN Business",
    "Reuters",
    "AP",
    "Associated Press",
    "AFP",
    "Agence France-Presse",
    "BBC",
    "BBC News",
    "Bloomberg",
    "Bloomberg News",
    "USA TODAY",
    "USA Today",
    "NBC News",
    "ABC News",
    "CBS News",
    "Fox News",
    "NPR",
    "CNBC",
    "MSNBC",
    "Axios",
    "Politico",
    "New York Times",
    "Washington Post",
    "Wall Street Journal",
    "Financial Times",
    "Guardian",
    "Sky News",
    "Al Jazeera",
    "Daily Mail",
    "Telegraph",
    "Independent",
    "Times",
    "Sun",
    "Insider",
    "Business Insider",
    "The Hill",
    "Variety",
    "Deadline",
    "Hollywood Reporter",
    "TMZ",
    "News Journal",
    "Delaware Online",
)
_OUTLET = re.compile(rf"(?:[Tt]he\s+)?(?:{alternation(OUTLETS)})")
# "told CNN", "said in an interview with the AP", "according to Reuters", "Source: CNN".
_CITED_AFTER = re.compile(
    r"(?:\b(?:told|tells|tell|telling|said to|according to|interview with|speaking to|spoke to|"
    r"statement to|confirmed to|reported by|first reported by|obtained by|reviewed by|seen by)"
    r"|\bSource:?)\s*$",
    re.I,
)
# "CNN reported", "CNN has learned", "CNN’s Jake Tapper", "a CNN analysis", "CNN Business".
_CITED_BEFORE = re.compile(
    r"^(?:['’]s\s+(?:[A-Z][\w.\-]+|own|reporting|analysis|poll|review|tally)"
    r"|\s+(?:first\s+|previously\s+|also\s+)?(?:reported|reports|has reported|had reported|"
    r"has learned|learned|confirmed|obtained|reviewed|analysis|poll|affiliate|Business|Health|"
    r"Sports?|Travel|Politics|Opinion|Daily|Network|Newsroom|reporting|reporter|"
    r"correspondent|contributor|anchor|host)\b)",
)


def news_source(sentence: str, c: Candidate) -> bool:
    """An outlet named as the source of the reporting ("told CNN", "CNN reported"), not as an
    actor in the news."""
    if not _OUTLET.fullmatch(c.text):
        return False
    before = sentence[: c.start]
    before = re.sub(r"(?:[Tt]he\s+)$", "", before)
    return bool(_CITED_AFTER.search(before) or _CITED_BEFORE.match(sentence[c.end :]))
