"""A sentence giving the question's own quantity another value is about another fact."""

from datetime import date
from decimal import Decimal

import pytest

from rag.answer.evidence import ANOTHER_FACT, EvidenceScorer
from rag.answer.quantities import Quantity, asked_quantities, contradicts
from rag.answer.question import analyse
from rag.models.nlp import NLP
from rag.schema import Passage
from rag.settings import Settings


def test_the_asked_quantities_are_values_before_a_noun():
    assert asked_quantities("Which mayor won a third term this week?").quantities == (
        Quantity("ordinal", Decimal(3), "term"),
    )
    assert asked_quantities("Which airline cancelled 1,200 flights on Monday?").quantities == (
        Quantity("number", Decimal(1200), "flight"),
    )
    # A length of time is none: articles tell many beside the asked one.
    assert asked_quantities("Which diner closed after 41 years in business?").quantities == ()
    # A year before a name is a date of that name, not a quantity of something.
    assert asked_quantities("Which song won at the 2031 Harbor Awards?").quantities == ()


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # Another ordinal of the same noun: another term, another fact.
        (
            "Which mayor won a third term this week?",
            "Ortega lost his bid for a second term in 2029.",
            True,
        ),
        ("Which mayor won a third term this week?", "Lind won a third term on Tuesday.", False),
        # Another count of the same noun, a few words after its value.
        (
            "Which carmaker recalled 52,000 vans this week?",
            "Regulators said the earlier recall covered 310,000 older diesel vans.",
            True,
        ),
        # News rounds: "52,000" in the question is "52,340" in the article.
        (
            "Which carmaker recalled more than 52,000 vans this week?",
            "Marlow Motors is recalling 52,340 vans over faulty brakes.",
            False,
        ),
        # The asked value stated too: the sentence may well tell both facts.
        (
            "Which carmaker recalled 52,000 vans this week?",
            "It recalled 52,000 vans after an earlier recall of 9,000 vans.",
            False,
        ),
        # A bound stays a bound: "more than a dozen" holds 14, "nearly 300" does not hold 410.
        (
            "Which fruit was recalled in more than a dozen states?",
            "Pears sold in 14 states were recalled.",
            False,
        ),
        (
            "Which city evacuated nearly 300 homes?",
            "Officials evacuated 410 homes in Brantley.",
            True,
        ),
        # A value the question names itself is one it asks about too.
        (
            "Lind won a third term, after Ortega's second term ended. Who is mayor?",
            "Ortega's second term ended in 2029.",
            False,
        ),
        # A value of another noun says nothing against it.
        (
            "Which carmaker recalled 52,000 vans this week?",
            "The carmaker employs 4,000 workers.",
            False,
        ),
        # An ordinal and a count are different kinds of value.
        (
            "Which mayor won a third term this week?",
            "She served two terms before.",
            False,
        ),
    ],
)
def test_a_sentence_contradicts_the_asked_quantity(question, sentence, expected):
    assert contradicts(asked_quantities(question), sentence) is expected


# --- in the evidence scorer -----------------------------------------------------------------


def test_the_sentence_of_another_value_counts_less_as_evidence(shared_embeddings):
    text = "Mayor Dana Lind of Corvale won a second term on Tuesday, her campaign said."
    passage = Passage(
        chunk_id="lind-0", article_id="lind", title="Corvale votes", text=text, start=0,
        end=len(text), published=date(2031, 5, 2), source="Test Wire",
    )  # fmt: skip
    scorer = EvidenceScorer(shared_embeddings, NLP(Settings().spacy_model))

    def relevance(question: str) -> float:
        vector = shared_embeddings.embed_query(question)
        return scorer.score(analyse(question), [passage], vector)[0].relevance

    same = relevance("Which mayor won a second term on Tuesday?")
    other = relevance("Which mayor won a fourth term on Tuesday?")
    assert other < ANOTHER_FACT * same
