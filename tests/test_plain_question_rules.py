"""General rules found by asking the seed article plain questions (issue 10): a name spelled out
before its acronym, words for the same act, a name that qualifies another, a weekday of a dated
article, where a place lies, and a hedge that belongs to another sentence. Sentences invented
here."""

from __future__ import annotations

import pytest

from rag.answer.answer_type import Expected, expected_answer
from rag.answer.candidates import candidates
from rag.answer.expansion import asked_acronym
from rag.answer.name_candidates import named
from rag.answer.number_candidates import dates
from rag.answer.spans import key_of
from rag.models.nlp import Entity
from rag.text.acronyms import expansions
from rag.text.tokens import stem


@pytest.mark.parametrize(
    ("text", "long_form", "acronym"),
    [
        ("fighters of Jamaat Nasr al-Islam wal Muslimin (JNIM) said", "Jamaat Nasr al-Islam wal Muslimin", "JNIM"),
        ("the Federal Bureau of Investigation (FBI) said", "Federal Bureau of Investigation", "FBI"),
        ("the Centers for Disease Control and Prevention (CDC).", "Centers for Disease Control and Prevention", "CDC"),
        ("a report by the Armed Conflict Location and Event Data Project (ACLED)", "Armed Conflict Location and Event Data Project", "ACLED"),
    ],
)  # fmt: skip
def test_a_long_form_is_found_before_its_acronym(text, long_form, acronym):
    (found,) = expansions(text)
    assert (found.long_form, found.acronym) == (long_form, acronym)
    assert text[found.start : found.end] == long_form


@pytest.mark.parametrize(
    "text",
    [
        "said Senator Jane Smith (R-Texas)",  # a party and state, not an acronym
        "the company said (Reuters)",  # a credit
        "the new rules (PDF) were published",  # no words that spell it
        "the agency (FBI) said",  # lower-case words are no name
    ],
)
def test_brackets_that_spell_no_name(text):
    assert expansions(text) == []


def test_the_long_form_and_its_acronym_pool_together():
    assert key_of("Federal Bureau of Investigation (FBI)") == key_of("FBI")


@pytest.mark.parametrize(
    ("question", "acronym"),
    [
        ("What does JNIM stand for?", "JNIM"),
        ("what does the FBI stand for", "FBI"),
        ("What is NATO short for?", "NATO"),
        ("What is ACLED an acronym for?", "ACLED"),
        ("What is the full name of the CDC?", "CDC"),
        ("What does the army stand for?", None),  # a word, not an acronym
        ("What did JNIM claim?", None),
    ],
)
def test_questions_that_ask_an_acronym_spelled_out(question, acronym):
    assert asked_acronym(question) == acronym


@pytest.mark.parametrize(
    ("a", "b"),
    [("repelled", "repel"), ("stopped", "stop"), ("killed", "kill"), ("passes", "pass"),
     ("controlled", "controls"), ("planned", "plan")],
)  # fmt: skip
def test_a_doubled_final_consonant_stems_alike(a, b):
    assert stem(a) == stem(b)


def test_a_name_that_qualifies_another_is_not_it():
    sentence = "Fighters of an Al-Qaeda-linked group, the Dune Front, overran the base."
    ents = [Entity("Al-Qaeda", "ORG", 15, 23), Entity("the Dune Front", "ORG", 38, 52)]
    expected = Expected("org", stem("group"), "group")
    fits = {c.text: c.fit for c in candidates(sentence, expected, ents, {stem("overran")})}
    assert fits["Al-Qaeda"] < fits["Dune Front"]
    # Unless the question asks that very link.
    linked = {c.text: c.fit for c in candidates(sentence, expected, ents, {stem("linked")})}
    assert linked["Al-Qaeda"] > fits["Al-Qaeda"]


def test_a_weekday_is_a_day_when_the_article_is_dated():
    sentence = "The rebels attacked the town on Monday."
    ents = [Entity("Monday", "DATE", 32, 38)]
    undated = dates(sentence, Expected("date", date_part="date"), ents)
    dated = dates(sentence, Expected("date", date_part="date"), ents, dated=True)
    assert dated[0].fit > undated[0].fit
    # A year is still asked for by its digits.
    assert dates(sentence, Expected("date", date_part="year"), ents, dated=True) == []


def test_countries_listed_as_one_name_are_each_a_country():
    """NER reads "Mali, Burkina Faso" as one organisation."""
    sentence = "Mali, Burkina Faso and Niger left the bloc."
    ents = [Entity("Mali, Burkina Faso", "ORG", 0, 18), Entity("Niger", "PERSON", 23, 28)]
    found = named(sentence, "place", ents, [], stem("country"))
    assert [c.text for c in found] == ["Mali", "Burkina Faso", "Niger"]


def test_where_a_place_lies_is_a_place_tied_to_it():
    sentence = "The raid on Kora, near the Lake Chad border, came as troops left Ndjamena."
    ents = [
        Entity("Kora", "GPE", 12, 16),
        Entity("Lake Chad", "LOC", 27, 36),
        Entity("Ndjamena", "GPE", 66, 74),
    ]
    where = Expected("place", locate=True)
    fits = {c.text: c.fit for c in candidates(sentence, where, ents, {stem("kora")})}
    assert fits["Lake Chad"] > fits["Ndjamena"]


def test_how_someone_described_it_asks_for_their_words():
    asked = expected_answer("How did the army describe the situation?")
    assert (asked.kind, asked.quoted) == ("thing", True)
    assert expected_answer("How did the army retreat?").kind is None
    sentence = 'Near Kora, the army said its troops fought "bravely".'
    ents = [Entity("Kora", "GPE", 5, 9)]
    found = {c.text: c.fit for c in candidates(sentence, asked, ents, {stem("army")})}
    assert found["bravely"] > found["Kora"]


def test_unverified_evidence_in_the_next_sentence_is_no_hedge_on_this_one():
    from rag.answer.wording import unconfirmed_after

    said = "The army said its forces fought hard before withdrawing."
    assert not unconfirmed_after(said, "Unverified footage showed bodies at the camp.")
    assert unconfirmed_after(said, "The account remains unverified.")


def test_a_name_listed_among_people_is_a_person():
    sentence = "The show will feature models including Lima, Banks, Gigi Hadid and Kate Moss."
    ents = [
        Entity("Lima", "GPE", 39, 43),
        Entity("Banks", "PERSON", 45, 50),
        Entity("Gigi Hadid", "PERSON", 52, 62),
        Entity("Kate Moss", "PERSON", 67, 76),
    ]
    (lima,) = candidates(sentence, Expected("place"), ents, {stem("show")})
    alone = candidates(
        "The show was held in Lima.",
        Expected("place"),
        [Entity("Lima", "GPE", 21, 25)],
        {stem("show")},
    )
    assert lima.fit < alone[0].fit


def test_a_weekday_read_back_is_no_answer_to_when_will():
    sentence = "Officials said on Tuesday that the vaccine is coming."
    at = sentence.index("Tuesday")
    ents = [Entity("Tuesday", "DATE", at, at + len("Tuesday"))]
    asked = Expected("date", date_part="date")
    past = candidates(sentence, asked, ents, {stem("vaccine")}, dated=True)
    future = candidates(sentence, asked, ents, {stem("vaccine"), stem("will")}, dated=True)
    assert future[0].fit < past[0].fit
