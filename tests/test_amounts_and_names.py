"""General rules found by asking five articles nobody here wrote plain questions (issue 10,
twelfth session): how much is an amount, an acronym may be spelled out, a surname the question
says alone is that person, a lone surname is a person where the full name is, capitals closed by
the asked category are one of it, a subhead says what the lines under it are about, a thing is
named after "called". Sentences invented here."""

from __future__ import annotations

import pytest

from rag.answer.answer_type import expected_answer
from rag.answer.candidates import candidates
from rag.answer.evidence import _one_named, _surname_of_someone, subhead
from rag.answer.name_candidates import named
from rag.answer.number_candidates import AMOUNT_COUNT_FIT, numeric
from rag.answer.question import analyse
from rag.answer.spans import Candidate, key_of
from rag.models.nlp import Entity
from rag.text.acronyms import spelled_out
from rag.text.tokens import stem


@pytest.mark.parametrize(
    ("question", "kind", "amount"),
    [
        ("How much sugar is in a large Fizz Cola?", "count", True),
        ("How much did the shares fall on Monday?", "count", True),
        ("By how much have ticket prices increased?", "count", True),  # a change, not a price
        ("How much is a Charged Soda charged at?", "money", False),  # the verb, not the name
        ("How much did the bridge cost?", "money", False),
        ("How much money did the charity raise?", "money", False),
        ("How tall is the new tower?", "count", True),
        ("How far is Orlo from the coast?", "count", True),
        ("How many turkeys were pardoned?", "count", False),
    ],
)
def test_how_much_asks_for_an_amount_of_anything(question, kind, amount):
    expected = expected_answer(question)
    assert (expected.kind, expected.amount) == (kind, amount)


def _amounts(sentence: str) -> dict[str, float]:
    return {c.text: c.fit for c in numeric(sentence, expected_answer("How much?"), [])}


@pytest.mark.parametrize(
    ("sentence", "amount"),
    [
        ("The adult bulls weigh 3,500 to 5,000 pounds.", "3,500 to 5,000 pounds"),
        ("A large cup holds 300 mg of caffeine.", "300 mg"),
        ("The lake could warm by as much as 3.1 C by 2080.", "3.1 C"),
        ("They stand 4½ to 5½ feet tall.", "4½ to 5½ feet"),
        ("Shares had fallen 12% for the year.", "12%"),
        ("The painting fetched $4.2 million at auction.", "$4.2 million"),
    ],
)
def test_an_amount_keeps_its_unit_and_range(sentence, amount):
    assert _amounts(sentence)[amount] == 1.0


def test_a_number_counting_things_is_less_of_an_amount():
    found = _amounts("Two prize hens weighing 9 and 11 pounds were shown.")
    assert found["9 and 11 pounds"] == 1.0
    assert found["Two"] == AMOUNT_COUNT_FIT


def test_a_letter_after_a_number_is_no_degree_when_a_word_goes_on():
    assert not any("F" in a for a in _amounts("The air force sent 4 F-16s and 2 C.J. planes."))


@pytest.mark.parametrize(
    ("acronym", "text", "spelled"),
    [
        ("CEO", "the finance chief will step in as interim chief executive officer", True),
        ("PETA", "People for the Ethical Treatment of Animals urged the president", True),
        ("DOD", "the Department of Defense said", True),
        ("CEO", "he could end our talks", False),  # short lower-case words are no name
        ("FBI", "the bureau said", False),
        ("Dune", "Dark united nations empire", False),  # no acronym
    ],
)
def test_an_acronym_spelled_out(acronym, text, spelled):
    assert spelled_out(acronym, text) is spelled


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("Who wants Marsh to end the parade?", {"marsh"}),
        ("Who is Marsh's son?", set()),  # another Marsh
        ("Which of Alan Marsh's children spoke?", set()),  # a full name
    ],
)
def test_a_surname_the_question_says_alone(question, alone):
    assert analyse(question).names_alone == alone


