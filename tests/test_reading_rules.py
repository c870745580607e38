"""General rules found by asking seven more articles nobody here wrote plain questions (issue
10, thirteenth session): a question an article asks answers nothing, a change is not the level
it reached, a forecast is not what happened, a phrase set off beside a name says what it is, a
name may say its own category, a team's record is "2-19". Sentences invented here."""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer.answer_type import expected_answer
from rag.answer.candidates import asks, candidates
from rag.answer.evidence import question_stems
from rag.answer.number_candidates import numeric
from rag.models.nlp import Entity
from rag.schema import Article
from rag.text.verbs import word_key
from tests.conftest import store_of


def _fits(question: str, sentence: str, ents: list[Entity] = ()) -> dict[str, float]:
    found = candidates(sentence, expected_answer(question), list(ents), question_stems(question))
    return {c.text: c.fit for c in found}


def _phrase_fits(
    question: str, sentence: str, phrases: list[str], ents: list[Entity] = ()
) -> dict[str, float]:
    """Fits with these noun phrases of the sentence as candidates too (spaCy's, by hand)."""
    spans = [Entity(p, "NP", sentence.index(p), sentence.index(p) + len(p)) for p in phrases]
    asked = expected_answer(question)
    found = candidates(sentence, asked, list(ents), question_stems(question), spans)
    return {c.text: c.fit for c in found}


def _best(question: str, sentence: str, ents: list[Entity] = ()) -> str:
    fits = _fits(question, sentence, ents)
    return max(fits, key=fits.get)


def _ent(sentence: str, text: str, label: str) -> Entity:
    at = sentence.index(text)
    return Entity(text, label, at, at + len(text))


def test_a_question_the_article_asks_is_recognised():
    assert asks("What is the rarest frog in Kesh?")
    assert asks("“Who else could it be?”")
    assert not asks("The Kesh toad is the rarest frog in the world.")


def test_the_questions_own_superlative_makes_no_answer():
    sentence = "The Orlo newt is the rarest amphibian in the world."
    question = "What is the rarest animal in the world?"
    by_text = _phrase_fits(question, sentence, ["The Orlo newt", "the rarest amphibian"])
    assert by_text["The Orlo newt"] > by_text["rarest amphibian"]


def test_the_copula_says_which_category():
    sentence = (
        "The Kesh toad is the rarest animal in the region, and the Orlo newt is a close second."
    )
    question = "Which animal is the rarest in the region?"
    by_text = _phrase_fits(question, sentence, ["The Kesh toad", "the Orlo newt"])
    assert by_text["The Kesh toad"] > by_text["Orlo newt"]


@pytest.mark.parametrize(
    ("question", "change"),
    [
        ("By how much did Kesh Rail raise its fares?", True),
        ("How much did the bank raise its forecast?", True),
        ("How much did prices rise?", True),
        ("How much money did the charity raise?", False),
        ("How much does a monthly pass cost?", False),
    ],
)
def test_a_change_is_told_from_a_level(question, change):
    assert expected_answer(question).change is change


def test_by_one_sum_to_another_is_the_change_and_the_level():
    sentence = "Kesh Rail raised the monthly pass by $2 to $12.50 on Monday."
    level = {c.text: c.fit for c in numeric(sentence, expected_answer("How much is a pass?"), [])}
    assert level["$12.50"] > level["$2"]
    by = expected_answer("By how much did Kesh Rail raise the pass?")
    change = {c.text: c.fit for c in numeric(sentence, by, [])}
    assert change["$2"] > change["$12.50"]
    moved = "The fare went from $10 to $12.50."
    fits = {c.text: c.fit for c in numeric(moved, expected_answer("How much is the fare?"), [])}
    assert fits["$12.50"] > fits["$10"]


def test_a_forecast_is_weaker_than_what_happened():
    sentence = "Orlo Media added 1.5 million members and expects to add 2 million more by December."
    fits = _fits("How many members did Orlo Media add?", sentence)
    assert fits["1.5 million"] > fits["2 million"]
    # A question that asks for the forecast is answered by it.
    asked = _fits("How many members does Orlo Media expect to add?", sentence)
    assert asked["2 million"] > fits["2 million"]
    # "Earlier in May" is a month, not a "may".
    said = "Earlier in May, the group said it killed 40 soldiers."
    assert _fits("How many soldiers did the group say it killed?", said)["40"] == 1.0


def test_a_number_before_a_word_for_kinds_counts_the_kinds():
    fits = _fits("How many frogs are left?", "Only 70 remain of the five frog species studied.")
    assert fits["five"] < 1.0
    assert _fits("How many frogs are left?", "Two species of frogs live there.")["Two"] < 1.0
    assert _fits("How many frogs are left?", "Only 70 frogs remain.")["70"] == 1.0


def test_a_phrase_set_off_beside_a_name_says_what_it_is():
    sentence = "Kesh's largest grain buyer, Orlovia, has cut its orders by half."
    ents = [_ent(sentence, "Orlovia", "GPE")]
    assert _fits("Who is Kesh's largest grain buyer?", sentence, ents)["Orlovia"] >= 0.9
    # A clause's subject after the comma is no apposition.
    memo = "In a memo shared with Reuters, Kesh Bank CEO Ines Varga said pay would rise."
    ents = [_ent(memo, "Reuters", "ORG"), _ent(memo, "Ines Varga", "PERSON")]
    assert _best("Who is the CEO of Kesh Bank?", memo, ents) == "Ines Varga"
    # Nor is an item of a list.
    listed = "The show spawned inquiries into Brandt's conviction, books, films and podcasts."
    question = "What show spawned inquiries into Brandt's conviction?"
    assert all(fit < 0.9 for fit in _phrase_fits(question, listed, ["books"]).values())


