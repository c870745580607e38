"""Small text primitives shared by chunking, evidence scoring and citation checks.

Everything here works on character offsets into the original string, so a span found anywhere
in the pipeline can be shown to the user exactly where it stands in the article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rag.text.lexicon import MONTH_ABBREVIATIONS

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) and whitespace, unless
# the dot belongs to a known abbreviation, an initial ("U.S.", "J. Smith") or a number ("3.5").
_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "gen",
    "lt",
    "col",
    "capt",
    "sgt",
    "maj",
    "adm",
    "gov",
    "sen",
    "rep",
    "rev",
    "st",
    "mt",
    "jr",
    "sr",
    "inc",
    "ltd",
    "co",
    "corp",
    "bros",
    "no",
    "vs",
    "etc",
    "u.s",
    "u.k",
    "u.n",
    "e.g",
    "i.e",
    "a.m",
    "p.m",
    "approx",
    "est",
    "fig",
    "dept",
} | MONTH_ABBREVIATIONS
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+|$)|\n\s*\n|\n(?=\s*[-*•#])")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?(?:[.,][0-9]+)*")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if m.group().startswith((".",)) and _is_abbreviation(text, m.start()):
            continue
        _push(text, cursor, stop, spans)
        cursor = stop
    _push(text, cursor, end, spans)
    return spans


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    if not word:
        return False
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return True
    # "U.S." style initials; a following lowercase word also means the sentence goes on.
    nxt = re.match(r"\s*(\S)", text[dot + 1 : dot + 4])
    return bool("." in word and len(word) <= 5) or bool(nxt and nxt.group(1).islower())


def _push(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


def words(text: str) -> list[str]:
    """Lowercased word tokens (numbers keep their inner separators: "1,200", "3.5")."""
    return [w.lower() for w in _WORD.findall(text)]


def word_spans(text: str) -> Iterator[re.Match[str]]:
    return _WORD.finditer(text)


STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "according",
        "recently",
        "recent",
        "new",
        "news",
        "said",
        "says",
        "say",
        "week",
        "month",
        "year",
        "years",
        "many",
        "much",
        "one",
        "ones",
        "did",
        "does",
        "according",
        "s",
        "t",
    ]
)


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def stem(word: str) -> str:
    """A deliberately light stemmer: enough to match soldier/soldiers, killed/killing."""
    w = word.lower()
    for suffix in ("ings", "ing", "edly", "ed", "es", "s"):
        if suffix == "s" and w.endswith("ss"):
            break  # "pass", "class": no plural
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) >= 4 and w[-1] == w[-2] and w[-1] in _CONSONANTS:
        w = w[:-1]  # "repelled", "stopped": the doubled letter of the inflection, dropped alike
    return w


_CONSONANTS = frozenset("bcdfghjklmnpqrtvwxz")  # not "s": "pass", "passes"


_UNPAIRED_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text safe for tokenizers and JSON: no lone surrogates, no control characters."""
    return _CONTROL.sub(" ", _UNPAIRED_SURROGATE.sub("\ufffd", text))
