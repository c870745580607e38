"""General rules found by asking four more articles nobody here wrote plain questions (issue 10,
fourteenth session): a title before a name says who holds it, a name's possessive owns the name
the question asks about, a quoted title is no person, "X, a charity" says X is one, a dateline is
no team, "how much did it make" asks for money, a place after an event's date is where it
happened. Sentences and the article are invented here."""

from __future__ import annotations

from datetime import date

import pytest

from rag.answer.answer_type import asked_roles, expected_answer
from rag.answer.bylines import dateline_end
from rag.answer.candidates import candidates
from rag.answer.evidence import question_stems
from rag.answer.number_candidates import dates as numbers_dates
from rag.models.nlp import Entity
from rag.text.dates import resolve_relative_dates
from rag.text.tokens import sentence_spans, stem
from tests.conftest import assert_answers, kesh_herald_chain


def _fits(question: str, sentence: str, ents: list[Entity] = ()) -> dict[str, float]:
    found = candidates(sentence, expected_answer(question), list(ents), question_stems(question))
    return {c.text: c.fit for c in found}


def _ent(sentence: str, text: str, label: str) -> Entity:
    at = sentence.index(text)
    return Entity(text, label, at, at + len(text))


@pytest.mark.parametrize(
    ("question", "roles"),
    [
        ("Who is the chair of the Orlo Trust?", {"chair"}),
        ("Who is the Orlo Trust's chair?", {"chair"}),
        ("Who is the new head coach at Kesh State?", {"head coach"}),
        ("Who is Ines Varga?", set()),
        ("Who won the election?", set()),
    ],
)
def test_the_title_a_question_asks_for(question, roles):
    assert set(asked_roles(question)) == roles


def test_a_doer_question_asks_for_its_agent_noun():
    assert "co-founder" in asked_roles("Who co-founded the Orlo Trust with Ines Varga?")
    assert "director" in asked_roles("Who directed “Lantern”?")


def test_the_asked_title_before_a_name_says_who_holds_it():
    sentence = "Ines Varga and Tomas Brandt left after a dispute with chair Mira Kohl, a lawyer."
    ents = [_ent(sentence, n, "PERSON") for n in ("Ines Varga", "Tomas Brandt", "Mira Kohl")]
    fits = _fits("Who is the chair of the Orlo Trust?", sentence, ents)
    assert fits["Mira Kohl"] > fits["Ines Varga"] == fits["Tomas Brandt"]
    # Set off after the name, too.
    after = "Mira Kohl, the trust's chair, said she would stay."
    ents = [_ent(after, "Mira Kohl", "PERSON")]
    assert _fits("Who is the chair of the Orlo Trust?", after, ents)["Mira Kohl"] > 1.0


def test_a_title_held_once_or_another_title_or_anothers_is_not_the_asked_one():
    question = "Who is the coach of the Orlo Hawks?"
    for sentence, name in [
        ("The move was firing coach Ada Moss and hiring Leo Hart.", "Ada Moss"),
        ("A tweak by goalie coach Ada Moss helped the Orlo Hawks.", "Ada Moss"),
        ("Kesh City coach Ada Moss praised the Orlo Hawks.", "Ada Moss"),
    ]:
        assert _fits(question, sentence, [_ent(sentence, name, "PERSON")])[name] == 1.0, sentence
    sentence = "The Orlo Hawks coach Ada Moss praised her players."
    assert _fits(question, sentence, [_ent(sentence, "Ada Moss", "PERSON")])["Ada Moss"] > 1.0


def test_an_abbreviated_or_coordinated_title_is_the_title():
    sentence = "It came hours after Gov. Ines Varga and East Kesh Gov. Tomas Brandt met."
    ents = [_ent(sentence, n, "PERSON") for n in ("Ines Varga", "Tomas Brandt")]
    fits = _fits("Who is the governor of West Kesh?", sentence, ents)
    assert fits["Ines Varga"] > fits["Tomas Brandt"] == 1.0
    sentence = "She thanked “Lantern” creator and star Mira Kohl, who accepted the award."
    ents = [_ent(sentence, "Mira Kohl", "PERSON")]
    assert _fits("Who created Lantern?", sentence, ents)["Mira Kohl"] > 1.0
    sentence = "The joke had host/comedian Mira Kohl cracking up."
    ents = [_ent(sentence, "Mira Kohl", "PERSON")]
    assert _fits("Who hosts the quiz show?", sentence, ents)["Mira Kohl"] > 1.0


def test_a_group_that_does_the_asked_verb_answers_who():
    sentence = "The Kesh Transit Board approved the toll plan hours after Ines Varga spoke."
    ents = [_ent(sentence, "The Kesh Transit Board", "ORG"), _ent(sentence, "Ines Varga", "PERSON")]
    fits = _fits("Who approved the toll plan?", sentence, ents)
    assert fits["The Kesh Transit Board"] >= 0.9


def test_a_loss_to_a_side_says_who_beat_it():
    sentence = "Orlo scored twice for the Hawks, who were coming off a 6-2 loss to Kesh on Friday."
    ents = [_ent(sentence, "Orlo", "PERSON"), _ent(sentence, "Kesh", "GPE")]
    fits = _fits("Who beat the Hawks on Friday?", sentence, ents)
    assert fits["Kesh"] >= 0.9
    assert _fits("Who scored for the Hawks?", sentence, ents)["Kesh"] < 0.9