def test_the_person_a_lone_surname_names_is_no_answer():
    def cand(text):
        return Candidate(text, 0, len(text), 1.0, key_of(text))

    names = frozenset({"marsh"})
    assert _one_named(cand("Alan Marsh"), names)
    assert not _one_named(cand("Nora Pike"), names)
    assert not _one_named(cand("Marsh"), names)  # the name itself, which other rules drop


def test_a_lone_surname_is_a_person_where_the_full_name_is():
    read = Entity("Pellow", "GPE", 0, 6)
    assert _surname_of_someone(read, {"Pellow"}).label == "PERSON"
    assert _surname_of_someone(read, {"Other"}).label == "GPE"
    assert _surname_of_someone(Entity("Jordan", "GPE", 0, 6), {"Jordan"}).label == "GPE"
    # A title may bear a character's name: "Lightyear", the film of "Buzz Lightyear".
    title = Entity("Starhold", "WORK_OF_ART", 0, 8)
    assert _surname_of_someone(title, {"Starhold"}).label == "WORK_OF_ART"


def test_capitals_closed_by_the_asked_category_are_one_of_it():
    sentence = "Only one park, Korro East National Park in Tanzania, would get more rain."
    at = sentence.index("Korro")
    ents = [
        Entity("Korro East National Park", "PERSON", at, at + 24),
        Entity("Tanzania", "GPE", sentence.index("Tanzania"), sentence.index("Tanzania") + 8),
    ]
    found = {c.text: c.fit for c in named(sentence, "place", ents, [], "park")}
    assert found["Korro East National Park"] == 1.0


def test_a_country_is_no_park_and_a_university_of_somewhere_is_a_university():
    sentence = "Only one park, Korro East National Park in Tanzania, would get more rain."
    at, t = sentence.index("Korro"), sentence.index("Tanzania")
    ents = [
        Entity("Korro East National Park", "FAC", at, at + 24),
        Entity("Tanzania", "GPE", t, t + 8),
    ]
    fits = {
        c.text: c.fit
        for c in candidates(
            sentence, expected_answer("Which park would get more rain?"), ents, {"park", "rain"}
        )
    }
    assert fits["Korro East National Park"] > 0.9 > 0.5 > fits["Tanzania"]
    sentence = "A team at the University of Wessex led the study."
    u = sentence.index("University")
    ents = [Entity("the University of Wessex", "ORG", u - 4, u + 20)]
    fits = {
        c.text: c.fit
        for c in candidates(
            sentence,
            expected_answer("Which university led the study?"),
            ents,
            {"univers", "led", "studi"},
        )
    }
    assert fits["University of Wessex"] > 1.0  # fmt: skip


@pytest.mark.parametrize(
    ("line", "heads"),
    [
        ("Grey whales:", True),
        ("Who is Nora Pike?", True),
        ("Taking over as chief of the port", True),
        ("The whales weigh 30 tons.", False),
        ("“Why would we leave?” she asked, “We live here?”", False),  # a quotation
        ("Scientists have not yet said how many of the grey whales that passed the cape last spring came back", False),
    ],
)  # fmt: skip
def test_a_subhead_is_a_short_line_with_no_closing_stop(line, heads):
    assert subhead(line) is heads


def test_a_thing_named_after_called_is_a_candidate_whole():
    sentence = "She had a lung condition called grey reed syndrome type 2, which made her tired."
    found = named(sentence, "thing", [], [], stem("condition"))
    assert "grey reed syndrome type 2" in {c.text for c in found}


@pytest.mark.parametrize(
    ("question", "kind", "noun"),
    [
        ("What was the bank's annual profit?", "money", None),
        ("What were the retailer's annual sales?", "money", None),
        ("What is the lake's water level?", "count", None),  # a measure: amount
        ("Which is the country's second-largest reservoir?", "place", "reservoir"),
        ("Which team's owner was fined?", "org", "team"),  # the wh-word's own noun is asked
        ("What were last year's birds named?", "thing", None),  # a name, not a bird
    ],
)
def test_after_is_an_owner_says_whose_and_the_noun_after_is_asked(question, kind, noun):
    expected = expected_answer(question)
    assert (expected.kind, expected.noun_text) == (kind, noun)


