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

from rag.answer.candidates import headline
from rag.answer.evidence import Evidence, contains_term
from rag.answer.extractive import ExtractiveResult, refusal
from rag.answer.question import QuestionAnalysis
from rag.answer.relevance import relevance_problem
from rag.answer.wording import frame
from rag.answer.yesno_question import parse_question
from rag.answer.yesno_reading import (
    ASKED,
    MIN_COVER,
    NEGATION,
    UNVERIFIED,
    UNVERIFIED_AFTER,
    read,
)
from rag.models.nlp import NLP
from rag.text.tokens import sentence_spans
from rag.text.verbs import word_key

CANDIDATES = 12  # sentences read, best evidence first


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
    # The sentence that states most of the predicate wins, and of those one that names every
    # name the question does ("Did JNIM claim the Dioura attack?": not JNIM's claim about
    # Timbuktu); evidence order breaks ties.
    stating.sort(key=lambda r: (-r.cover, not _names_all(r.evidence.text, q.focus)))
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
        if NEGATION.search(r.evidence.text):
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
    # The closest passage is a sentence of the article, not its headline, where there is one.
    closest = next(
        (r for r in [*stating, *about] if not headline(r.evidence.text)), (stating or about)[0]
    ).evidence
    return _undecided(
        closest, "The articles do not say.", "no sentence settles it", label="The closest passage"
    )


def _names_all(text: str, names: list[str]) -> bool:
    return all(contains_term(text, n) for n in names)


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
    return bool(UNVERIFIED.search(e.text) or UNVERIFIED_AFTER.search(next_sentence))


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
    m = ASKED.search(e.text)
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
