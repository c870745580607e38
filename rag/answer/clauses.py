"""Which clause a candidate answer stands in, read off the spaCy parse: its verbs and its speaker.

A number belongs to the verb of its clause: in "The army said 9 soldiers were killed and 12
were wounded" the count of the killed is 9, and 12 counts the wounded; in "Born in Accra,
she moved to London" the birthplace is Accra. A claim belongs to whoever makes it: for "how
many does the army say were killed", the count the rebels say they killed is another claim.
Words near a candidate cannot tell these apart; the dependency tree can. Without a parse
(spaCy missing) nothing here applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.models.nlp import ATTRIBUTION_VERBS
from rag.text.kin import kin_of, same_word
from rag.text.tokens import STOPWORDS, stem

# Verbs that tell how a fact is known or carry no event of their own.
_LIGHT = ATTRIBUTION_VERBS | {"be", "have", "do", "make", "get", "take", "give", "go", "come"}
# A candidate whose clause tells another event, or another speaker's claim, while some other
# candidate's clause tells the one asked about.
OTHER_CLAUSE = 0.6
# Verbs that only report speech: whoever does them is a source, not the news. "announce",
# "report", "confirm" are left out: announcing is often the event asked about.
_SPEECH = ATTRIBUTION_VERBS - {"announce", "report", "confirm", "deny", "estimate", "acknowledge"}


@dataclass(frozen=True)
class Asked:
    """What the question's own clause says: its event verbs and who it says claims it."""

    verbs: frozenset[str]
    speaker: frozenset[str]
    speech: bool = False  # the question asks about something said ("Who said …", "… told CNN")
    # The answer is what the question's own subject does something to ("What did the attackers
    # wear?", "Who did JNIM target?"): the subject of another clause is no answer.
    object_asked: bool = False
    # Stems of the question's own event verbs, outside its subject ("show", not "reviewed", in
    # "What did the footage reviewed by the BBC show?").
    acts: frozenset[str] = frozenset()


def asked(doc) -> Asked:
    if doc is None:
        return Asked(frozenset(), frozenset())
    speech = any(t.pos_ in {"VERB", "AUX"} and _lemma(t) in _SPEECH for t in doc)
    verbs = frozenset(_lemma(t) for t in doc if t.pos_ == "VERB" and _lemma(t) not in _LIGHT)
    speaker: set[str] = set()
    for t in doc:
        if t.pos_ == "VERB" and _lemma(t) in ATTRIBUTION_VERBS:
            for subj in t.children:
                wh = {w.lower_ for w in subj.subtree} & {"how", "what", "which", "who", "whom"}
                if subj.dep_ == "nsubj" and not wh:
                    speaker |= _subtree_words(subj)
    in_subject = {w.i for t in doc if t.dep_ == "nsubj" for w in t.subtree}
    acts = frozenset(
        stem(_lemma(t))
        for t in doc
        if t.i not in in_subject
        and t.dep_ not in {"acl", "relcl"}  # "the footage reviewed by the BBC" names a thing
        and (t.pos_ == "VERB" or (t.dep_ == "ROOT" and t.pos_ != "AUX"))
    )
    object_asked = _OBJECT_ASKED.match(doc.text) is not None
    return Asked(verbs, frozenset(speaker), speech, object_asked, acts)


# "What did X …", "Who will the party name …", "What base did X seize": an auxiliary,
# then the question's own subject (after a modal, one that opens like a noun phrase: "Who
# will win" asks for the subject); after "is/are/was/were/has/have", the question must end on a
# verb form after that subject ("What are the groups trying to reach?", "… accused of?"),
# else it asks what something is ("What is America's most visited park?").
_OBJECT_ASKED = re.compile(
    r"^\s*(?:what|who|whom|which)(?:\s+\w+)?\s+(?:"
    r"(?:did|does|do)\s+(?!not\b)\w"
    r"|(?:will|would|could|can|should|might)\s+"
    r"(?:the|a|an|his|her|its|their|this|these|those|he|she|they|it|we|you|i|(?-i:[A-Z]))\w*\s"
    r"|(?:is|are|was|were|has|have|had)\s+(?!not\b|been\b|being\b|\w+(?:ing|ed|en)\b)"
    r"(?:\S+\s+){1,5}?\w+(?:ing|ed|en)(?:\s+(?:of|to|for|with|about|on|in|at|by|from)"
    r"(?:\s+\w+)?)?\s*\??\s*$)",
    re.I,
)


def in_another_subject(doc, start: int, end: int, acts: frozenset[str]) -> bool:
    """The span stands in the subject of some clause ("Local reports indicated …", "General
    Langley, commander of U.S. Africa Command, warned …"), which a question asking for its
    own subject's object is not asking for, unless that subject tells the asked event itself
    ("The iPhone, which Apple released, …")."""
    if doc is None:
        return False
    t = span_head(doc, start, end)
    while t is not None:
        if t.dep_ == "nsubj":
            return not any(w.pos_ == "VERB" and _is_act(w, acts) for w in t.subtree)
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def span_head(doc, start: int, end: int):
    """The token of ``doc[start:end]`` whose head lies outside the span (or the root)."""
    inside = [t for t in doc if t.idx < end and start < t.idx + len(t.text)]
    return next((t for t in inside if not start <= t.head.idx < end or t.head.i == t.i), None)


def _is_act(token, acts: frozenset[str]) -> bool:
    s = stem(_lemma(token))
    return s in acts or not kin_of(s).isdisjoint(acts)


