"""Reading one sentence against a yes/no question: does it affirm, negate or leave it open?

Negation in the predicate's own clause, the opposite verb ("denied" for "admit"), a modal or a
wish ("may resign"), a claim the article calls unverified, a contrast clause ("but not with the
naked eye"), and the subject's reply to the question put to it. See rag/answer/yesno.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.evidence import Evidence, contains_term
from rag.answer.yesno_question import TOKEN, YesNoQuestion, synonyms
from rag.text.places import country_of
from rag.text.verbs import word_key

MIN_COVER = 0.5  # share of the predicate's other words a sentence must state


# --- sentences --------------------------------------------------------------------------------

NEGATION = re.compile(
    r"\b(?:not|never|no|none|nor|neither|without|no longer|yet to|unable|cannot|"
    r"den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|refus(?:e|es|ed|ing)|declin(?:e|es|ed|ing) to|"
    r"fail(?:s|ed|ing)? to|dismiss(?:es|ed|ing)?|unconfirmed|unverified)\b|n't\b",
    re.I,
)
# "may" in lower case: "Earlier in May, JNIM said …" is a month, no modal.
_IRREALIS = re.compile(
    r"\b(?:would|could|(?-i:may)|might|will|shall|should|if|whether|possibl[ey]|likely|reportedly|"
    r"allegedly|rumou?r(?:s|ed)?|(?:plans?|planned|planning|expects?|expected|threaten(?:s|ed)?|"
    r"wants?|wanted|hopes?|hoped|seeks?|sought|vow(?:s|ed)?|promis(?:es|ed)|pledg(?:es|ed)|"
    r"set|poised|ask(?:s|ed)?|urg(?:es|ed)|call(?:s|ed)? (?:on|for)|demand(?:s|ed)?|"
    r"propos(?:es|ed)) (?:\w+ )?to)\b",
    re.I,
)
# A claim whose source the article says could not be checked.
UNVERIFIED = re.compile(
    r"\b(?:could not|cannot|can't|couldn't) be (?:independently )?(?:verified|confirmed|checked)|"
    r"\bunverified\b|\bunconfirmed\b|\b(?:not|never|yet to) (?:been )?(?:independently )?"
    r"(?:confirmed|verified)\b|\bown statement\b|\bown (?:claim|account)\b",
    re.I,
)
# Opposites that news states plainly: "won" answers "Did they lose?" with a No.
_OPPOSITES: list[tuple[set[str], set[str]]] = [
    ({"win"}, {"lose"}),
    ({"rise", "increase", "raise", "hike"}, {"fall", "drop", "decrease", "cut", "lower", "reduce"}),
    ({"approve", "accept", "adopt", "pass", "agree"}, {"reject", "refuse", "veto", "decline"}),
    ({"open"}, {"close"}),
    ({"acquit"}, {"convict"}),
    ({"confirm", "admit", "acknowledge", "concede", "verify"}, {"deny", "dispute"}),
]
_OPPOSITE_KEYS = [({word_key(w) for w in a}, {word_key(w) for w in b}) for a, b in _OPPOSITES]


def opposites(key: str) -> set[str]:
    out: set[str] = set()
    for a, b in _OPPOSITE_KEYS:
        if key in a:
            out |= b
        if key in b:
            out |= a
    return out


UNVERIFIED_AFTER = re.compile(
    r"\b(?:could not|cannot|can't|couldn't) be (?:independently )?(?:verified|confirmed|checked)|"
    r"\bindependently\b|\bunverified\b|\bunconfirmed\b|\bown statement\b",
    re.I,
)
_CESSATION = re.compile(
    r"\b(?:no longer|ended|end of|left|withdr[ae]wn?|lost|overr[au]n|seized|captured|fell|"
    r"resigned|stepped down|closed|dissolved|quit|ousted|removed|fired|dismissed|sacked|"
    r"expired|abandoned|former|withdrawal|pull(?:ed|ing)? (?:out|back))\b",
    re.I,
)
_CLAUSE = re.compile(r";|,\s*(?:but|while|whereas|although|though)\b|\s(?:but|while|whereas)\s")
_NEGATION_REACH = 6  # tokens before the predicate a negation may stand ("has not yet confirmed")


@dataclass
class Reading:
    evidence: Evidence
    cover: float  # share of the predicate's words the sentence states
    head_hit: bool
    subject_hit: bool
    negated: bool
    irrealis: bool
    ceased: bool  # "Is X still …?" answered by an ending ("withdrew", "no longer")
    opposed: bool  # the subject does the opposite ("won" for "lose")
    rest: float = 1.0  # share of the predicate's words other than its head the sentence states
    head_pos: int | None = None  # where the predicate stands in the sentence
    asked: bool = False  # "Asked whether she will retire, …": the question put to the subject


def read(e: Evidence, yq: YesNoQuestion, focus: list[str]) -> Reading:
    text = e.text
    tokens = [(m.start(), word_key(m.group())) for m in TOKEN.finditer(text)]
    head_keys = synonyms(yq.head) if yq.head else set()
    # "The toll remains unconfirmed" states "confirmed", negated.
    unmade = [i for i, (_, k) in enumerate(tokens) if k.startswith("un") and k[2:] in head_keys]
    keys = {k for _, k in tokens} | {tokens[i][1][2:] for i in unmade}
    wanted = [synonyms(k) for k in yq.predicate]
    cover = (sum(bool(keys & w) for w in wanted) / len(wanted)) if wanted else 0.0
    others = [synonyms(k) for k in yq.predicate if k != yq.head]
    rest = (sum(bool(keys & w) for w in others) / len(others)) if others else 1.0
    free_order = yq.passive or bool(head_keys & _ERGATIVE)
    demonyms = _demonyms(tokens, yq.subject)  # "the Malian army" for "Did Mali …?"
    subject_hit = (
        any(k in keys for k in yq.subject)
        or any(contains_term(text, f) for f in focus)
        or bool(demonyms)
    )
    # "Asked whether she will retire, Marchetti …": a pronoun stands for a subject the
    # sentence names.
    subject = [*yq.subject, *(_PRONOUNS if subject_hit and yq.subject else ())]
    subject += demonyms
    # In an active question the subject acts: "Rovers won, beating Eastbrook" does not say
    # that Eastbrook won. A passive one ("Were 40 soldiers killed?") names it after the verb.
    head_at = [
        i
        for i, (_, k) in enumerate(tokens)
        if k in head_keys and (free_order or _subject_leads(text, tokens, i, subject))
    ]
    if head_at and rest < MIN_COVER and _ELIDED.match(text, tokens[head_at[0]][0]):
        # "Hale conceded in a speech …": the object left out is the passage's subject.
        around = {word_key(w) for w in TOKEN.findall(e.passage.title + " " + e.passage.text)}
        rest = sum(bool(around & w) for w in others) / len(others)
        cover = max(cover, (1 + rest * len(others)) / len(wanted))
    intended = not head_at and rest == 1.0 and bool(others) and _intends(yq, text)
    negated = irrealis = asked = False
    question_words = set(yq.predicate)
    for i in head_at:
        before = _before(text, tokens, i, _NEGATION_REACH)
        negated |= any(
            word_key(n.group().split()[0]) not in question_words for n in NEGATION.finditer(before)
        )
        irrealis |= any(
            (yq.modal is None or not n.group().lower().startswith(yq.modal))
            for n in _IRREALIS.finditer(before)
        )
        asked |= bool(ASKED.search(text[_clause_start(text, tokens[i][0]) : tokens[i][0]]))
    if head_at and not negated:
        negated = _denied_by_contrast(text, tokens, head_at[0], yq)
    # "The Oscars will be host-less": the asked thing, with "-less", is what is lacking.
    negated |= any(_LACKING.match(text, TOKEN.match(text, tokens[i][0]).end()) for i in head_at)
    # "Unverified footage", "the toll remains unconfirmed": before or after, it is said of it.
    if unmade and not head_at:
        head_at, negated = unmade, True
    ceased = yq.still and bool(_CESSATION.search(text))
    opposed = _opposed(text, tokens, yq, subject) and rest >= MIN_COVER
    head_pos = tokens[head_at[0]][0] if head_at else None
    return Reading(
        e, cover, bool(head_at) or intended, subject_hit, negated, irrealis, ceased, opposed,
        rest, head_pos, asked,
    )  # fmt: skip


_LACKING = re.compile(r"-less\b", re.I)
_PRONOUNS = ("he", "she", "they", "it")
# A verb with no object of its own after it: "conceded in a speech", "resigned on Friday.".
_ELIDED = re.compile(
    r"[\w'’]+(?:\s+(?:[,.;:!?]|$|(?:in|on|at|after|before|by|with|late|early|shortly|yesterday|"
    r"today|last|when|as|and|but|during|without|to (?:the|a|an|his|her|their)\b|to [A-Z]))|[,.;:!?]|$)",
)
ASKED = re.compile(r"\b(?:asked|asks|pressed|questioned)\b[^,;]*\b(?:whether|if)\b", re.I)
# "Does X plan a Phase 3 study?" is answered by a sentence about X that puts the study ahead:
# "… moving KB-17 into a Phase 3 study next year".
_INTENT = {word_key(w) for w in ("plan", "intend", "aim", "prepare", "mean")}
_AHEAD = re.compile(
    r"\b(?:next (?:year|month|week|season|spring|summer|autumn|fall|winter)|later this \w+|"
    r"in the coming \w+|upcoming|(?:moving|move|moves|advance|advancing) (?:\w+ ){0,3}(?:into|to)|"
    r"plans? to|planned|intends? to|aims? to)\b",
    re.I,
)


def _intends(yq: YesNoQuestion, text: str) -> bool:
    return yq.head in _INTENT and bool(_AHEAD.search(text))


# "visible with binoculars but probably not with the naked eye": a clause of its own that
# says "not" about the question's other words negates the predicate for them.
_NOT_LEAD = re.compile(r"^\s*(?:\w+ly\s+)?(?:not|never|no longer)\b", re.I)


def _denied_by_contrast(text: str, tokens, i: int, yq: YesNoQuestion) -> bool:
    own_start = _clause_start(text, tokens[i][0])
    cuts = sorted({m.end() for m in _CLAUSE.finditer(text)} | {own_start, len(text)})
    wanted = [synonyms(k) for k in yq.predicate if k != yq.head and k not in yq.subject]
    spans = list(zip(cuts, cuts[1:], strict=False))
    own = next(((a, b) for a, b in spans if a == own_start), None)

    def stated(a: int, b: int) -> set[int]:
        keys = {k for p, k in tokens if a <= p < b}
        return {n for n, w in enumerate(wanted) if keys & w}

    in_own = stated(*own) if own else set()
    return any(
        (a, b) != own and _NOT_LEAD.match(text[a:b]) and stated(a, b) - in_own
        for a, b in spans
        if a > own_start
    )


# Verbs whose object is what the question calls their subject: "engineers closed the bridge"
# says that the bridge closed.
_ERGATIVE = {
    word_key(w)
    for w in (
        "close",
        "open",
        "reopen",
        "end",
        "start",
        "begin",
        "resume",
        "stop",
        "collapse",
        "rise",
        "fall",
        "increase",
        "decrease",
        "grow",
        "shrink",
        "change",
        "move",
        "sink",
    )
}


def _clause_start(text: str, pos: int) -> int:
    return max((m.end() for m in _CLAUSE.finditer(text, 0, pos)), default=0)


def _before(text: str, tokens: list[tuple[int, str]], i: int, reach: int) -> str:
    """The words before token ``i`` in its clause, at most ``reach`` of them."""
    pos = tokens[i][0]
    window_start = tokens[max(0, i - reach)][0]
    return text[max(_clause_start(text, pos), window_start) : pos]


def _subject_leads(text: str, tokens: list[tuple[int, str]], i: int, subject: list[str]) -> bool:
    if not subject:
        return True
    start = _clause_start(text, tokens[i][0])
    return any(k in subject for p, k in tokens[:i] if p >= start)


def _opposed(
    text: str, tokens: list[tuple[int, str]], yq: YesNoQuestion, subject: list[str]
) -> bool:
    """The sentence's subject does the opposite of what is asked ("Rovers won" for "Did
    Rovers lose?", "the army denied" for "Did the army confirm …?")."""
    if not yq.head or not yq.subject:
        return False
    wanted = opposites(yq.head)
    return any(
        key in wanted
        and _subject_leads(text, tokens, i, subject)
        and not NEGATION.search(_before(text, tokens, i, _NEGATION_REACH))
        for i, (_, key) in enumerate(tokens)
    )


# --- answer -----------------------------------------------------------------------------------


def _demonyms(tokens: list[tuple[int, str]], subject: list[str]) -> list[str]:
    """The sentence's words for a country the subject names: "Did Mali confirm …?" is about
    "the Malian army"."""
    countries = {country_of(k) for k in subject} - {None}
    return [k for _, k in tokens if country_of(k) in countries] if countries else []
