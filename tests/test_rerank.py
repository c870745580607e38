"""Second-stage passage ranking by each passage's best sentence (rag/answer/rerank.py)."""

from __future__ import annotations

from rag.answer.rerank import rerank, sentence_coverage
from rag.schema import Passage


def _p(cid: str, text: str, score: float, title: str = "Tarnvale news") -> Passage:
    return Passage(chunk_id=cid, article_id=cid, title=title, text=text, start=0, end=len(text),
                   score=score)  # fmt: skip


QUESTION = "How many ferries did the Tarnvale council buy for the river crossing?"
# The topic spread thin over a chunk: every word somewhere, no sentence that says it.
THIN = _p(
    "thin",
    "The Tarnvale council met on Monday. The river crossing was busy. Ferries are old. "
    "The council will buy paper. Many people attended.",
    1.0,
)
# One sentence that answers.
ANSWER = _p(
    "answer",
    "Weather was mild. The Tarnvale council bought three ferries for the river crossing.",
    0.9,
)


def test_the_passage_whose_sentence_covers_the_question_ranks_first():
    cover = sentence_coverage(QUESTION, [THIN, ANSWER])
    assert cover[1] > cover[0]
    assert [p.chunk_id for p in rerank(QUESTION, [THIN, ANSWER], 1.0, 40)] == ["thin", "answer"][
        ::-1
    ]


def test_weight_zero_keeps_the_fused_order():
    assert [p.chunk_id for p in rerank(QUESTION, [THIN, ANSWER], 0.0, 40)] == ["thin", "answer"]


def test_only_the_first_depth_passages_move():
    tail = _p("tail", "The Tarnvale council bought three ferries for the river crossing.", 0.1)
    out = rerank(QUESTION, [THIN, ANSWER, tail], 1.0, 2)
    assert out[-1].chunk_id == "tail"