def speaks(doc, start: int, end: int) -> bool:
    """The span is who says the sentence's claim ("…, police said"; "Fader said"): a source,
    which answers a question about something said, but no "what storm" or "which planet"."""
    if doc is None:
        return False
    head = span_head(doc, start, end)
    return (
        head is not None
        and head.dep_ == "nsubj"
        and head.head.pos_ in {"VERB", "AUX"}
        and _lemma(head.head) in _SPEECH
    )


def said_when(doc, start: int, end: int) -> bool:
    """The span dates the saying, not what is said: "Boeing said on Sunday it has reached a
    deal" tells when Boeing spoke."""
    if doc is None:
        return False
    t = span_head(doc, start, end)
    while t is not None and t.head.i != t.i and t.pos_ not in {"VERB", "AUX"}:
        if t.dep_ not in {"pobj", "prep", "npadvmod", "nmod", "compound", "appos"}:
            return False
        t = t.head
    return t is not None and t.pos_ in {"VERB", "AUX"} and _lemma(t) in _SPEECH


SAME, UNKNOWN, OTHER = 1, 0, -1


def relation(q: Asked, doc, start: int, end: int) -> int:
    """``SAME`` when the span's clause tells the question's event (by its speaker, if the
    question names one), ``OTHER`` when it tells another event or another speaker's claim,
    ``UNKNOWN`` when the parse cannot say."""
    if doc is None or not (q.verbs or q.speaker):
        return UNKNOWN
    token = next((t for t in doc if t.idx >= start), None)
    if token is None or token.idx >= end:
        return UNKNOWN
    verbs, speakers = _clause(token)
    if q.verbs and verbs and not any(_same_event(v, w) for v in q.verbs for w in verbs):
        return OTHER
    if q.speaker and speakers and not q.speaker & speakers:
        return OTHER
    if (q.verbs and verbs) or (q.speaker and speakers):
        return SAME
    return UNKNOWN


def _clause(token) -> tuple[set[str], set[str]]:
    """The event verb nearest above ``token`` (or told by the relative clause of a noun on the
    way: "the town, where most deaths occurred"), and the words of whoever an attribution verb
    above it names; a coordinated clause ("… and 12 were wounded") is where the clause ends."""
    verbs: set[str] = set()
    speakers: set[str] = set()
    t = token
    while t.head.i != t.i and not (t.dep_ == "conj" and t.pos_ in {"VERB", "AUX"}):
        t = t.head
        if t.pos_ not in {"VERB", "AUX"}:
            if not verbs:
                verbs |= {_lemma(c) for c in t.children if c.dep_ == "relcl"} - _LIGHT
            continue
        lemma = _lemma(t)
        if lemma in ATTRIBUTION_VERBS:
            for subj in t.children:
                if subj.dep_ in {"nsubj", "agent"} and subj.pos_ != "PRON":
                    speakers |= _subtree_words(subj)
            if not verbs:
                # "are estimated to have died": the event is the open complement's.
                verbs |= {_lemma(c) for c in t.children if _to_complement(c)} - _LIGHT
        elif lemma not in _LIGHT and not verbs:
            verbs.add(lemma)
            # "Norway rallied to beat Sweden": the open complement tells the event too.
            verbs |= {_lemma(c) for c in t.children if _to_complement(c)} - _LIGHT
    return verbs, speakers


def _to_complement(t) -> bool:
    """ "rallied to beat", "went on to win": a verb of the clause's own "to" complement."""
    return t.dep_ in {"xcomp", "advcl"} and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in t.children
    )


def _same_event(a: str, b: str) -> bool:
    """ "were killed" tells the event of "how many died" (rag/text/kin.py)."""
    return a == b or same_word(a, b)


def _lemma(t) -> str:
    return (t.lemma_ or t.text).lower()


def _subtree_words(t) -> set[str]:
    return {
        stem(w.lower_)
        for w in t.subtree
        if w.is_alpha and w.lower_ not in STOPWORDS and w.pos_ in {"NOUN", "PROPN"}
    }


def subject_reach(doc, start: int, end: int, speech: bool) -> tuple[int, int] | None:
    """Where the clause the span is the subject of lies (character offsets): in "JNIM said it
    killed 40 soldiers in an assault on Dioura base", JNIM is who the whole clause is about,
    however far "Dioura" stands. A speaker's clause counts only when speech is asked."""
    if doc is None:
        return None
    head = span_head(doc, start, end)
    if head is None or head.dep_ != "nsubj" or head.head.pos_ not in {"VERB", "AUX"}:
        return None
    verb = head.head
    # "JNIM claimed to have targeted …", "American Airlines announced it would trim …": the
    # speaker does the complement's act.
    if _lemma(verb) in ATTRIBUTION_VERBS and not speech and not _own_act(verb):
        return None
    last = verb.right_edge
    return verb.left_edge.idx, last.idx + len(last.text)


_SELF = frozenset({"it", "they", "he", "she", "we"})


def _own_act(verb) -> bool:
    """The attribution verb's complement is its subject's own act: an open complement ("claimed
    to have targeted") or a clause whose subject is a pronoun ("said it killed")."""
    return any(
        c.dep_ == "xcomp"
        or (c.dep_ == "ccomp" and any(g.dep_ == "nsubj" and g.lower_ in _SELF for g in c.children))
        for c in verb.children
    )
