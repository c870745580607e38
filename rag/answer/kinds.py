"""Question kinds beyond factoids: which answerer a question gets.

Yes/no questions get a verdict and its quote (yesno.py; the question is read by
yesno_question.py, each sentence by yesno_reading.py); why / how / what happened / summarize /
tell me about / "who is <name>" get a short extractive summary (summary.py); "what does JNIM
stand for" gets the name spelled out before the acronym (expansion.py).
Every other question, and any of these whose answerer finds nothing, is the factoid
answerer's (extractive.py).
"""

from __future__ import annotations

from rag.answer.evidence import Evidence, EvidenceScorer
from rag.answer.expansion import answer_expansion, asked_acronym
from rag.answer.extractive import ExtractiveResult
from rag.answer.question import QuestionAnalysis
from rag.answer.summary import summarize, summary_question
from rag.answer.yesno import answer_yes_no
from rag.answer.yesno_question import is_yes_no


def question_kind(question: str) -> str | None:
    """ "yes_no", a summary kind ("why", "profile", …), or None for a factoid."""
    # Summary first: "Can you summarize the attacks?" starts like a yes/no question.
    sq = summary_question(question)
    if sq:
        return sq.kind
    return "yes_no" if is_yes_no(question) else None


def answer_by_kind(
    q: QuestionAnalysis, ranked: list[Evidence], scorer: EvidenceScorer
) -> ExtractiveResult | None:
    """The answer of a non-factoid question, or None when the factoid answerer should answer."""
    if not ranked:
        return None
    acronym = asked_acronym(q.text)
    if acronym is not None:
        return answer_expansion(acronym, ranked)
    sq = summary_question(q.text)
    if sq is None:
        return answer_yes_no(q, ranked, scorer.nlp) if is_yes_no(q.text) else None
    result = summarize(sq, ranked, scorer.embeddings)
    if result.status != "answered" and sq.kind in {"why", "how"}:
        return None  # "How did X die?" may still have a one-sentence factoid answer
    return result