def test_a_count_after_from_opens_a_range_only_when_one_follows():
    kinds = expected_answer("How many participants were in the study?")
    found = {c.text for c in numeric("The study used data from 360,000 participants.", kinds, [])}
    assert "360,000" in found
    ranged = "Enrolment grew from 4,000 to 5,500 pupils."
    assert "4,000" not in {c.text for c in numeric(ranged, expected_answer("How many pupils?"), [])}


def test_the_role_before_of_is_asked_the_name_after_is_the_subject():
    assert analyse("Who is the CEO of Bank of Wessex?").focus == ["Bank of Wessex"]
    assert analyse("Who won the Battle of Orlo?").focus == ["Battle of Orlo"]


def _supported(sentence: str, short: str, weight: float, rivals: tuple[str, ...] = (), focus=1.0):
    from rag.answer.evidence import Evidence, Scored
    from rag.schema import Passage

    passage = Passage(chunk_id="c", article_id="a", title="Ferry", text=sentence, start=0,
                      end=len(sentence))  # fmt: skip
    e = Evidence(0, passage, 0, len(sentence))
    e.focus, e.lexical = focus, 1.0
    names = (short, *rivals)
    e.scored = [
        Scored(
            Candidate(n, sentence.index(n), sentence.index(n) + len(n), 1.0, key_of(n)), 1.0, 1.0
        )
        for n in names
    ]
    return (weight, e, e.scored[0])


def test_the_quote_names_the_fewest_rivals_but_no_less_of_the_question():
    from rag.answer.extractive import _least_crowded
    from rag.answer.pooling import Pooled

    crowded = _supported(
        "Her Orlo Storm lost to the Kesh Aces on Tuesday.", "Orlo Storm", 1.0, ("Kesh Aces",)
    )
    alone = _supported("She played 19 seasons for the Orlo Storm.", "Orlo Storm", 0.9)
    elsewhere = _supported("The Orlo Storm also won in Tarn.", "Orlo Storm", 0.95, focus=0.0)
    rival = Pooled(key_of("Kesh Aces"), 0.5, 0.5, [])
    win = Pooled(key_of("Orlo Storm"), 1.5, 1.0, [crowded, elsewhere, alone])
    e, _ = _least_crowded(win, [rival], 1.0, crowded[1:])
    assert e.text.startswith("She played")
    win = Pooled(key_of("Orlo Storm"), 1.5, 1.0, [crowded, elsewhere])
    e, _ = _least_crowded(win, [rival], 1.0, crowded[1:])
    assert e.text.startswith("Her Orlo Storm")  # the other sentence is about less of it


def test_a_company_title_is_no_part_of_a_person_name():
    from rag.answer.extractive import _ends_a_name

    head = ["Bank", "of", "Orlo", "CEO"]
    assert _ends_a_name(head, 3, analyse("Who runs the bank?"))
    assert not _ends_a_name(["President"], 0, analyse("Who runs the bank?"))


def test_a_duration_keeps_its_range():
    found = numeric(
        "A nap of 15 to 20 minutes is best.", expected_answer("How long should a nap be?"), []
    )
    assert [c.text for c in found] == ["15 to 20 minutes"]


def test_a_one_word_name_called_so_keeps_its_category():
    from rag.answer.extractive import short_answer

    sentence = "Carriers of a rare gene variant called Tarnmouth were spared."
    _, e, scored = _supported(sentence, "Tarnmouth", 1.0)
    assert (
        short_answer(analyse("What is the name of the rare variant?"), e, scored)
        == "Tarnmouth variant"
    )
