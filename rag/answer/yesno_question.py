"""Reading a yes/no question: is it one, and what does it ask (subject, predicate, its words)?

"Did the army confirm the toll?" → subject "the army", predicate "confirm", other words "toll".
Used by rag/answer/yesno.py; the sentences are read by rag/answer/yesno_reading.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.parsing import parse
from rag.models.nlp import NLP
from rag.text.tokens import STOPWORDS
from rag.text.verbs import word_key

_AUX = (
    r"is|are|was|were|am|did|does|do|has|have|had|can|could|will|would|should|shall|must|may|"
    r"might|isn't|aren't|wasn't|weren't|didn't|doesn't|don't|hasn't|haven't|hadn't|can't|"
    r"couldn't|won't|wouldn't|shouldn't"
)
_YES_NO = re.compile(rf"^\s*(?:(?:and|so|but|then|also)\s*,?\s+)?(?P<aux>{_AUX})\b", re.I)
# "Is it A or B?" asks to choose, not to confirm.
_ALTERNATIVE = re.compile(r"\bor\b(?!\s+not\b)", re.I)


def is_yes_no(question: str) -> bool:
    q = question.strip()
    return bool(_YES_NO.match(q)) and not _ALTERNATIVE.search(q)


# --- words ------------------------------------------------------------------------------------

# Predicates that news reports in other words. Small on purpose: each class is a general
# equivalence ("killed" states "died"), not a fit to any question.
_SYNONYMS: list[set[str]] = [
    {"die", "kill", "perish"},
    {"resign", "quit"},
    {"confirm", "acknowledge", "verify"},
    {"claim", "say"},
    {"win", "beat", "defeat"},
    {"approve", "pass", "adopt", "endorse"},
    {"attack", "raid", "assault", "ambush", "overrun", "storm"},
    {"leave", "withdraw", "depart", "exit"},
    {"cut", "lower", "reduce"},
    {"raise", "hike", "increase"},
    {"arrest", "detain"},
    {"hold", "control"},
]

TOKEN = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?|\d[\d,.]*")


def synonyms(key: str) -> set[str]:
    for group in _SYNONYM_KEYS:
        if key in group:
            return group
    return {key}


_SYNONYM_KEYS = [{word_key(w) for w in group} for group in _SYNONYMS]


# --- question ---------------------------------------------------------------------------------


@dataclass
class YesNoQuestion:
    subject: list[str]  # word keys of the subject ("army"), and its names
    predicate: list[str]  # word keys of what is asked about it ("confirm", "toll")
    head: str | None  # the predicate's main word, which a sentence must state
    modal: str | None  # "will", "could": a question about the future or a possibility
    still: bool  # "Is X still …?"
    passive: bool = False  # "Were 40 soldiers killed …?": the subject is the verb's object


_NEGATED_AUX = re.compile(r"n't\b|\bnot\b", re.I)


def parse_question(question: str, nlp: NLP | None, focus: list[str] = ()) -> YesNoQuestion:
    """Subject and predicate of a yes/no question. The focus names ("Dioura") are left out of
    the predicate: the relevance gate already holds every sentence to them."""
    m = _YES_NO.match(question)
    aux = m.group("aux").lower() if m else ""
    modal = (
        aux.replace("n't", "")
        if aux.startswith(("will", "would", "could", "can", "may", "might", "should"))
        else None
    )
    still = bool(re.search(r"\bstill\b", question, re.I))
    doc = parse(nlp, question)
    skip = {"still", "not", "n't", "really", "already", "ever", "yet", "also"}
    if doc is not None:
        subject_idx: set[int] = set()
        for tok in doc:
            if tok.dep_ in {"nsubj", "nsubjpass", "expl"} and not subject_idx:
                # "40 soldiers killed at Dioura": the subject is "40 soldiers", not its clause;
                # a name the parser split ("Odile" + appositive "Marchetti") stays whole.
                subject_idx = {t.i for t in tok.subtree if t.i <= tok.i}
                nxt = tok.i + 1
                while nxt < len(doc) and doc[nxt].pos_ == "PROPN" and doc[nxt] in tok.subtree:
                    subject_idx.add(nxt)
                    nxt += 1
        subject = [word_key(t.text) for t in doc if t.i in subject_idx and is_content(t.text)]
        # "KB-17" is read as "KB" and "17" in sentences too (TOKEN).
        predicate = [
            word_key(part)
            for t in doc
            for part in TOKEN.findall(t.lemma_ if t.pos_ == "VERB" else t.text)
            if t.i not in subject_idx
            and t.pos_ not in {"AUX", "PUNCT", "DET", "ADP", "PRON", "PART", "CCONJ"}
            and is_content(t.text)
            and t.lower_ not in skip
        ]
        verbs = [
            word_key(t.lemma_)
            for t in doc
            if t.pos_ == "VERB" and t.i not in subject_idx and t.lower_ not in skip
        ]
        head = verbs[0] if verbs else (predicate[0] if predicate else None)
        if head == _HAVE and predicate:
            # "Will the Oscars have a host?": what is had is asked ("without a host", "no host").
            head = predicate[0]
        passive = any(t.dep_ in {"nsubjpass", "auxpass"} for t in doc) or any(
            t.tag_ == "VBN" and t.dep_ in {"acl", "ROOT"} for t in doc
        )
    else:
        # Without a parse (spaCy missing): the subject is the first run of names, numbers
        # and the noun after them ("Tomas Lund", "40 soldiers"); the predicate is the rest.
        rest = question[m.start("aux") if m else 0 :]
        tokens = [t for t in TOKEN.findall(rest[len(aux) :]) if is_content(t)]
        run = 0
        while run < len(tokens) and (tokens[run][:1].isupper() or tokens[run][:1].isdigit()):
            run += 1
        if run and run < len(tokens) and tokens[run - 1][:1].isdigit():
            run += 1
        subject = [word_key(t) for t in tokens[: max(run, 1)]]
        predicate = [word_key(t) for t in tokens[max(run, 1) :] if t.lower() not in skip]
        head = predicate[0] if predicate else None
        passive = bool(re.match(r"(?:is|are|was|were|been)\b.*\b\w+(?:ed|en)\b", rest, re.I))
    names = {word_key(w) for f in focus for w in TOKEN.findall(f)}
    unnamed = [k for k in dict.fromkeys(predicate) if k not in names and k not in subject]
    # "Is MINUSMA still in Mali?": when the predicate is only a name, the name is the predicate.
    predicate = unnamed or [k for k in dict.fromkeys(predicate) if k not in subject]
    if head in names and unnamed:
        head = unnamed[0]
    return YesNoQuestion(subject, predicate, head, modal, still, passive)


_HAVE = word_key("have")


def is_content(word: str) -> bool:
    return word.lower() not in STOPWORDS and bool(re.match(r"[A-Za-z0-9]", word))
