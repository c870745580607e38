"""General rules found by asking four more articles nobody here wrote plain questions (issue 10,
fifteenth session): a surname names the person its article writes in full, a place in the
description set off after the asked name is that name's, "99 cents" is money, a day NER misses
before a noun is a date, a page's "Updated …" line tells nothing, a founding member founded,
an earlier state is no answer for "now", "have a host" asks about the host, "host-less" says
there is none, "The chain ranking highest: X" names one, "Wendy's was" keeps its "'s", accuracy
is a percentage, "AI" is "artificial intelligence", a state's own name is a place, "Boeing's
Starliner" is the Boeing spacecraft. Sentences and the articles are invented here."""

from __future__ import annotations

import pytest

from rag.answer.answer_type import asked_roles, expected_answer
from rag.answer.bylines import timestamp
from rag.answer.candidates import candidates
from rag.answer.evidence import _done_by_another, focus_share, question_stems
from rag.answer.extractive import _all_calendar
from rag.answer.number_candidates import dates as numbers_dates
from rag.answer.question import analyse
from rag.models.nlp import Entity
from rag.text.acronyms import spelled_out
from tests.conftest import assert_answers, kesh_herald_chain


def _fits(question: str, sentence: str) -> dict[str, float]:
    found = candidates(sentence, expected_answer(question), [], question_stems(question))
    return {c.text: c.fit for c in found}


def test_a_surname_names_a_person_only_where_the_article_writes_the_name_in_full():
    said = "Varga, the trust's president, has donated $4 million."
    assert focus_share(["Ines Varga"], said) < 0.6
    assert focus_share(["Ines Varga"], said, frozenset({"Ines Varga"})) == 1.0
    # Another name's last word is no mention of it.
    assert focus_share(["Ines Varga"], "Tomas Brandt said so.", frozenset({"Ines Varga"})) == 0


def test_cents_are_money():
    fits = _fits(
        "How much did a carton of eggs sell for?",
        "A carton of eggs had been selling for 99 cents.",
    )
    assert fits == {"99 cents": 1.0}


def test_a_day_before_a_noun_is_a_date_though_ner_missed_it():
    asked = expected_answer("When are the Kesh Awards?")
    found = numbers_dates("The organisers said the Mar. 4 Kesh Awards will go on.", asked, [])
    assert [c.text for c in found] == ["Mar. 4"]
    assert [c.text for c in numbers_dates("It may 5 times.", asked, [])] == []


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Jan. 8, 2026 Updated Jan. 26, 2026, 12:42 a.m. ET", True),
        ("Published 5:01 p.m. ET May 3, 2026 | Updated 7:12 a.m. ET May 4, 2026", True),
        ("The report was updated on May 3, 2026.", False),
        ("Jan. 8, 2026", False),
    ],
)
def test_a_published_or_updated_line_is_a_timestamp(line, stamp):
    assert timestamp(line) is stamp


def test_a_timestamp_line_offers_no_date():
    assert (
        _fits("When are the Kesh Awards?", "Jan. 8, 2026 Updated Jan. 26, 2026, 1:42 p.m. ET") == {}
    )


def test_a_label_with_the_asked_category_names_one_after_its_colon():
    fits = _fits(
        "Which chain ranked highest in order accuracy?",
        "The chain ranking highest in accuracy: Kesh Burgers at 91.6%.",
    )
    assert fits["Kesh Burgers"] >= 0.9


def test_a_name_ending_in_s_before_a_verb_keeps_it():
    sentence = "By comparison, Orlo's was the fastest drive-thru."
    found = candidates(
        sentence,
        expected_answer("Which chain had the fastest drive-thru?"),
        [Entity("Orlo", "ORG", 15, 19)],
        question_stems("Which chain had the fastest drive-thru?"),
    )
    assert "Orlo's" in {c.text for c in found}


def test_accuracy_is_asked_in_percent():
    assert expected_answer("What was Kesh Burgers' order accuracy?").kind == "percent"


def test_two_letter_acronyms_news_writes_out():
    assert spelled_out("AI", "the artificial intelligence program Watson")
    assert spelled_out("EVs", "sales of electric vehicles rose")
    assert not spelled_out("AI", "an annual increase")


def test_a_state_ner_missed_is_a_place():
    fits = _fits("In which state was the winning ticket sold?", "Lucky Vermont ticket wins $1B")
    assert "Vermont" in fits


def test_a_name_owned_by_the_asked_category_s_owner_is_one():
    question = "What is the name of the Orlo spacecraft that was delayed?"
    sentence = "Orlo's Skylark was supposed to launch Tuesday."
    unknown = Entity("Skylark", "PERSON", 7, 14)  # NER reads a name it does not know as a person
    found = candidates(sentence, expected_answer(question), [unknown], question_stems(question))
    assert {c.text: c.fit for c in found}["Skylark"] >= 0.9


def test_a_founding_member_founded():
    assert "founding member" in asked_roles("Who founded the Orlo Trust?")


