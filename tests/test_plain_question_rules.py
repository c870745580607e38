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


def test_a_name_made_a_qualifier_is_no_part_of_the_next_name():
    from rag.answer.candidates import qualifier

    assert qualifier("Al-Qaeda-linked") and qualifier("U.S.-led") and qualifier("Kesh-based")
    assert not qualifier("Al-Qaeda") and not qualifier("Jama'a") and not qualifier("led")


def test_a_count_said_less_exactly_pools_with_the_count():
    assert key_of("more than 30") == key_of("over 30") == key_of("at least 30") == key_of("30")
    assert key_of("about 31,000 flights") == key_of("31,000 flights")
    assert key_of("30") != key_of("300")


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


@pytest.mark.parametrize(
    ("question", "object_asked"),
    [
        ("What did the rangers wear?", True),
        ("Who did the rebels target in Orlo?", True),
        ("Which company did Okafor buy?", True),
        ("What are the rebels trying to reach?", True),
        ("Who will the council appoint?", True),
        ("What flooded the valley?", False),  # the subject is asked
        ("Who will win the vote?", False),
        ("Who was elected mayor?", False),
        ("Who has been elected mayor?", False),
        ("What is the capital of Kesh?", False),
        ("What is Kesh's most visited national park?", False),  # an adjective, no verb
        ("What is the Orlo Front accused of?", True),
    ],
)
def test_which_questions_ask_for_what_their_subject_acts_on(parsed, question, object_asked):
    from rag.answer.clauses import asked

    assert asked(parsed(question)).object_asked is object_asked


def test_another_clause_subject_is_no_object_asked_for(parsed):
    from rag.answer.clauses import in_another_subject

    sentence = "The Kesh Ranger Service said the poachers wore green uniforms."
    doc = parsed(sentence)

    def subject(span):
        at = sentence.index(span)
        return in_another_subject(doc, at, at + len(span), frozenset({stem("wear")}))

    assert subject("The Kesh Ranger Service")
    assert not subject("green uniforms")
    # A subject that tells the asked event itself is its object ("which the rebels wore").
    sentence = "The uniforms, which the poachers wore, came from a depot."
    doc = parsed(sentence)
    assert not subject("The uniforms")


def test_who_a_clause_is_about_is_near_all_of_it(parsed):
    from rag.answer.clauses import subject_reach

    sentence = "Last week the Orlo Front said it killed 12 rangers in an assault on the Tarn camp."
    doc = parsed(sentence)
    at = sentence.index("the Orlo Front")
    reach = subject_reach(doc, at + 4, at + len("the Orlo Front"), speech=True)
    assert reach is not None and reach[0] <= sentence.index("Tarn") < reach[1]
    # "said it killed": the speaker's own act, whatever the question asks.
    assert subject_reach(doc, at + 4, at + len("the Orlo Front"), speech=False) == reach
    # Another's act is the speaker's clause only when the question asks about speech.
    sentence = "Last week the Orlo Front said rangers killed 12 poachers at the Tarn camp."
    doc = parsed(sentence)
    assert subject_reach(doc, at + 4, at + len("the Orlo Front"), speech=False) is None
    assert subject_reach(doc, at + 4, at + len("the Orlo Front"), speech=True) is not None


def test_a_nationality_before_a_body_of_people_names_them():
    sentence = "The Kesh army repelled the raid, and Varnian mercenaries fled."
    entities = [Entity("Kesh", "NORP", 4, 8), Entity("Varnian", "NORP", 37, 44)]
    found = {c.text: c.fit for c in named(sentence, "person", entities, [])}
    assert found["Kesh army"] > found["Kesh"]
    assert "Varnian mercenaries" in found


def test_a_heading_name_the_sentences_never_name_counts_less():
    from rag.answer.evidence import HEADING_ONLY, Scored, _named_in_the_body
    from rag.answer.spans import Candidate

    heading = "Tarn Camp Raided By Orlo Front"
    body = "The Orlo Front raided the Tarn camp on Monday."

    def scored(span):
        at = heading.index(span)
        return Scored(Candidate(span, at, at + len(span), 1.0, key_of(span)), 1.0, 1.0)

    found = _named_in_the_body([scored("Camp Raided"), scored("Orlo Front")], body)
    assert [s.score for s in found] == [HEADING_ONLY, 1.0]


