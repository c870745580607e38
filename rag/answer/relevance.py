"""The relevance gate: is a retrieved sentence about the question at all?

It runs before any answerer, the model included: a question whose subject no retrieved passage
mentions is refused rather than answered from memory, or from a sentence about something else.
"""

from __future__ import annotations

from rag.answer.evidence import Evidence, gate_focus
from rag.answer.question import QuestionAnalysis

# Calibrated on rtqa dev questions (README "Measured"), never per question.
MIN_LEXICAL = 0.30
MIN_SEMANTIC = 0.40


def relevance_problem(q: QuestionAnalysis, e: Evidence) -> str | None:
    """None if ``e`` is about the question at all; else why not.

    This is the gate before any answerer runs, the model included: a question whose subject
    no retrieved passage mentions is refused rather than answered from memory.
    """
    focus = gate_focus(q.focus)
    if focus and max(e.passage_focus, e.gate_focus) < (0.6 if len(focus) == 1 else 0.5):
        text = (e.passage.title + " " + e.passage.text).lower()
        missing = [t for t in focus if t.lower() not in text]
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
