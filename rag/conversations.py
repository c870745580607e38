"""Conversation history and the rewriting of follow-ups into standalone questions.

Rule-based, so it works offline: "and at Timbuktu?" after "How many soldiers died at Dioura?"
becomes "How many soldiers died at Timbuktu?"; a question leaning on a pronoun ("who said
that?") carries the previous question's subject along.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.question import focus_terms


@dataclass
class Turn:
    question: str  # as the user asked it
    standalone: str  # as it was searched
    answer: str = ""


_ELLIPTIC = re.compile(
    r"^\s*(?:and|what about|how about|also|same for|and what about|and in|and at|and for)\b", re.I
)
_PRONOUN = re.compile(
    r"\b(?:he|she|they|them|it|its|that|this|those|these|there|his|her|their)\b", re.I
)
_PREPOSITION = re.compile(r"\b(at|in|on|for|from|of|near|against|by)\s+$", re.I)


def condense_question(question: str, history: list[Turn]) -> str:
    if not history:
        return question
    previous = history[-1].standalone
    q = question.strip()
    new_focus = focus_terms(q)
    if _ELLIPTIC.match(q):
        old_focus = focus_terms(previous)
        if new_focus and old_focus:
            # Swap the previous question's last focus for the new one: Dioura → Timbuktu.
            rewritten = previous
            target = old_focus[-1]
            rewritten = re.sub(re.escape(target), new_focus[0], rewritten, count=1)
            if rewritten != previous:
                return rewritten
        rest = _ELLIPTIC.sub("", q).strip(" ?.!")
        return f"{previous.rstrip(' ?.!')} {rest}?".strip() if rest else previous
    if _PRONOUN.search(q) and not new_focus:
        return f"{q.rstrip(' ?.!')} (regarding: {previous.rstrip(' ?.!')})?"
    return question
