"""Yes/no questions: "Yes", "No" or "The articles do not say", then the cited quote.

The decision is read off the best sentence about the question's subject that states its
predicate ("Did the army confirm the toll?" → a sentence about the army that says "confirm"):

* the predicate under a negation in its own clause ("has not confirmed", "denied", "declined
  to") is a **No**;
* the predicate asserted plainly, by a sentence with no negation anywhere, is a **Yes**;
* a claim the article says could not be verified, a predicate under a modal or a wish ("may
  resign", "called on him to resign"), or no sentence that states the predicate at all, is
  **The articles do not say**, with the closest sentence quoted and labelled as such.
* the subject doing the opposite ("denied the charges" for "Did he admit …?"), a contrast
  clause that says "not" about the question's other words ("visible with binoculars but not
  with the naked eye"), and a reply to the question put to the subject ("Asked whether she will
  retire, she shakes her head", cited with the next sentence when that is the reply) decide too.

A sentence states the predicate only with its other words ("plans to present the data" does not
answer "Does it plan a study?"), unless the verb has no object of its own ("conceded in a
speech") and its passage names it. A "Yes" resting on someone's claim says so (``wording.frame``).

A "Yes" whose quote says "not" is never given: negation anywhere in the quote downgrades it.
Nothing about the subject at all is ``not_found``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.evidence import Evidence, contains_term
from rag.answer.extractive import ExtractiveResult, refusal
from rag.answer.parsing import parse
from rag.answer.question import QuestionAnalysis
from rag.answer.relevance import relevance_problem
from rag.answer.wording import frame
from rag.models.nlp import NLP
from rag.text.tokens import STOPWORDS, sentence_spans
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

_TOKEN = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?|\d[\d,.]*")


def _synonyms(key: str) -> set[str]:
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
        subject = [word_key(t.text) for t in doc if t.i in subject_idx and _content(t.text)]
        # "KB-17" is read as "KB" and "17" in sentences too (_TOKEN).
        predicate = [
            word_key(part)
            for t in doc
            for part in _TOKEN.findall(t.lemma_ if t.pos_ == "VERB" else t.text)
            if t.i not in subject_idx
            and t.pos_ not in {"AUX", "PUNCT", "DET", "ADP", "PRON", "PART", "CCONJ"}
            and _content(t.text)
            and t.lower_ not in skip
        ]
        verbs = [
            word_key(t.lemma_)
            for t in doc
            if t.pos_ == "VERB" and t.i not in subject_idx and t.lower_ not in skip
        ]
        head = verbs[0] if verbs else (predicate[0] if predicate else None)
        passive = any(t.dep_ in {"nsubjpass", "auxpass"} for t in doc) or any(
            t.tag_ == "VBN" and t.dep_ in {"acl", "ROOT"} for t in doc
        )
    else:
        # Without a parse (spaCy missing): the subject is the first run of names, numbers
        # and the noun after them ("Tomas Lund", "40 soldiers"); the predicate is the rest.
        rest = question[m.start("aux") if m else 0 :]
        tokens = [t for t in _TOKEN.findall(rest[len(aux) :]) if _content(t)]
        run = 0
        while run < len(tokens) and (tokens[run][:1].isupper() or tokens[run][:1].isdigit()):
            run += 1
        if run and run < len(tokens) and tokens[run - 1][:1].isdigit():
            run += 1
        subject = [word_key(t) for t in tokens[: max(run, 1)]]
        predicate = [word_key(t) for t in tokens[max(run, 1) :] if t.lower() not in skip]
        head = predicate[0] if predicate else None
        passive = bool(re.match(r"(?:is|are|was|were|been)\b.*\b\w+(?:ed|en)\b", rest, re.I))
    names = {word_key(w) for f in focus for w in _TOKEN.findall(f)}
    unnamed = [k for k in dict.fromkeys(predicate) if k not in names and k not in subject]
    # "Is MINUSMA still in Mali?": when the predicate is only a name, the name is the predicate.
    predicate = unnamed or [k for k in dict.fromkeys(predicate) if k not in subject]
    if head in names and unnamed:
        head = unnamed[0]
    return YesNoQuestion(subject, predicate, head, modal, still, passive)


def _content(word: str) -> bool:
    return word.lower() not in STOPWORDS and bool(re.match(r"[A-Za-z0-9]", word))


# --- sentences --------------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|never|no|none|nor|neither|without|no longer|yet to|unable|cannot|"
    r"den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|refus(?:e|es|ed|ing)|declin(?:e|es|ed|ing) to|"
    r"fail(?:s|ed|ing)? to|dismiss(?:es|ed|ing)?|unconfirmed|unverified)\b|n't\b",
    re.I,
)
_IRREALIS = re.compile(
    r"\b(?:would|could|may|might|will|shall|should|if|whether|possibl[ey]|likely|reportedly|"
    r"allegedly|rumou?r(?:s|ed)?|(?:plans?|planned|planning|expects?|expected|threaten(?:s|ed)?|"
    r"wants?|wanted|hopes?|hoped|seeks?|sought|vow(?:s|ed)?|promis(?:es|ed)|pledg(?:es|ed)|"
    r"set|poised|ask(?:s|ed)?|urg(?:es|ed)|call(?:s|ed)? (?:on|for)|demand(?:s|ed)?|"
    r"propos(?:es|ed)) (?:\w+ )?to)\b",
    re.I,
)
# A claim whose source the article says could not be checked.
_UNVERIFIED = re.compile(
    r"\b(?:could not|cannot|can't|couldn't) be (?:independently )?(?:verified|confirmed|checked)|"
    r"\bunverified\b|\bunconfirmed\b|\b(?:not|never|yet to) (?:been )?(?:independently )?"
    r"(?:confirmed|verified)\b|\bown statement\b|\bown (?:claim|account)\b",
    re.I,
)
# Opposites that news states plainly: "won" answers "Did they lose?" with a No.
_OPPOSITES: list[tuple[set[str], set[str]]] = [
    ({"win"}, {"lose"}),
    ({"rise", "increase", "raise", "hike"}, {"fall", "drop", "decrease", "cut", "lower", "reduce"}),
    ({"approve", "accept", "adopt", "pass"}, {"reject", "refuse", "veto"}),
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


_UNVERIFIED_AFTER = re.compile(
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
    tokens = [(m.start(), word_key(m.group())) for m in _TOKEN.finditer(text)]
    keys = {k for _, k in tokens}
    wanted = [_synonyms(k) for k in yq.predicate]
    cover = (sum(bool(keys & w) for w in wanted) / len(wanted)) if wanted else 0.0
    others = [_synonyms(k) for k in yq.predicate if k != yq.head]
    rest = (sum(bool(keys & w) for w in others) / len(others)) if others else 1.0
    head_keys = _synonyms(yq.head) if yq.head else set()
    free_order = yq.passive or bool(head_keys & _ERGATIVE)
    subject_hit = any(k in keys for k in yq.subject) or any(contains_term(text, f) for f in focus)
    # "Asked whether she will retire, Marchetti …": a pronoun stands for a subject the
    # sentence names.
    subject = [*yq.subject, *(_PRONOUNS if subject_hit and yq.subject else ())]
    # In an active question the subject acts: "Rovers won, beating Eastbrook" does not say
    # that Eastbrook won. A passive one ("Were 40 soldiers killed?") names it after the verb.
    head_at = [
        i
        for i, (_, k) in enumerate(tokens)
        if k in head_keys and (free_order or _subject_leads(text, tokens, i, subject))
    ]
    if head_at and rest < MIN_COVER and _ELIDED.match(text, tokens[head_at[0]][0]):
        # "Hale conceded in a speech …": the object left out is the passage's subject.
        around = {word_key(w) for w in _TOKEN.findall(e.passage.title + " " + e.passage.text)}
        rest = sum(bool(around & w) for w in others) / len(others)
        cover = max(cover, (1 + rest * len(others)) / len(wanted))
    intended = not head_at and rest == 1.0 and bool(others) and _intends(yq, text)
    negated = irrealis = asked = False
    question_words = set(yq.predicate)
    for i in head_at:
        before = _before(text, tokens, i, _NEGATION_REACH)
        negated |= any(
            word_key(n.group().split()[0]) not in question_words for n in _NEGATION.finditer(before)
        )
        irrealis |= any(
            (yq.modal is None or not n.group().lower().startswith(yq.modal))
            for n in _IRREALIS.finditer(before)
        )
        asked |= bool(_ASKED.search(text[_clause_start(text, tokens[i][0]) : tokens[i][0]]))
    if head_at and not negated:
        negated = _denied_by_contrast(text, tokens, head_at[0], yq)
    ceased = yq.still and bool(_CESSATION.search(text))
    opposed = _opposed(text, tokens, yq, subject) and rest >= MIN_COVER
    head_pos = tokens[head_at[0]][0] if head_at else None
    return Reading(
        e, cover, bool(head_at) or intended, subject_hit, negated, irrealis, ceased, opposed,
        rest, head_pos, asked,
    )  # fmt: skip


_PRONOUNS = ("he", "she", "they", "it")
# A verb with no object of its own after it: "conceded in a speech", "resigned on Friday.".
_ELIDED = re.compile(
    r"[\w'’]+(?:\s+(?:[,.;:!?]|$|(?:in|on|at|after|before|by|with|late|early|shortly|yesterday|"
    r"today|last|when|as|and|but|during|without|to (?:the|a|an|his|her|their)\b|to [A-Z]))|[,.;:!?]|$)",
)
_ASKED = re.compile(r"\b(?:asked|asks|pressed|questioned)\b[^,;]*\b(?:whether|if)\b", re.I)
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
    wanted = [_synonyms(k) for k in yq.predicate if k != yq.head and k not in yq.subject]
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
        and not _NEGATION.search(_before(text, tokens, i, _NEGATION_REACH))
        for i, (_, key) in enumerate(tokens)
    )


# --- answer -----------------------------------------------------------------------------------

CANDIDATES = 12  # sentences read, best evidence first
MIN_COVER = 0.5


def answer_yes_no(q: QuestionAnalysis, ranked: list[Evidence], nlp: NLP | None) -> ExtractiveResult:
    relevant = [e for e in ranked[: CANDIDATES * 3] if relevance_problem(q, e) is None][:CANDIDATES]
    if not relevant:
        problem = relevance_problem(q, ranked[0]) if ranked else "nothing relevant was retrieved"
        return refusal(problem or "no retrieved sentence is about the question")
    yq = parse_question(q.text, nlp, q.focus)
    readings = [read(e, yq, q.focus) for e in relevant]
    about = [r for r in readings if r.subject_hit]
    if not about:
        return refusal("no retrieved sentence is about the question's subject")
    # The predicate's other words count too: "Kestrel plans to present the data" does not
    # answer "Does Kestrel plan a Phase 3 study?".
    stating = [r for r in about if r.head_hit and r.cover >= MIN_COVER and r.rest >= MIN_COVER]
    # The sentence that states most of the predicate wins; evidence order breaks ties.
    stating.sort(key=lambda r: -r.cover)
    for r in stating:
        if r.asked:  # "Asked whether she will retire, …": her reply decides
            reply = _reply(r.evidence)
            if reply is not None:
                return _result(reply[0], r.evidence, "the subject's reply", extra=reply[1])
    for r in stating:
        # A negation outranks a modal: "denied that he would resign" answers "Has he resigned?".
        if r.negated:
            return _result("No", r.evidence, "the sentence negates what is asked")
    # "Is X still …?": an ending reported about the subject outweighs an earlier state.
    for r in about[:3]:
        if r.ceased and (r.cover >= MIN_COVER / 2 or r.head_hit) and not r.negated:
            return _result("No", r.evidence, "the sentence says it has ended")
    for r in stating:
        if r.irrealis or r.negated:
            continue
        if _NEGATION.search(r.evidence.text):
            continue  # never a "Yes" over a quote that says "not"
        if yq.head not in _SAYING and _unverified(r.evidence):
            return _undecided(
                r.evidence,
                "The articles do not say for certain: the claim is not independently confirmed.",
                "the claim could not be verified",
            )
        held = None if yq.head in _SAYING else frame(r.evidence.text, _at(r.head_pos))
        verdict = held.lead("Yes") if held else "Yes"
        return _result(verdict, r.evidence, "the sentence states what is asked", short="Yes")
    for r in about[:3]:
        if r.opposed and not r.irrealis:
            return _result("No", r.evidence, "the sentence states the opposite")
    closest = (stating or about)[0].evidence
    return _undecided(
        closest, "The articles do not say.", "no sentence settles it", label="The closest passage"
    )


# "Did JNIM claim the attack?" asks about the claim itself, which is certain even when its
# content is not.
_SAYING = {
    word_key(w)
    for w in ("claim", "say", "announce", "report", "allege", "assert", "tell", "state", "warn")
}


def _unverified(e: Evidence) -> bool:
    following = e.passage.text[e.end : e.end + 300]
    next_sentence = following.split(". ")[0] if following else ""
    # The next sentence must speak of the claim's truth ("The figure could not be verified");
    # "The office has not confirmed how long repairs will take" is a fact of its own.
    return bool(_UNVERIFIED.search(e.text) or _UNVERIFIED_AFTER.search(next_sentence))


def _quote(e: Evidence) -> str:
    # An article's own "[1]" would read as one of our markers.
    return "“" + re.sub(r"\[(\d+)\]", r"(\1)", e.text) + "”"


def _result(
    verdict: str,
    e: Evidence,
    why: str,
    short: str | None = None,
    extra: tuple[int, int] | None = None,
) -> ExtractiveResult:
    """ "No: “…” [1]"; ``extra``: a second sentence of the passage that settles it too."""
    citations = [e.passage.cite(1, e.start, e.end)]
    text = f"{verdict}: {_quote(e)} [1]"
    if extra is not None:
        citations.append(e.passage.cite(2, *extra))
        text += " “" + re.sub(r"\[(\d+)\]", r"(\1)", e.passage.text[extra[0] : extra[1]]) + "” [2]"
    return ExtractiveResult("answered", text, short or verdict, citations, [f"yes/no: {why}"])


def _at(pos: int | None) -> tuple[int, int] | None:
    return None if pos is None else (pos, pos + 1)


_NO_REPLY = re.compile(
    r"^\W*(?:no|not|never|nope)\b|\bsh(?:akes|ook|aking) (?:his|her|their) heads?\b|"
    r"\bruled? (?:it |that )?out\b|\bdeclined\b|\bdenied\b|\brefused\b",
    re.I,
)
_YES_REPLY = re.compile(
    r"^\W*(?:yes|yeah|of course|certainly|definitely|absolutely)\b|\bnodd(?:ed|s|ing)\b", re.I
)


def _reply(e: Evidence) -> tuple[str, tuple[int, int] | None] | None:
    """The answer given to a question put in the sentence ("Asked whether …, X shakes her
    head"), in the rest of the sentence or in the next one ("“Not this year,” she says.")."""
    m = _ASKED.search(e.text)
    comma = e.text.find(",", m.end()) if m else -1
    tail = e.text[comma + 1 :] if comma >= 0 else ""
    verdicts = {v for v, rx in (("No", _NO_REPLY), ("Yes", _YES_REPLY)) if rx.search(tail)}
    spans = sentence_spans(e.passage.text, e.end)
    extra = None
    if spans:
        following = e.passage.text[spans[0][0] : spans[0][1]]
        said = {v for v, rx in (("No", _NO_REPLY), ("Yes", _YES_REPLY)) if rx.match(following)}
        if said:
            verdicts |= said
            extra = spans[0]
    if len(verdicts) != 1:
        return None  # no reply, or one that says both
    return verdicts.pop(), extra


def _undecided(e: Evidence, lead: str, why: str, label: str | None = None) -> ExtractiveResult:
    citation = e.passage.cite(1, e.start, e.end)
    body = f"{label}: {_quote(e)} [1]" if label else f"{_quote(e)} [1]"
    return ExtractiveResult("answered", f"{lead} {body}", None, [citation], [f"yes/no: {why}"])
