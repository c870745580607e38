"""Thirty-one rtqa articles nobody here wrote (``../shared/eval/rtqa/articles.jsonl.gz``), ingested
as they are into four stores and asked plain questions a reader would ask (issue 10): amounts
with their units, names spelled out or closed by their category, a person the question names by
surname (twelfth session); a description set off beside a name, an office read from its
demonym, a name that says its category, a team's record and a final score, a subhead that asks
a question (thirteenth); a title before a name, a possessive before the asked name, "X, a
charity", a dateline, a hyphenated count (fourteenth); a surname of a name written in full, a colon's
label, the side after "beat", a relative clause's doer, "host-less" (fifteenth). Read at test
time, skipped when the data is absent."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from tests.conftest import ROOT, make_components

ARTICLES = ROOT.parent / "shared" / "eval" / "rtqa" / "articles.jsonl.gz"
IDS = frozenset(
    {
        "16dcecd9fcc0c9ac",  # Starbucks hires Chipotle's CEO
        "43fd49cbd1df8853",  # rhinos and a warming Africa
        "67b0f5e53aee78dc",  # a Panera lawsuit
        "94038dc5033e676b",  # the turkey pardon
        "e5d4f899c00f3059",  # Wilmington's mayor
        "492d67cb499a15f3",  # Arizona's border containers
        "85dab9cfe621929c",  # Bank of America's stock awards
        "9d28bceb9fba0e6e",  # Lake Mead
        "e4ae618e8e09ee35",  # napping and strokes
        "eb630a054d06acea",  # a Tesla recall
    }
)

MORE_IDS = frozenset(
    {
        "28d2235395ccf340",  # the Pistons' losing streak
        "72bc24c88a3400e6",  # Netflix subscribers and prices
        "d8335192fabd0223",  # five states without a lottery
        "109758ba87561990",  # Avatar's sequel in China
        "f998b012ed3cb0e8",  # Cuba's grid fails
        "bee47486c4e7016a",  # child tax credit payments
        "7217fa3eedfeebf8",  # the rarest animals
    }
)

FOURTEENTH_IDS = frozenset(
    {
        "1b7ae16754c43922",  # Barbie and Oppenheimer at the box office
        "2507f0e813520365",  # a world junior hockey bronze
        "28f9caa13bc0214c",  # a virus revived from permafrost
        "5b4f31c221a4d7b1",  # Prince Harry leaves Sentebale
        "3503ab82bae9ab5b",  # a family on "Family Feud"
        "768043d4f40f092b",  # New York's congestion pricing
        "fc63b1ad8bed9a64",  # the Critics Choice Awards
    }
)

FIFTEENTH_IDS = frozenset(
    {
        "0872a69de1c3987e",  # SpaceIL's moon mission
        "2c97eec1f6e8998d",  # the Oscars without a host
        "40a8220f79d4589d",  # bird flu and egg prices
        "e71394ed9ec92ffa",  # Christine McVie's death
        "a7e1ec7ebd711b5a",  # drive-thru times
        "2c6a29534607f1fa",  # NASA's Dragonfly
        "ff7660f328a507f9",  # the Lightning reach the Stanley Cup Final
    }
)

pytestmark = pytest.mark.skipif(not ARTICLES.is_file(), reason=f"no rtqa articles in {ARTICLES}")


def _store(folder, embeddings, ids: frozenset[str]):
    path = folder / "articles.jsonl"
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as src, path.open("w") as out:
        for line in src:
            if json.loads(line)["id"] in ids:
                out.write(line)
    components = make_components(folder / "data", embeddings)
    report = components.ingestor.ingest([str(path)])
    assert len(report.added) == len(ids) and not report.rejected, report
    return components


@pytest.fixture(scope="module")
def chain(tmp_path_factory, shared_embeddings):
    components = _store(tmp_path_factory.mktemp("unseen"), shared_embeddings, IDS)
    yield components.chain
    components.store.catalog.close()


@pytest.fixture(scope="module")
def more(tmp_path_factory, shared_embeddings):
    components = _store(tmp_path_factory.mktemp("unseen-more"), shared_embeddings, MORE_IDS)
    yield components.chain
    components.store.catalog.close()


@pytest.fixture(scope="module")
def fifteenth(tmp_path_factory, shared_embeddings):
    components = _store(tmp_path_factory.mktemp("unseen-15"), shared_embeddings, FIFTEENTH_IDS)
    yield components.chain
    components.store.catalog.close()


@pytest.fixture(scope="module")
def fourteenth(tmp_path_factory, shared_embeddings):
    components = _store(tmp_path_factory.mktemp("unseen-14"), shared_embeddings, FOURTEENTH_IDS)
    yield components.chain
    components.store.catalog.close()


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("How much caffeine is in a large Charged Lemonade?", "390 mg"),
        ("How much do the pardoned turkeys weigh?", "40 and 41 pounds"),
        ("How much had Starbucks stock fallen this year?", "17%"),
        ("How much do black rhinos weigh?", "1,750 to 3,000 pounds"),
        ("Which park would see more rainfall?", "Tsavo West National Park"),
        ("What heart condition did Sarah Katz have?", "long QT syndrome"),
        ("Who is the CEO of Bank of America?", "Brian Moynihan"),
        ("How many people rely on Lake Mead water?", "25 million"),
        ("How much cash bonus did Bank of America give last year?", "$750"),
        ("What was Bank of America's annual profit?", "$32 billion"),
        ("What is the lake's water level?", "1,054 feet"),
        ("How many participants were in the napping study?", "360,000"),
        ("How long should a power nap be?", "15 to 20 minutes"),
    ],
)
def test_a_plain_question_gets_the_article_answer(chain, question, short):
    _answers(chain, question, short)


def _answers(chain, question: str, short: str) -> None:
    answer = chain.ask(question)
    said = f"short={answer.short_answer!r} answer={answer.answer!r}"
    assert answer.status == "answered", said
    assert short in (answer.short_answer or ""), said
    quote = answer.answer.split("“", 1)[1]
    if short not in {"Yes", "No"}:  # a verdict is said before the quote
        assert short in quote, said  # the quote holds it
    assert "?" not in quote, said  # no question the article asks


def test_the_person_the_question_names_by_surname_is_no_answer(chain):
    answer = chain.ask("Who wants Biden to end the turkey pardon?")
    assert not re.search(r"\bBiden\b", answer.short_answer or ""), answer.answer


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("Who is Cuba's largest oil supplier?", "Venezuela"),
        ("Who is the president of Cuba?", "Miguel Diaz-Canel"),
        ("Which hurricane hit Cuba last week?", "Hurricane Milton"),
        ("Who released the audit?", "Treasury Inspector General"),
        ("Did the IRS agree with the recommendations?", "Yes"),
        ("What is the rarest fish in the world?", "Devils Hole pupfish"),
        ("Where does Victor Matheson teach?", "College of the Holy Cross"),
        ("What record did the 1972-73 76ers have?", "9-73"),
        ("What was the final score against the Grizzlies?", "116-102"),
        ("By how much did Tuna Amobi raise Netflix's target price?", "$35"),
    ],
)
def test_more_plain_questions_get_the_article_answer(more, question, short):
    _answers(more, question, short)


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("How much did Barbie make in its opening weekend?", "$155 million"),
        ("Which studio released Barbie?", "Warner Bros"),
        ("Who directed Barbie?", "Greta Gerwig"),
        ("What is the domestic total of Mission: Impossible Dead Reckoning?", "$118.8 million"),
        ("Which team beat Sweden 2-1 in overtime?", "Czech Republic"),
        ("When was the last World Cup of Hockey held?", "September 2016"),
        ("Which charity did Prince Harry quit?", "Sentebale"),
        ("Who is the chair of Sentebale?", "Sophie Chandauka"),
        ("Did Chandauka agree to step down?", "No"),
        ("Who directed Oppenheimer?", "Christopher Nolan"),
        ("Who created Abbott Elementary?", "Quinta Brunson"),
        ("How many pages was the environmental assessment?", "4,000"),
    ],
)
def test_the_fourteenth_sessions_plain_questions(fourteenth, question, short):
    _answers(fourteenth, question, short)


@pytest.mark.parametrize(
    ("question", "short"),
    [
        ("How much has Morris Kahn donated?", "$27 million"),
        ("How much is the surcharge at Nickel Diner?", "$1"),
        ("When are the 2020 Academy Awards?", "Feb. 9"),
        ("Will the Oscars have a host in 2020?", "No"),
        ("Which song did Mick Fleetwood invoke in his tribute?", "Songbird"),
        ("Which chain ranked highest in order accuracy?", "Chick-fil-A"),
        ("What was Burger King's order accuracy?", "82.3%"),
        ("Who manages the Dragonfly mission for NASA?", "Johns Hopkins Applied Physics Laboratory"),
        ("Who did the Tampa Bay Lightning beat to reach the Stanley Cup Final?", "Rangers"),
    ],
)
def test_the_fifteenth_sessions_plain_questions(fifteenth, question, short):
    _answers(fifteenth, question, short)