def test_an_earlier_state_is_no_answer_for_now():
    question = "How much do eggs cost now?"
    assert _fits(question, "Before the flu, eggs had been selling for 99 cents.")["99 cents"] < 1
    assert _fits(question, "Now eggs are selling for $3.")["$3"] == 1.0
    # Asked about before, the earlier state is the answer.
    before = "How much did eggs cost before the flu?"
    assert _fits(before, "Before the flu, eggs had been selling for 99 cents.")["99 cents"] == 1


ARTICLE = """The Orlo Trust will open its new library in Kesh in December, its president said.

Ines Varga, the Orlo Trust's president, spoke at a press conference on Tuesday. "We are proud of
what the trust has built in eight years," she said. The library will hold 40,000 books and a
reading room for children, and its opening is the trust's largest project since its founding.

The trust was founded in 2018 by three teachers. It runs on private donations, and the library
project is expected to cost $12 million in all, the trust said.

Volunteers have painted the reading room and built its shelves since the spring. The city of Kesh
gave the land, and a builder from Orlo laid the floors at cost. Children from four schools chose
the names of the reading room's tables.

The library's garden will have benches, a pond and a small stage for summer readings. Its
architects said the building would use the sun for heat in winter and shade its windows in
summer, and that rain from its roof would water the garden. The trust hopes to open a second
reading room on the upper floor within two years, once the first one has shown how many
children come, and it will ask the city for a bus stop by the door.

Varga, a former teacher, has donated $2 million to the library.

Kesh Bakery, a family shop in Orlo, added a $1 surcharge to cakes for the library fund.

The opening concert will be host-less, the trust said, with readings by children instead of a
master of ceremonies. Founding member Tomas Brandt will read first.
"""


@pytest.fixture(scope="module")
def chain(tmp_path_factory, shared_embeddings):
    folder = tmp_path_factory.mktemp("plain")
    with kesh_herald_chain(
        folder, shared_embeddings, "orlo-library", "A library for Kesh", ARTICLE
    ) as chain:
        yield chain


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("How much has Ines Varga donated to the library?", "$2 million"),
        ("How much is the surcharge at Kesh Bakery?", "$1"),
        ("Who founded the Orlo Trust?", "Tomas Brandt"),
        ("Will the opening concert have a host?", "No"),
    ],
)
def test_plain_questions_of_an_invented_article(chain, question, short):
    assert_answers(chain, question, short)


def test_another_person_doing_the_asked_verb_is_about_them():
    asked = analyse("When did Ines Varga join the Orlo Trust?")
    assert _done_by_another(asked, "Tomas Brandt joined the Orlo Trust in 2019.")
    assert not _done_by_another(asked, "Varga joined the Orlo Trust in 2021.")
    assert not _done_by_another(asked, "She joined the Orlo Trust in 2021.")
    # Not a question about a person's deed.
    assert not _done_by_another(analyse("When did the Orlo Trust open?"), "Kesh opened in 2019.")


def test_a_date_s_fuller_form_is_more_of_the_date_not_the_name_after_it():
    assert _all_calendar(" Aug. 23, ")
    assert not _all_calendar("  Academy Awards")


def test_the_side_after_the_asked_verb_answers_who_was_beaten_or_faced():
    question = "Who did the Orlo Hawks beat to reach the final?"
    sentence = "The Orlo Hawks beat the Kesh Rovers 2-1 in Game 6."
    rovers = Entity("the Kesh Rovers", "ORG", 20, 35)
    found = candidates(sentence, expected_answer(question), [rovers], question_stems(question))
    assert max(c.fit for c in found if "Kesh Rovers" in c.text) == 1.0


def test_a_category_set_off_after_a_name_says_it_is_a_rival_too():
    question = "Which rival emphasizes fresh beef?"
    fits = _fits(question, "Orlo Burgers seeks to head off Kesh Grill, a traditional rival, today.")
    assert fits["Kesh Grill"] >= 0.9


def test_a_relative_clause_with_the_asked_verb_says_who_does_it():
    question = "Who manages the Skylark mission?"
    sentence = "The Kesh Laboratory, which manages the mission, said the test went well."
    lab = Entity("The Kesh Laboratory", "ORG", 0, 19)
    found = candidates(sentence, expected_answer(question), [lab], question_stems(question))
    assert max(c.fit for c in found) >= 0.9


def test_a_title_after_the_name_of_its_body_is_asked_for():
    assert asked_roles("Who is the Kesh State Police spokeswoman?") == {"spokeswoman"}
    assert asked_roles("Who is the Orlo police chief?") == {"police chief"}


def test_a_street_read_as_a_person_is_a_place():
    question = "Where were state police dispatched in Orlo?"
    sentence = "State police were dispatched to Ada Drive in Orlo on Thursday."
    street = Entity("Ada Drive", "PERSON", 32, 41)
    found = candidates(sentence, expected_answer(question), [street], question_stems(question))
    assert {c.text: c.fit for c in found}.get("Ada Drive", 0) >= 0.75