def test_a_possessive_before_the_asked_name_is_who_is_behind_it():
    sentence = "The pairing of Ada Moss’s “Lantern” and Leo Hart’s “Tide” filled theaters."
    ents = [_ent(sentence, n, "PERSON") for n in ("Ada Moss", "Leo Hart")]
    ents += [_ent(sentence, n, "WORK_OF_ART") for n in ("Lantern", "Tide")]
    fits = _fits("Who directed Lantern?", sentence, ents)
    assert fits["Ada Moss"] > fits["Leo Hart"]
    # A title in quotation marks is a work, no person.
    assert fits.get("Tide", 0.0) < fits["Leo Hart"]


def test_a_name_described_as_the_category_is_one_though_ner_missed_it():
    sentence = "She stepped down as a patron of Velora, a Keshian charity she set up in 2006."
    fits = _fits("Which charity did she leave?", sentence)
    assert fits.get("Velora", 0.0) >= 0.9


def test_a_word_opening_the_sentence_is_no_name_described():
    sentence = "However, the iconic landmark is being given a paint job instead."
    assert "However" not in _fits("Which iconic landmark needs repairs?", sentence)


def test_a_plus_closing_a_name_is_part_of_it():
    sentence = "Kesh+ raised its prices this week, and C++ courses did not."
    ents = [Entity("Kesh", "ORG", 0, 4), _ent(sentence, "C", "ORG")]
    fits = _fits("Which streaming service raised its prices?", sentence, ents)
    assert "Kesh+" in fits and "C+" not in fits


def test_a_dateline_with_its_province_is_no_answer():
    sentence = "ORLOVILLE, New Kesh – The Harbor Hawks beat the Ridge 4-3 on Friday."
    assert sentence[: dateline_end(sentence)] == "ORLOVILLE, New Kesh –"
    ents = [_ent(sentence, "ORLOVILLE", "ORG"), _ent(sentence, "Harbor Hawks", "ORG")]
    assert "ORLOVILLE" not in _fits("Which team beat the Ridge?", sentence, ents)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did “Lantern” make in its opening weekend?", "money"),
        ("How much did the film take in on Friday?", "money"),
        ("How much did the river rise?", "count"),
    ],
)
def test_how_much_did_it_make_asks_for_money(question, kind):
    assert expected_answer(question).kind == kind


def test_the_total_of_a_name_is_a_sum_not_a_count_of_it():
    asked = expected_answer("What is the domestic total of Lantern: Part Two?")
    assert asked.kind == "count" and asked.amount and asked.noun is None
    assert expected_answer("What is the total number of soldiers?").noun is not None


def test_bros_ends_no_sentence():
    text = "Kesh Bros.’ “Lantern” led the weekend. It made $5 million."
    assert len(sentence_spans(text)) == 2


ARTICLE = """ORLOVILLE, New Kesh – Finland beat Sweden 4-3 on Friday to win the Kesh Cup.

Earlier in the week, Norway rallied to beat Sweden 2-1 in overtime.

The last Kesh Cup final at home was held in March 2019 in Brantford. Organisers hope to bring
it back in 2027.

Sweden's captain, Tomas Brandt, refused to step down after the loss.
"""


@pytest.fixture(scope="module")
def chain(tmp_path_factory, shared_embeddings):
    folder = tmp_path_factory.mktemp("titles")
    with kesh_herald_chain(
        folder, shared_embeddings, "kesh-cup", "The Kesh Cup week", ARTICLE
    ) as chain:
        yield chain


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("Which team beat Sweden 2-1 in overtime?", "Norway"),
        ("When was the last Kesh Cup final at home held?", "March 2019"),
        ("Did Tomas Brandt agree to step down?", "No"),
    ],
)
def test_plain_questions_of_an_invented_match_report(chain, question, short):
    assert_answers(chain, question, short)


def test_one_day_written_two_ways_is_one_answer():
    asked = expected_answer("On what date will the Kesh festival take place?")
    keys = []
    for sentence, day in [
        ("The festival will take place on Saturday, May 6, 2023.", "Saturday, May 6, 2023"),
        (
            "The festival will take place Saturday 6 May 2023, organisers said.",
            "Saturday 6 May 2023",
        ),
    ]:
        keys.append({c.key for c in numbers_dates(sentence, asked, [_ent(sentence, day, "DATE")])})
    assert keys[0] & keys[1]


def test_what_a_quotation_describes_is_read_from_the_question():
    asked = expected_answer("How did the Kesh army describe the situation in Orlo?")
    assert asked.quoted and asked.described == stem("situation")
    sentence = "The army said it fought “hard” and later declared the situation “calm.”"
    fits = _fits("How did the Kesh army describe the situation in Orlo?", sentence)
    assert fits["calm"] > fits["hard"]


def test_a_weekday_followed_by_its_date_is_not_read_from_the_articles_day():
    said = "The festival will take place Saturday 6 May 2023, organisers said."
    assert resolve_relative_dates(said, date(2022, 10, 11)) == []
    assert resolve_relative_dates("Organisers spoke on Tuesday.", date(2022, 10, 11))
