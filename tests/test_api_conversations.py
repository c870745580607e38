"""Follow-up rewriting (rule-based) and the SQLite conversation store. No model needed."""

from __future__ import annotations

import threading

import pytest

from api.state.conversations import ConversationStore
from rag.answer.condense import Turn, condense_question
from rag.schema import Answer, Citation

DIOURA = Turn(
    "How many soldiers died at Dioura?",
    "How many soldiers died at Dioura?",
    "40 soldiers, as claimed by JNIM (not independently confirmed): “…” [1]",
    "40 soldiers",
)
TIMBUKTU = Turn(
    "How many attackers were killed at Timbuktu?",
    "How many attackers were killed at Timbuktu?",
    "13 attackers, according to the army: “…” [1]",
    "13 attackers",
)
NORLAND = Turn(
    "When did the central bank of Norland cut its rate?",
    "When did the central bank of Norland cut its rate?",
    "Thursday 5 June 2025: “…” [1]",
    "Thursday 5 June 2025",
)
CUP = Turn("Who won the cup final?", "Who won the cup final?", "Northgate Rovers: “…” [1]")


@pytest.mark.parametrize(
    ("history", "question", "standalone"),
    [
        ([], "and at Timbuktu?", "and at Timbuktu?"),
        ([DIOURA], "and at Timbuktu?", "How many soldiers died at Timbuktu?"),
        ([DIOURA], "And at Timbuktu?", "How many soldiers died at Timbuktu?"),
        ([DIOURA], "what about Boulikessi?", "How many soldiers died at Boulikessi?"),
        ([DIOURA], "and Timbuktu?", "How many soldiers died at Timbuktu?"),
        ([DIOURA], "and in Burkina Faso?", "How many soldiers died in Burkina Faso?"),
        ([DIOURA], "and at the Timbuktu camp?", "How many soldiers died at the Timbuktu camp?"),
        ([DIOURA], "and in 2024?", "How many soldiers died at Dioura in 2024?"),
        ([DIOURA], "who said that?", "Who said that 40 soldiers died at Dioura?"),
        ([DIOURA], "Who said so?", "Who said that 40 soldiers died at Dioura?"),
        ([DIOURA], "according to whom?", "Who said that 40 soldiers died at Dioura?"),
        ([DIOURA], "and who said that?", "Who said that 40 soldiers died at Dioura?"),
        ([TIMBUKTU], "who said that?", "Who said that 13 attackers were killed at Timbuktu?"),
        (
            [NORLAND],
            "who said that?",
            "Who said that (regarding: the central bank of Norland cut its rate)?",
        ),
        # A bare question phrase is asked of the previous question (issue 10, item 6).
        ([NORLAND], "by how much?", "By how much did the central bank of Norland cut its rate?"),
        ([CUP], "what was the score?", "what was the score (regarding: won the cup final)?"),
        ([CUP], "when was it played?", "when was it played (regarding: won the cup final)?"),
        # A question that stands on its own is left alone.
        ([DIOURA], "Who won the cup final?", "Who won the cup final?"),
        ([DIOURA], "And who won the cup final?", "Who won the cup final?"),
        (
            [DIOURA],
            "What did the Reserve Bank of Norland decide?",
            "What did the Reserve Bank of Norland decide?",
        ),
        # Follow-ups of follow-ups refer to the last question that named its subject.
        (
            [DIOURA, Turn("who said that?", "Who said that 40 soldiers died at Dioura?", "JNIM")],
            "and at Timbuktu?",
            "How many soldiers died at Timbuktu?",
        ),
        (
            [DIOURA, Turn("and at Timbuktu?", "How many soldiers died at Timbuktu?", "…", "13")],
            "and at Boulikessi?",
            "How many soldiers died at Boulikessi?",
        ),
    ],
)
def test_condense_question(history, question, standalone):
    assert condense_question(question, history) == standalone


def test_turn_keeps_its_positional_signature():
    turn = Turn("q", "s", "a")
    assert (turn.question, turn.standalone, turn.answer, turn.short_answer) == ("q", "s", "a", None)


def _answer(question: str, n: int = 0, **kw) -> Answer:
    citation = Citation(
        marker=1,
        article_id="a1",
        chunk_id="c1",
        title="Title",
        passage="The army said 13 attackers were killed.",
        quote="The army said 13 attackers were killed.",
        start=0,
        end=39,
        passage_start=0,
        passage_end=39,
    )
    return Answer(
        question=question,
        answer=f"answer {n} [1]",
        short_answer=f"{n}",
        status="answered",
        citations=[citation],
        **kw,
    )


def test_store_round_trip_and_restart(tmp_path):
    path = tmp_path / "app.sqlite3"
    store = ConversationStore(path)
    cid = store.create(owner="key1")
    assert store.exists(cid) and store.head(cid).owner == "key1"
    store.add_turn(cid, _answer("How many soldiers died at Dioura?", 1))
    store.add_turn(
        cid,
        _answer("and at Timbuktu?", 2, standalone_question="How many soldiers died at Timbuktu?"),
    )

    reopened = ConversationStore(path)  # a restart: a new object over the same file
    convo = reopened.get(cid)
    assert [t.question for t in convo.turns] == [
        "How many soldiers died at Dioura?",
        "and at Timbuktu?",
    ]
    assert [t.standalone_question for t in convo.turns] == [
        "How many soldiers died at Dioura?",
        "How many soldiers died at Timbuktu?",
    ]
    assert convo.turns[1].citations[0].quote == "The army said 13 attackers were killed."
    history = reopened.history(cid, limit=1)
    assert history == [
        Turn("and at Timbuktu?", "How many soldiers died at Timbuktu?", "answer 2 [1]", "2")
    ]
    assert reopened.delete(cid) and not reopened.exists(cid) and reopened.get(cid) is None
    assert not reopened.delete(cid)


def test_store_ensure_is_idempotent_and_ids_are_unguessable(tmp_path):
    store = ConversationStore(tmp_path / "app.sqlite3")
    assert store.ensure("slack:T:C:1.2", owner="slack", channel="C") == "slack:T:C:1.2"
    assert store.ensure("slack:T:C:1.2", owner="other") == "slack:T:C:1.2"
    head = store.head("slack:T:C:1.2")
    assert head.owner == "slack" and head.meta == {"channel": "C"}
    ids = {store.create() for _ in range(50)}
    assert len(ids) == 50 and all(len(i) >= 20 for i in ids)


def test_concurrent_turns_get_distinct_indexes(tmp_path):
    store = ConversationStore(tmp_path / "app.sqlite3")
    cid = store.create()
    threads = [
        threading.Thread(target=store.add_turn, args=(cid, _answer(f"q{i}", i))) for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    turns = store.get(cid).turns
    assert sorted(t.index for t in turns) == list(range(8))
