"""The default answerer: built from retrieved sentences, so grounded by construction.

It cannot invent a number: the short answer is a span of a quoted sentence, the sentence is
quoted verbatim with its citation, and the claim keeps the attribution the article gives it.
When no sentence clears the bar, the answer is ``not_found`` with no citations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answer.evidence import Evidence
from rag.answer.question import QuestionAnalysis
from rag.schema import Citation
from rag.text.dates import resolve_relative_dates
from rag.text.facts import normalize_number
from rag.text.lexicon import NUMBER_WORDS, alternation
from rag.text.markers import neutralize_markers, strip_markers
from rag.text.tokens import STOPWORDS, stem, words

# Calibrated on the bundled samples and rtqa dev questions (README "Measured"), never per question.
MIN_SCORE = 0.42
MIN_LEXICAL = 0.30
MIN_SEMANTIC = 0.40
SECOND_SOURCE_RATIO = 0.85

_UNCONFIRMED = re.compile(
    r"\b(?:could not|cannot|can't|couldn't) be (?:independently )?(?:verified|confirmed|checked)|"
    r"\b(?:not|never|yet to|declined to|did not|has not|have not|had not) (?:been )?"
    r"(?:independently )?(?:confirm|verif)\w*|\bunverified\b|\bunconfirmed\b|"
    r"\brests? on the group's word\b|\bits own statement\b|\bown statement\b",
    re.I,
)


_QUALIFIER = re.compile(
    r"\b(more than|over|at least|upwards of|up to|about|around|nearly|almost|some|roughly|"
    r"fewer than|less than|as many as|approximately|an estimated|at most)\s*$",
    re.I,
)


@dataclass
class ExtractiveResult:
    status: str
    answer: str
    short_answer: str | None
    citations: list[Citation]
    notes: list[str]


def refusal(reason: str) -> ExtractiveResult:
    return ExtractiveResult(
        "not_found",
        "The articles I can search do not answer this question.",
        None,
        [],
        [reason],
    )


def relevance_problem(q: QuestionAnalysis, e: Evidence) -> str | None:
    """None if ``e`` is about the question at all; else why not.

    This is the gate before any answerer runs, the model included: a question whose subject
    no retrieved passage mentions is refused rather than answered from memory.
    """
    if e.passage_focus < (1.0 if len(q.focus) <= 2 else 0.67):
        text = (e.passage.title + " " + e.passage.text).lower()
        missing = [t for t in q.focus if t.lower() not in text]
        return f"no retrieved passage mentions {', '.join(missing) or 'the question’s subject'}"
    if e.lexical < MIN_LEXICAL and e.semantic < MIN_SEMANTIC:
        return "no retrieved sentence is about the question"
    return None


def first_relevant(q: QuestionAnalysis, ranked: list[Evidence]) -> tuple[Evidence | None, str]:
    for e in ranked:
        if relevance_problem(q, e) is None:
            return e, ""
    if not ranked:
        return None, "nothing relevant was retrieved"
    return None, relevance_problem(q, ranked[0]) or ""


def answerable(q: QuestionAnalysis, e: Evidence) -> str | None:
    """None if ``e`` may answer ``q`` extractively; else the reason it may not."""
    problem = relevance_problem(q, e)
    if problem:
        return problem
    if q.answer_type and e.candidate is None:
        return f"no retrieved sentence gives a {q.answer_type} for it"
    if e.score < MIN_SCORE:
        return f"the best supporting sentence is too weak (score {e.score:.2f} < {MIN_SCORE})"
    return None


def answer_from_evidence(q: QuestionAnalysis, ranked: list[Evidence]) -> ExtractiveResult:
    eligible = [e for e in ranked if answerable(q, e) is None]
    if not eligible:
        return refusal(answerable(q, ranked[0]) if ranked else "nothing relevant was retrieved")
    best = eligible[0]
    others = [
        e
        for e in eligible[1:]
        if e.passage.article_id != best.passage.article_id
        and e.score >= SECOND_SOURCE_RATIO * best.score
        and e.text != best.text
    ]
    second = others[0] if others else None
    citations = [_citation(1, best)]
    short = short_answer(q, best)
    disagree = (
        second is not None
        and q.answer_type is not None
        and second.candidate is not None
        and best.candidate is not None
        and _same_value(second.candidate.text, best.candidate.text) is False
        and _norm(short_answer(q, second) or "") != _norm(short or "")
    )
    if second is not None:
        citations.append(_citation(2, second))
    if disagree:
        text = (
            "The sources differ. " + _statement(q, best, "[1]") + " " + _statement(q, second, "[2]")
        )
    else:
        markers = "[1][2]" if second is not None else "[1]"
        text = _statement(q, best, markers)
    return ExtractiveResult("answered", text, short, citations, [])


def short_answer(q: QuestionAnalysis, e: Evidence) -> str | None:
    if e.candidate is None:
        return None
    sentence, ent = e.text, e.candidate
    span = ent.text
    if q.answer_type == "count":
        # "40" → "40 Malian soldiers" when the counted noun of the question follows closely.
        tokens = sentence[ent.end : ent.end + 40].split()[:3]
        for i, tok in enumerate(tokens):
            tok = tok.strip(",.;:")
            if tok.lower() in STOPWORDS:
                break
            if stem(tok) in q.terms:
                span = ent.text + " " + " ".join(t.strip(",.;:") for t in tokens[: i + 1])
                break
    if q.answer_type in {"count", "money", "percent"}:
        # Keep the hedge the article puts on a number: "more than 30", "upwards of 400".
        m = _QUALIFIER.search(sentence[: ent.start])
        if m:
            span = m.group(1) + " " + span
    if q.answer_type == "date":
        for r in resolve_relative_dates(sentence, e.passage.published):
            if r.start < ent.end and ent.start < r.end and r.label:
                return r.label
    return span


def _statement(q: QuestionAnalysis, e: Evidence, markers: str) -> str:
    short = short_answer(q, e)
    lead = short or ""
    attribution = _attribution_phrase(e)
    if (
        short
        and e.attribution
        and e.attribution.speaker
        and (short.lower() in e.attribution.speaker.lower())
    ):
        attribution = None  # "Who warned?" — the speaker is the answer, not a qualifier
    if lead and attribution:
        lead = f"{lead}, {attribution}"
    elif attribution:
        lead = attribution[:1].upper() + attribution[1:]
    # An article's own "[1]" would read as one of our markers: show it as "(1)".
    quote = "“" + neutralize_markers(e.text) + "”"
    dates = [
        f"{r.phrase} = {r.label}"
        for r in resolve_relative_dates(e.text, e.passage.published)
        if r.label
    ]
    date_note = f" ({'; '.join(dates)}, from the article's date)" if dates else ""
    return (f"{lead}: {quote}" if lead else quote) + f"{date_note} {markers}"


def _attribution_phrase(e: Evidence) -> str | None:
    a = e.attribution
    following = e.passage.text[e.end : e.end + 300]
    next_sentence = following.split(". ")[0] if following else ""
    unconfirmed = bool(_UNCONFIRMED.search(e.text) or _UNCONFIRMED.search(next_sentence))
    suffix = " (not independently confirmed)" if unconfirmed else ""
    if a is None:
        return ("reported" + suffix) if unconfirmed else None
    who = a.speaker
    if a.verb in {"claim", "allege", "assert", "put", "boast"}:
        phrase = f"as claimed by {who}" if who else "a claim"
    elif a.verb == "estimate":
        phrase = f"an estimate by {who}" if who else "an estimate"
    elif a.verb in {"confirm", "acknowledge"}:
        phrase = f"as confirmed by {who}" if who else "as confirmed"
    elif who:
        phrase = f"according to {who}"
    else:
        return ("reported" + suffix) if unconfirmed else None
    return phrase + suffix


_HAS_NUMBER = re.compile(rf"\d|\b(?:{alternation(NUMBER_WORDS)})\b", re.I)


def answers_the_type(q: QuestionAnalysis, answer_text: str) -> bool:
    """A generated answer to "how many"/"how much" must at least contain a number."""
    if q.answer_type in {"count", "money", "percent"}:
        return _HAS_NUMBER.search(strip_markers(answer_text)) is not None
    return True


def _citation(marker: int, e: Evidence) -> Citation:
    return e.passage.cite(marker, e.start, e.end)


def _same_value(a: str, b: str) -> bool:
    """ "40" and "forty" are the same count; different names are not comparable here."""
    na, nb = normalize_number(a), normalize_number(b)
    if na is not None and nb is not None:
        return na == nb
    return _norm(a) == _norm(b)


def _norm(text: str) -> str:
    return " ".join(words(text)).replace(",", "")
