"""Follow-ups rewritten with the previous turn's subject and answer (rag/answer/condense.py).

Rule-based and model-free, except the last tests, which ask the chain over articles written
here: a mayoral election and, the same week, an unrelated council vote with its own tally.
"""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer.condense import Turn, condense_question
from rag.schema import Article
from rag.text.verbs import base_form
from tests.conftest import make_components

ELECTION = Turn(
    "Who won the mayoral election?",
    "Who won the mayoral election?",
    "Jane Doe: “…” [1]",
    "Jane Doe",
)
PARTY = Turn(
    "Which party won the regional election?",
    "Which party won the regional election?",
    "the Green Party: “…” [1]",
    "the Green Party",
)
KILLED = Turn(
    "How many soldiers were killed at Dioura?",
    "How many soldiers were killed at Dioura?",
    "40 soldiers, as claimed by JNIM: “…” [1]",
    "40",
)
APPROVED = Turn(
    "What did the Port Alder council approve?",
    "What did the Port Alder council approve?",
    "a tram line: “…” [1]",
    "a tram line",
)
VERDICT = Turn(
    "Did Northgate Rovers win the cup final?",
    "Did Northgate Rovers win the cup final?",
    "Yes: “…” [1]",
    "Yes",
)
PROFILE = Turn("Who is Michael Langley?", "Who is Michael Langley?", "“…” [1]")


@pytest.mark.parametrize(
    ("history", "question", "standalone"),
    [
        # The slot: the previous answer takes the place of "who".
        ([ELECTION], "by how many votes?", "By how many votes did Jane Doe win the mayoral election?"),
        # "that" is the place the previous question named last.
        ([KILLED], "where is that?", "Where is Dioura?"),
        ([KILLED], "and what was it?", "What was Dioura?"),
        ([ELECTION], "By what margin?", "By what margin did Jane Doe win the mayoral election?"),
        ([ELECTION], "why?", "Why did Jane Doe win the mayoral election?"),
        ([ELECTION], "how come?", "Why did Jane Doe win the mayoral election?"),
        ([ELECTION], "and when?", "When did Jane Doe win the mayoral election?"),
        ([ELECTION], "how?", "How did Jane Doe win the mayoral election?"),
        ([ELECTION], "who said that?", "Who said that Jane Doe won the mayoral election?"),
        ([ELECTION], "has she resigned?", "Has Jane Doe resigned?"),
        ([ELECTION], "Is she still mayor?", "Is Jane Doe still mayor?"),
        ([ELECTION], "and in Port Alder?", "Who won the mayoral election in Port Alder?"),
        ([PARTY], "why?", "Why did the Green Party win the regional election?"),
        ([PARTY], "who says so?", "Who said that the Green Party won the regional election?"),
        ([KILLED], "why?", "Why were 40 soldiers killed at Dioura?"),
        ([KILLED], "and at Timbuktu?", "How many soldiers were killed at Timbuktu?"),
        ([APPROVED], "why?", "Why did the Port Alder council approve a tram line?"),
        ([VERDICT], "by how many goals?", "By how many goals did Northgate Rovers win the cup final?"),
        # A follow-up of a follow-up still refers to the question that named its subject.
        (
            [ELECTION, Turn("by how many votes?", "By how many votes did Jane Doe win …?", "…")],
            "why?",
            "Why did Jane Doe win the mayoral election?",
        ),
        # No safe clause: the subject is carried along instead.
        ([PROFILE], "why?", "why (regarding: Michael Langley)?"),
        # A verdict is not a name.
        ([VERDICT], "has she resigned?", "has she resigned (regarding: Northgate Rovers win the cup final)?"),
        # A question that stands on its own is left alone.
        ([ELECTION], "Why did the tram line cost so much?", "Why did the tram line cost so much?"),
    ],
)  # fmt: skip
def test_followup_is_rewritten(history, question, standalone):
    assert condense_question(question, history) == standalone


def test_why_is_never_the_previous_question_again():
    rewritten = condense_question("why?", [ELECTION])
    assert rewritten.lower().startswith("why") and rewritten != ELECTION.standalone


@pytest.mark.parametrize(
    ("past", "base"),
    [
        ("won", "win"),
        ("approved", "approve"),
        ("died", "die"),
        ("killed", "kill"),
        ("stopped", "stop"),
        ("opened", "open"),
        ("visited", "visit"),
        ("decided", "decide"),
        ("carried", "carry"),
        ("raised", "raise"),
        ("leads", "lead"),
        ("passes", "pass"),
    ],
)
def test_base_form(past, base):
    assert base_form(past) == base


# --- through the chain ------------------------------------------------------------------------

ARTICLES = [
    Article(
        id="vh-1",
        title="Jane Doe elected mayor of Vellhaven",
        source="Vellhaven Post",
        published=date(2024, 5, 6),
        url="https://example.org/post/doe-elected",
        text=(
            "Jane Doe won the mayoral election in Vellhaven on Sunday, beating the incumbent "
            "Karl Berger by 1,204 votes. Doe, a former schoolteacher, campaigned on cheaper "
            "buses and a new public library. Turnout was 61%, the highest in two decades. "
            "Doe won because voters in the eastern districts turned against Berger over the "
            "closure of two clinics, exit polls suggested."
        ),
    ),
    Article(
        id="vh-2",
        title="Vellhaven council backs harbour dredging plan",
        source="Vellhaven Post",
        published=date(2024, 5, 8),
        url="https://example.org/post/dredging",
        text=(
            "Vellhaven's council voted 23 to 8 on Wednesday to approve a plan to dredge the "
            "harbour. The work will start in the autumn and cost 2.5 million euros."
        ),
    ),
]


@pytest.fixture(scope="module")
def chain(tmp_path_factory, shared_embeddings):
    components = make_components(tmp_path_factory.mktemp("followups") / "data", shared_embeddings)
    report = components.ingestor.ingest_items(ARTICLES)
    assert len(report.added) == len(ARTICLES), report
    return components.chain


def test_the_rewritten_question_is_what_the_chain_answers(chain):
    first = chain.ask("Who won the mayoral election in Vellhaven?")
    turn = Turn(first.question, first.question, first.answer, first.short_answer)
    answer = chain.ask("by how many votes?", history=[turn])
    if first.short_answer and "Doe" in first.short_answer:
        assert answer.standalone_question.startswith("By how many votes did")
        assert "Doe" in answer.standalone_question
    # The election's margin, never the council's unrelated tally.
    assert "23 to 8" not in answer.answer


def test_why_followup_gets_a_reason_not_the_previous_quote(chain):
    election = Turn(
        "Who won the mayoral election in Vellhaven?",
        "Who won the mayoral election in Vellhaven?",
        "Jane Doe: “Jane Doe won the mayoral election in Vellhaven on Sunday …” [1]",
        "Jane Doe",
    )
    answer = chain.ask("why?", history=[election])
    assert answer.standalone_question == "Why did Jane Doe win the mayoral election in Vellhaven?"
    assert answer.status == "answered"
    assert any("because" in c.quote for c in answer.citations)
    # Not the sentence that answered "who won?": that is no reason.
    assert not any(c.quote.startswith("Jane Doe won the mayoral") for c in answer.citations)