def test_who_did_the_questions_own_verb():
    sentence = "The figures come from an audit released Tuesday by the Kesh Audit Office."
    ents = [_ent(sentence, "Kesh Audit Office", "ORG")]
    assert _fits("Who released the audit?", sentence, ents)["Kesh Audit Office"] >= 0.9


def test_a_presidents_country_is_read_from_the_demonym():
    sentence = (
        "Peruvian President Ana Brandt met former U.S. President Tomas Varga, "
        "and French President Ines Orlo joined them."
    )
    ents = [_ent(sentence, n, "PERSON") for n in ("Ana Brandt", "Tomas Varga", "Ines Orlo")]
    fits = _fits("Who is the president of Peru?", sentence, ents)
    assert fits["Ana Brandt"] > max(fits["Tomas Varga"], fits["Ines Orlo"])


def test_a_name_that_says_its_category_is_one_whatever_ner_read():
    sentence = "Flooding from Hurricane Orlo closed the port last week."
    ents = [_ent(sentence, "Hurricane Orlo", "ORG")]
    assert _fits("Which hurricane closed the port?", sentence, ents)["Hurricane Orlo"] >= 0.8
    law = "The grants come from the $2 billion Clean Rivers Act that Congress passed in May."
    ents = [_ent(law, "Congress", "ORG")]
    by_text = _phrase_fits("Which law created the grants?", law, ["Clean Rivers Act"], ents)
    assert by_text["Clean Rivers Act"] > by_text["Congress"]


def test_where_someone_works_asks_for_an_organisation():
    assert expected_answer("Where does Ines Varga teach?").kind == "org"
    assert expected_answer("Where did the meeting take place?").kind == "place"


@pytest.mark.parametrize(
    ("question", "score"),
    [
        ("What is the Kesh Lions' record?", True),
        ("What was the final score?", True),
        ("What record did the Kesh Lions break?", False),
        ("What is the world record for the mile?", False),
    ],
)
def test_a_teams_record_or_a_score_is_a_result(question, score):
    assert expected_answer(question).score is score


def test_a_result_is_read_as_one_and_the_final_one_wins():
    sentence = "The Kesh Lions are 2-19 after the 1972-73 season's record fell."
    assert _best("What is the Kesh Lions' record?", sentence) == "2-19"
    game = "They led 84-82 into the final period but were outscored 34-18 to lose 116-102."
    assert _best("What was the final score?", game) == "116-102"


def test_agree_and_agreed_are_one_word():
    assert word_key("agree") == word_key("agreed") == word_key("agrees")
    assert word_key("approve") == word_key("approved")


ARTICLE = """What is the tallest tree in Kesh?

The Orlo pine is the tallest tree in Kesh, rising 96 metres above the valley floor.

What is the oldest tree in Kesh?

The Brandt yew is the oldest tree in Kesh, with rings that date it to the ninth century.
"""


@pytest.fixture(scope="module")
def chain(tmp_path_factory, shared_embeddings):
    folder = tmp_path_factory.mktemp("questions")
    article = Article(
        id="kesh-trees",
        title="The trees of Kesh",
        source="Kesh Herald",
        published=date(2026, 11, 2),
        text=ARTICLE,
    )
    components = store_of(folder / "data", shared_embeddings, article)
    yield components.chain
    components.store.catalog.close()


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("What is the tallest tree in Kesh?", "Orlo pine"),
        ("What is the oldest tree in Kesh?", "Brandt yew"),
    ],
)
def test_the_articles_own_questions_are_not_answers(chain, question, short):
    answer = chain.ask(question)
    assert answer.status == "answered", answer.answer
    assert short in (answer.short_answer or ""), answer.answer
    assert "?" not in answer.answer.split("“", 1)[1], answer.answer


def test_an_age_set_off_after_a_name_answers_how_old():
    said = "During the show, Varga, 29, said she was hoping to rest, and 40 people cheered."
    assert _best("How old is Ines Varga?", said) == "29"
    # A list of numbers after a place is no age.
    assert _fits("How old is Ines Varga?", "In Kesh, 40, 50 or 60 people came.")["40"] < 1.0


def test_a_description_ending_in_the_category_is_no_name_of_it():
    sentence = "Keshian Air, the carrier behind some of Orlo's busiest routes, was sold."
    fits = _phrase_fits("Which route closed?", sentence, ["Orlo's busiest routes"])
    assert all(fit < 0.8 for fit in fits.values())


def test_a_phrase_that_shares_only_the_owner_is_no_apposition():
    sentence = "Orlo Brands, Kesh Fashion's parent company, cancelled the show in 2019."
    ents = [_ent(sentence, "Orlo Brands", "ORG")]
    question = "Where did the Kesh Fashion show take place?"
    assert _fits(question, sentence, ents)["Orlo Brands"] < 0.9


def test_an_age_answers_how_old_only():
    said = "Varga, 31, was sentenced to nine years in prison."
    assert _fits("How many years was Varga sentenced to?", said)["31"] < 1.0
    assert _best("How old is Varga?", said) == "31"


def test_the_end_of_a_longer_name_is_no_name_of_the_category():
    sentence = "The Centers for Disease Control and the Kesh health office are investigating."
    ents = [_ent(sentence, "Disease Control", "ORG")]
    assert _fits("Which disease has Kesh reported?", sentence, ents)["Disease Control"] < 0.8