def test_a_concession_hedges_only_what_it_concedes():
    from rag.answer.wording import frame

    sentence = "Although exact tolls remain unconfirmed, the floods mark a sharp rise in damage."
    rise = sentence.index("a sharp rise")
    assert frame(sentence, (rise, rise + len("a sharp rise"))) is None
    plain = "The toll of 12 remains unconfirmed."
    held = frame(plain, (plain.index("12"), plain.index("12") + 2))
    assert held is not None and held.unverified


def test_last_week_is_a_when_only_in_a_dated_article():
    sentence = "The envoy warned last week that the river would flood."
    at = sentence.index("last week")
    entities = [Entity("last week", "DATE", at, at + len("last week"))]
    expected = Expected("date", date_part="date")
    (found,) = dates(sentence, expected, entities, dated=True)
    assert found.text == "last week" and found.fit < 1.0
    assert dates(sentence, expected, entities, dated=False) == []


def test_a_name_where_news_puts_a_place_is_a_place_when_ner_read_nothing():
    sentence = "Rangers repelled a raid in Orlo on Monday, near Kesh, and sites like Tarnby."
    monday = sentence.index("Monday")
    kesh = sentence.index("Kesh")
    entities = [Entity("Monday", "DATE", monday, monday + 6), Entity("Kesh", "GPE", kesh, kesh + 4)]
    found = {c.text: c.fit for c in named(sentence, "place", entities, [])}
    assert found["Kesh"] == 1.0  # NER's place as before
    assert 0 < found["Orlo"] < 1.0 and 0 < found["Tarnby"] < 1.0
    assert "Monday" not in found


def test_capitals_ner_missed_name_the_group_it_read_elsewhere():
    sentence = "JUST WATCHED Orlo-backed KLF fighters raided the camp, the UN said."
    un = sentence.index("UN ")
    entities = [Entity("UN", "ORG", un, un + 2)]
    known = frozenset({"KLF", "UN", "JUST", "WATCHED"})  # NER read each in some sentence
    found = {c.text for c in named(sentence, "person", entities, [], known=known)}
    assert "KLF" in found and "UN" in found  # NER's own, once
    assert not found & {"JUST", "WATCHED"}
    # Capitals NER read as a name nowhere are no name ("WRFC Trading Limited").
    assert "KLF" not in {c.text for c in named(sentence, "person", entities, [])}


def test_the_question_own_word_is_nearer_than_its_kin():
    from rag.answer.evidence import Evidence, place, question_stems
    from rag.answer.question import analyse
    from rag.models.nlp import pattern_entities
    from rag.schema import Passage

    text = (
        "Early in May the militia said it killed 12 rangers in a raid on Kesh camp, and more "
        "than 90 rangers are estimated to have died in the three provinces since the month began."
    )
    passage = Passage(chunk_id="c", article_id="a", title="t", text=text, start=0, end=len(text))
    question = "How many rangers are estimated to have died since the start of May?"
    q = analyse(question)
    e = Evidence(0, passage, 0, len(text))
    found = candidates(text, q.expected, pattern_entities(text), question_stems(question))
    score = {c.text: place(q, e, c).score for c in found}
    assert score["more than 90"] > score["12"]


def test_a_date_of_the_saying_is_no_date_of_what_is_said(parsed):
    from rag.answer.clauses import said_when

    def dates_saying(sentence, span):
        at = sentence.index(span)
        return said_when(parsed(sentence), at, at + len(span))

    sentence = "Kesh Air said on Sunday it has reached a tentative agreement with its pilots."
    assert dates_saying(sentence, "Sunday")
    assert not dates_saying("The deal must be approved on Thursday by the union.", "Thursday")


def test_an_event_name_is_no_place_a_count_belongs_to():
    from rag.answer.parsing import parse
    from rag.answer.question import analyse
    from rag.models.nlp import NLP
    from rag.settings import Settings

    nlp = NLP(Settings().spacy_model)
    q = analyse("How many firefighters are fighting the Orlo Fire?")
    q.refine(parse(nlp, q.text))
    assert "Orlo Fire" in q.not_places
