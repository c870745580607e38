"""Candidate answers of the expected type in one sentence, each with how well it fits the type.

The finders (rag/answer/number_candidates.py for numbers and dates, rag/answer/name_candidates.py
for names and things) offer every span of the kind; here the question filters them: a neighbour
of the place asked about, a name that says it is another category, a dateline, a photo credit or
an outlet quoted as the source (rag/answer/bylines.py) is weaker or gone, a name the sentence
calls one of the asked-for category counts more, and a candidate that the question already names
is not its answer.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer.answer_type import ORG_NOUNS, PLACE_NOUNS, Expected, singular
from rag.answer.appositions import (
    APPOSED_FIT,
    OWNER_FIT,
    apposed_to_asked,
    office_of,
    owns_the_asked,
    titled_as_asked,
)
from rag.answer.bylines import credit, dateline_end, news_source, timestamp
from rag.answer.name_candidates import NAMED_AS, QUOTED, named
from rag.answer.number_candidates import (
    DURATION,
    MONEY,
    MONTH_NAME,
    NUMBER,
    PERCENT,
    YEAR,
    counts_asked,
    dates,
    numeric,
)
from rag.answer.spans import Candidate, coordinated, key_of, weaker
from rag.models.nlp import Entity
from rag.text.acronyms import trailing_acronym
from rag.text.facts import strip_possessive
from rag.text.kin import kin_of
from rag.text.lexicon import CALENDAR_WORDS, wordlist
from rag.text.places import country_of, is_country, is_demonym, is_us_state
from rag.text.tokens import STOPWORDS, stem, words


def candidates(
    sentence: str,
    expected: Expected,
    entities: list[Entity],
    question_stems: set[str],
    noun_phrases: list[Entity] | None = None,
    dated: bool = False,
    known: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """``dated``: the sentence's article has a publication date (a weekday is then a day);
    ``known``: the names NER read in any retrieved sentence."""
    kind = expected.kind
    if kind is None or timestamp(sentence):
        return []
    if kind in {"count", "money", "percent", "duration"}:
        found = numeric(sentence, expected, entities)
        if not question_stems & _PROJECTING:
            # "Netflix expects to add 6.3 million", "would finish with an 8-74 record": a
            # forecast, for a question about what happened or is.
            found = [weaker(c, PROJECTED_FIT) if _projected(sentence, c) else c for c in found]
        if question_stems & _NOW:
            # "How much do eggs cost now?": "had been selling for 99 cents" was the price before.
            found = [weaker(c, PROJECTED_FIT) if _earlier(sentence, c) else c for c in found]
    elif kind == "date":
        # A weekday is read back from the article's date: no day a "when will …" asks for.
        found = dates(sentence, expected, entities, dated and _FUTURE not in question_stems)
    else:
        found = named(sentence, kind, entities, noun_phrases or [], expected.noun, known)
        if expected.blank and not expected.noun:
            # "… is:" with no category: a number or a date may be the answer too, less surely.
            found += [weaker(c) for c in numeric(sentence, Expected("count"), entities)]
            found += [
                weaker(c) for c in dates(sentence, Expected("date", date_part="date"), entities)
            ]
    if kind in {"org", "thing"} and expected.noun and not headline(sentence):
        # A name that says it is one of the category is one, whatever kind NER took it for.
        found = [
            _at_least(c, NAMES_CATEGORY_FLOOR)
            if _proper(c.text)
            and _names_the_category(c.text, expected.noun)
            and not _INSIDE_A_NAME.search(sentence[: c.start])
            else c
            for c in found
        ]
    if kind in {"person", "place", "org", "thing"}:
        # "Cuba's largest oil supplier, Venezuela, …": the sentence names it as what the
        # question describes, whatever kind NER took it for.
        found = [
            _at_least(c, APPOSED_FIT) if apposed_to_asked(sentence, c, question_stems) else c
            for c in found
        ]
    if kind == "person" and question_stems & _OPPONENT:
        # "Who did the Lightning beat?": "beat the New York Rangers" names the side beaten, a
        # team or a country as often as a person.
        found = [
            _at_least(c, 1.0) if _after_the_asked_verb(sentence[: c.start], question_stems) else c
            for c in found
        ]
    if kind in {"person", "org"} and question_stems & _BEAT:
        # "coming off a 6-2 loss to Canada" for "Who beat the United States?": the winner.
        found = [
            replace(_at_least(c, APPOSED_FIT), stated=True)
            if _LOST_TO.search(sentence[: c.start])
            else c
            for c in found
        ]
    if kind in {"org", "thing"} and expected.noun:
        # "Boeing's Starliner" for "What is the Boeing spacecraft called?": a name owned by
        # the name the question gives its category is the asked one.
        found = [
            _at_least(c, APPOSED_FIT)
            if _proper(c.text) and _owned_by_asked(sentence[: c.start], question_stems)
            else c
            for c in found
        ]
    if kind in {"person", "org"}:
        # "Greta Gerwig’s “Barbie”" for "Who directed Barbie?": who is behind the asked name.
        found = [
            weaker(c, OWNER_FIT) if owns_the_asked(sentence, c, question_stems) else c
            for c in found
        ]
    if kind in {"person", "org"}:
        # "an audit released by the Treasury's inspector general" for "Who released the
        # audit?": whoever does the question's own verb, a person or not.
        found = [
            _at_least(c, APPOSED_FIT)
            if _by_the_asked_verb(sentence, c, question_stems)
            or (not expected.noun and _does_the_asked_verb(sentence, c, question_stems))
            else c
            for c in found
        ]
    if (
        kind == "place"
        and not expected.locate
        and not question_stems & {"border", "neighbour", "neighbor", "near"}
    ):
        # "near the Burkina Faso border": a neighbour of the place asked about, not the place.
        found = [
            weaker(c, 0.3)
            if _NEIGHBOUR_AFTER.match(sentence[c.end :])
            or _NEIGHBOUR_BEFORE.search(sentence[: c.start])
            else c
            for c in found
        ]
    if kind == "place" and expected.locate:
        # "Where is Boulikessi?": a place the sentence ties to it ("in Boulikessi, near the
        # Burkina Faso border", "Boulikessi, Mali"), not any other place it names.
        found = [
            c if _tied_to_asked(sentence, c, question_stems) else weaker(c, 0.3) for c in found
        ]
    if kind in {"place", "org", "thing"}:
        # "supermodels, including Lima, Banks, Barbara Palvin …": a list holds one kind, so a
        # name listed among people is a person's, whatever NER read.
        people = [x for x in entities if x.label == "PERSON"]
        found = [weaker(c, 0.3) if _listed_with(sentence, c, people) else c for c in found]
    if kind == "place" and not expected.owner:
        # "U.S. President Joe Biden", "a Kenyan president": whose office, not where it happened.
        found = [
            weaker(c, 0.3) if _office_of_another(sentence, c, expected, question_stems) else c
            for c in found
        ]
    if kind == "place" and expected.noun in _WITHIN_A_COUNTRY | _NEVER_A_COUNTRY:
        # "Which state …": a country is no state, city or county ("US" beside "California").
        found = [
            weaker(c, 0.3)
            if (is_country(c.text) and c.key not in _ALSO_A_STATE)
            or (expected.noun in _TOWNS and is_us_state(c.text))
            else c
            for c in found
        ]
    if kind == "place" and asks_for_a_state(expected) and not _abroad(question_stems):
        # "Which state …" in the news asks for a US state unless it names another country ("an
        # Indian state"): a park, county or town named there is at most where it happened.
        found = [c if _a_us_state(c) else weaker(c, 0.3) for c in found]
    if kind == "thing" and expected.noun in _NEVER_A_GROUP:
        # "Which spacecraft …", "which type of drink": an organisation is who made or sold it.
        groups = {(x.start, x.end) for x in entities if x.label == "ORG"}
        found = [
            weaker(c, 0.3)
            if (c.start, c.end) in groups and not _names_the_category(c.text, expected.noun)
            else c
            for c in found
        ]
    if kind in {"person", "org", "thing"}:
        # "an al-Qaeda-linked group", "the U.S.-led coalition": a name that qualifies another
        # is not it, unless the question asks that very link ("Who is JNIM linked to?") or
        # what kind the thing is ("an al-Qaeda-linked group" says which). A place still places
        # what it qualifies ("the Atlanta-based network").
        found = [
            weaker(c, 0.3)
            if not expected.kind_of and _qualifies_another(sentence, c, question_stems)
            else c
            for c in found
        ]
    if kind in {"person", "place", "org", "thing"} and headline(sentence):
        # "Mali Army Repels Attack After …": among a headline's capitals NER cannot tell a
        # name from a word ("Mali Army Repels" read as an organisation).
        found = [weaker(c, HEADLINE_FIT) for c in found]
    if kind in {"person", "place", "org", "thing"} and expected.noun:
        found = [_category_fit(sentence, c, kind, expected.noun) for c in found]
    found = [_without_asked_owner(c, question_stems) for c in found]
    if kind == "person":
        # "Cuban President Miguel Diaz-Canel" for "Who is the president of Cuba?"; not "U.S.
        # President Joe Biden".
        asked = frozenset(country_of(s) for s in question_stems) - {None}
        if asked:
            found = [office_of(sentence, c, asked) for c in found]
        found = [titled_as_asked(sentence, c, expected.roles, question_stems) for c in found]
    if kind in {"person", "org"}:
        # “Barbie” and “Oppenheimer”: a title in quotation marks is a work, not who made it.
        found = [weaker(c, 0.3) if _a_title(sentence, c) else c for c in found]
    if expected.quoted:
        # "How did the army describe …?": the words in quotation marks, before any name.
        found = [c if _in_quotes(sentence, c) else weaker(c, 0.3) for c in found]
        if expected.described:
            # "declaring the situation “under control”": said of what the question names.
            found = [
                weaker(c, DESCRIBED_FIT) if _said_of(sentence, c, expected.described) else c
                for c in found
            ]
    if kind == "thing":
        # "the rarest fish" for "What is the rarest animal?": the question's own superlative
        # makes a phrase the description asked about, not the thing that fits it.
        found = [weaker(c, 0.3) if _asked_superlative(c.text, question_stems) else c for c in found]
        # "Tuesday" or "November" for "which feature", "what storm": a when, never a what.
        found = [c for c in found if c.text.lower() not in CALENDAR_WORDS]
    out: dict[tuple[int, int], Candidate] = {}
    asked_countries = frozenset(country_of(s) for s in question_stems) - {None}
    # "Which news agency reviewed the footage?": the outlet cited as the source is the answer.
    outlet_asked = expected.noun in _OUTLETS or (
        expected.noun in _MEDIA_QUALIFIED and _NEWS in question_stems
    )
    for c in found:
        if (
            _named_by_question(c.text, question_stems, expected.noun, asked_countries)
            or credit(sentence, c)
            or (
                news_source(sentence, c)
                and not outlet_asked
                and not _by_the_asked_verb(sentence, c, question_stems)
            )
            or c.end <= dateline_end(sentence)
        ):
            continue
        prev = out.get((c.start, c.end))
        if prev is None or c.fit > prev.fit:
            out[(c.start, c.end)] = c
    # A span inside a longer candidate of the same kind ("Langley" in "Michael Langley") goes.
    spans = sorted(out.values(), key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for c in spans:
        if any(k.start <= c.start and c.end <= k.end and k.fit >= c.fit for k in kept):
            continue
        kept.append(c)
    return kept


_BEAT = frozenset(stem(w) for w in wordlist("beat beats defeat defeated eliminate eliminated"))
_VERB_BEFORE = re.compile(r"\b([a-z]+)\s+(?:the\s+)?$")


def _after_the_asked_verb(before: str, question_stems: set[str]) -> bool:
    m = _VERB_BEFORE.search(before)
    return m is not None and stem(m.group(1)) in question_stems & _OPPONENT


_OPPONENT = _BEAT | frozenset(
    stem(w) for w in wordlist("face faces faced play plays played meet meets met sweep swept")
)
# "a 6-2 loss to Canada", "lost 3-1 to the Lakers", "fell to Spain": who won is named after "to".
_LOST_TO = re.compile(
    r"\b(?:loss|losses|lost|lose|loses|losing|fell|falls|falling)\s+(?:[\d\-–]+\s+)?to\s+"
    r"(?:the\s+)?$",
    re.I,
)
# "reviewed by the BBC", "an audit released Tuesday by the Treasury Inspector General".
_BY = re.compile(
    r"\b([A-Za-z]+)(?:\s+(?:on\s+)?(?:[A-Z][a-z]+day|yesterday|today|earlier|last\s+\w+"
    r"|this\s+\w+|[a-z]+ly))?\s+by\s+(?:the\s+)?$"
)


def _by_the_asked_verb(sentence: str, c: Candidate, question_stems: set[str]) -> bool:
    """ "Footage reviewed by the BBC" for "Who reviewed the footage?": the outlet does the
    question's own verb, so it is no source quoted but the answer."""
    m = _BY.search(sentence[: c.start])
    return m is not None and stem(m.group(1)) in question_stems


def _does_the_asked_verb(sentence: str, c: Candidate, question_stems: set[str]) -> bool:
    """ "The Federal Highway Administration approved the plan" for "Who approved the plan?":
    the subject of the question's own verb, a person or a group."""
    which = _WHICH_DID.match(sentence[c.end :])
    if which is not None and stem(which.group(1)) in question_stems:
        return True  # "… Laboratory, which manages the mission": said of the name, wherever
    done = _DID.match(sentence[c.end :])
    return (
        done is not None
        and stem(done.group(1)) in question_stems
        and not _AFTER_A_PREPOSITION.search(sentence[: c.start])
    )


# "The Federal Highway Administration approved …", "… has approved …": the subject's verb;
# not "Footage reviewed by the BBC showed …", where the name is no subject.
_DID = re.compile(r"^\s+(?:has\s+|have\s+|had\s+)?([a-z]+ed)\b")
_WHICH_DID = re.compile(r"^,\s+(?:which|who)\s+(?:has\s+|have\s+|had\s+)?([a-z]+)\b")
_AFTER_A_PREPOSITION = re.compile(
    r"\b(?:by|of|to|with|for|from|in|on|at|about|against|than)\s+(?:the\s+)?$", re.I
)


HEADLINE_FIT = 0.5
_WORD = re.compile(r"[A-Za-z][\w’'\-]*")


def headline(sentence: str) -> bool:
    """Title case, with no closing stop: "Army Repels Attack After Losing 30 Soldiers"."""
    if sentence.rstrip()[-1:] in {".", "!", "?", "”", '"', "’", "'"}:
        return False
    content = [w for w in _WORD.findall(sentence) if w.lower() not in STOPWORDS]
    return len(content) >= 3 and all(w[:1].isupper() for w in content)


def asks(sentence: str) -> bool:
    """A question the article puts ("What is the rarest fish in the world?" as a subhead):
    it names what it asks about, never an answer to it."""
    return sentence.rstrip().rstrip("\"”’')").endswith("?")


# Categories that are news outlets, and those that are one when the question says "news".
_OUTLETS = frozenset(
    stem(w)
    for w in wordlist("outlet newspaper paper broadcaster publication magazine tabloid wire")
)
_MEDIA_QUALIFIED = frozenset(
    stem(w) for w in wordlist("agency network channel organization service")
)
_NEWS = stem("news")


_CAPITALISED = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")


def type_hint(expected: Expected, sentence: str) -> bool:
    """A cheap look for a span of the expected type, before NER reads the sentence."""
    kind = expected.kind
    if kind == "money":
        return MONEY.search(sentence) is not None
    if kind == "percent":
        return PERCENT.search(sentence) is not None
    if kind == "duration":
        return DURATION.search(sentence) is not None
    if kind == "count":
        if not expected.noun:
            return NUMBER.search(sentence) is not None
        return any(counts_asked(sentence, m, expected) for m in NUMBER.finditer(sentence))
    if kind == "date":
        return bool(YEAR.search(sentence) or MONTH_NAME.search(sentence))
    if kind == "thing" and QUOTED.search(sentence):
        return True  # a title or a coined word in quotes ("the word of the year is “…”")
    return _CAPITALISED.search(sentence) is not None


_NOT_SUPERLATIVE = frozenset(
    wordlist(
        "arrest chest contest digest forest guest harvest honest interest invest manifest modest "
        "nest protest quest request rest suggest test west"
    )
)


def _asked_superlative(text: str, question_stems: set[str]) -> bool:
    return any(
        (
            w in {"most", "least", "best", "worst"}
            or (w.endswith("est") and w not in _NOT_SUPERLATIVE)
        )
        and stem(w) in question_stems
        for w in words(text)
        if w.islower()
    )


def _proper(text: str) -> bool:
    """Every word capitalised but the small ones: a name ("American Rescue Plan Act"), not a
    description ("Fleetwood Mac's biggest hits")."""
    return all(w[:1].isupper() or w in _NAME_JOINERS for w in text.split())


_NAME_JOINERS = frozenset({"of", "the", "and", "for", "de", "la", "on", "&"})
# "Centers for Disease Control": the end of a longer name, not one of the category.
_INSIDE_A_NAME = re.compile(r"\b[A-Z][\w.\-]*\s+(?:for|of|and|&)\s+$")


_OWNER_BEFORE = re.compile(r"\b([A-Z][\w\-]*)['’]s\s+[“\"‘']?$")


def _owned_by_asked(before: str, question_stems: set[str]) -> bool:
    m = _OWNER_BEFORE.search(before)
    return m is not None and stem(m.group(1)) in question_stems


def _at_least(c: Candidate, fit: float) -> Candidate:
    return c if c.fit >= fit else replace(c, fit=fit)


_TITLE_AFTER = re.compile(
    r"^\.?\s+(?:(?:vice|deputy|former)\s+)?(?:president|prime\s+minister|premier|gov\.|governor|"
    r"sen\.|senator|rep\.|representative|secretary|minister|ambassador|chancellor|mayor|"
    r"leader|king|queen)\b",
    re.I,
)
_HOLDER = re.compile(r"\s+((?:[A-Z][\w’'\-]*\s*){1,3})")


def _office_of_another(
    sentence: str, c: Candidate, expected: Expected, question_stems: set[str]
) -> bool:
    """The place names an office ("Kesh President Ines Varga") that is not what the question
    asks: unless the question names the holder and asks for a kind of place ("Which city does
    Mayor Varga lead?" is answered by "Kesh Mayor Ines Varga")."""
    title = _TITLE_AFTER.match(sentence[c.end :])
    if title is None:
        return False
    holder = _HOLDER.match(sentence[c.end + title.end() :])
    named = holder is not None and any(stem(w) in question_stems for w in words(holder.group(1)))
    return not (named and expected.noun)


def _listed_with(sentence: str, c: Candidate, people: list[Entity]) -> bool:
    """``c`` stands in a list with at least two people."""
    listed = coordinated(sentence, [(p.start, p.end) for p in people], (c.start, c.end))
    return len(listed) >= 3


_FUTURE = stem("will")
PROJECTED_FIT = 0.6
_PROJECTING = frozenset(
    stem(w)
    for w in wordlist(
        """will would could might may expect expected expects forecast forecasts projected
        project projects predict predicted predicts plan plans planned estimate estimated pace
        likely target aim"""
    )
)
# Lower case only: "Earlier in May" is a month.
_PROJECTION = re.compile(
    r"\b(?:would|could|might|may|expects?\s+to|expected\s+to|plans?\s+to|projected|forecasts?"
    r"|on\s+pace|on\s+track|predict(?:s|ed)?|set\s+to|poised\s+to)\b[^.;]*$",
)


def _projected(sentence: str, c: Candidate) -> bool:
    return _PROJECTION.search(sentence[max(0, c.start - 60) : c.start]) is not None


_NOW = frozenset(stem(w) for w in wordlist("now currently today presently"))
# A state before another past one, in the candidate's clause: "had been selling for 99 cents",
# "had stood at 4%", "was previously 12".
_EARLIER = re.compile(
    r"\b(?:had(?:\s+been)?\s+\w+(?:ed|en|ing|t)|previously|formerly|used\s+to)\b[^.;]*$", re.I
)


def _earlier(sentence: str, c: Candidate) -> bool:
    return _EARLIER.search(sentence[max(0, c.start - 60) : c.start]) is not None


_TIE = re.compile(
    r"^(?:\s*,\s*|\s+)(?:(?:in|near|outside|of|close\s+to|on|at|just|(?:north|south|east|west)"
    r"\w*\s+of)\s+)*(?:the\s+)?(?:[a-z]+\s+)?$"
)


def _tied_to_asked(sentence: str, c: Candidate, question_stems: set[str]) -> bool:
    """A name of the question stands beside ``c`` with only words that tie two places between
    ("Boulikessi, near the", "in Kora, in central")."""
    for m in re.finditer(r"\b[A-Z][\w’'\-]+", sentence):
        if stem(m.group().lower()) not in question_stems:
            continue
        if m.end() <= c.start:
            between = sentence[m.end() : c.start]
        elif c.end <= m.start():
            between = sentence[c.end : m.start()]
        else:
            continue
        if _TIE.match(between):
            return True
    return False


_NEIGHBOUR_AFTER = re.compile(r"^['’]?s?\s+(?:border|frontier|borders)\b", re.I)
_NEIGHBOUR_BEFORE = re.compile(
    r"\b(?:near|neighbou?ring|bordering|across from|close to|toward|towards|into|from|"
    r"(?:(?:north|south)(?:east|west)?|east|west)\s+of)\s+(?:the\s+)?$",
    re.I,
)


_LINKED = re.compile(
    r"^-(linked|backed|affiliated|allied|aligned|led|inspired|based|owned|funded|sponsored|run|"
    r"controlled|born|made)\b",
    re.I,
)


def _a_title(sentence: str, c: Candidate) -> bool:
    """The candidate is all a quotation holds: “Oppenheimer”, “Barbie,”."""
    return (
        sentence[: c.start].endswith(("“", '"')) and _CLOSING.match(sentence[c.end :]) is not None
    )


_CLOSING = re.compile(r"^[,.!?]?[”\"]")


DESCRIBED_FIT = 1.25


def _said_of(sentence: str, c: Candidate, what: str) -> bool:
    """The quotation follows the described thing within a few words: "the situation “under
    control”", "called the plan “a money grab”"."""
    before = words(sentence[max(0, c.start - 40) : c.start])[-4:]
    return any(stem(w) == what for w in before)


def _in_quotes(sentence: str, c: Candidate) -> bool:
    return any(m.start(1) <= c.start and c.end <= m.end(1) for m in QUOTED.finditer(sentence))


def qualifier(word: str) -> bool:
    """ "Al-Qaeda-linked", "U.S.-led": a name made a word that qualifies another name."""
    at = word.rfind("-")
    return at > 0 and _LINKED.match(word[at:]) is not None


def _qualifies_another(sentence: str, c: Candidate, question_stems: set[str]) -> bool:
    m = _LINKED.match(sentence[c.end :])
    if m is None:
        return False
    link = stem(m.group(1).lower())
    return link not in question_stems and not kin_of(link) & question_stems


OTHER_CATEGORY_FIT = 0.4
NAMES_CATEGORY_FIT = 1.25
# "Hurricane Milton", "American Rescue Plan Act": a name that says the asked-for category.
NAMES_CATEGORY_FLOOR = 0.8
_CATEGORY_HEADS = frozenset(singular(w) for w in PLACE_NOUNS | ORG_NOUNS)
# "Which city …": not "Virginia" beside "Richmond".
_TOWNS = frozenset(
    stem(w) for w in wordlist("city town village capital municipality borough suburb")
)
_WITHIN_A_COUNTRY = _TOWNS | frozenset(
    stem(w) for w in wordlist("state province county region district neighborhood neighbourhood")
)
# "Which park …", "which river …": a country is where one lies, never one.
_NEVER_A_COUNTRY = frozenset(
    stem(w)
    for w in wordlist("""park lake river mountain airport beach bridge stadium arena base camp
    prison hospital forest volcano canyon reservoir dam port harbor harbour highway""")
)
_ALSO_A_STATE = frozenset({"georgia"})  # a country and a US state
_STATE = stem("state")
# Kinds of thing no company, agency or team is: what an organisation makes, finds or sells.
# Not diseases, drugs or vaccines: spaCy's small model calls a virus ("RSV") an ORG.
_NEVER_A_GROUP = frozenset(
    stem(w)
    for w in wordlist(
        """planet moon comet asteroid spacecraft rocket satellite telescope probe ship boat
        submarine aircraft plane jet hurricane storm typhoon cyclone animal species bird fish
        insect ape mammal reptile dinosaur food dish drink beverage fruit vegetable ingredient
        condiment candy snack crop tree flower genre language instrument colour color word
        metal mineral fuel law bill act statute legislation treaty"""
    )
)
_STATES_THAT_ARE_CITIES = frozenset(
    {"new york", "washington", "new york state", "washington state"}
)


def asks_for_a_state(expected: Expected) -> bool:
    """ "Which state …": the category asked for is a state."""
    return expected.noun == _STATE


def _a_us_state(c: Candidate) -> bool:
    return is_us_state(c.text) or c.key in _STATES_THAT_ARE_CITIES


def _abroad(question_stems: set[str]) -> bool:
    """The question names a country other than the US, or its people ("Indian", "Nigeria")."""
    return any(
        (country_of(s) or "United States") != "United States"
        for s in question_stems
        if is_demonym(s) or is_country(s)
    )


# Heads that name the same category ("Fox News Channel" is a network, "Boston College" a school).
_KIN_CATEGORIES = [
    frozenset(wordlist(group))
    for group in (
        "network channel broadcaster station outlet",
        "company firm business corporation conglomerate maker manufacturer group giant brand",
        "university college school institution academy",
        "city town village municipality capital metropolis borough",
        "team club side franchise",
        "airline carrier airways",
        "party group movement",
        "agency department ministry office administration bureau service",
        "store retailer chain restaurant supermarket",
        "park site venue",
        "law act bill legislation statute measure",
    )
]


_KIN_STEMS = [(g, frozenset(stem(w) for w in g)) for g in _KIN_CATEGORIES]


def _category_fit(sentence: str, c: Candidate, kind: str, noun: str) -> Candidate:
    """The candidate's fit for the asked-for category ``noun`` (a stem). More when its name or
    the words beside it say it is one ("Pacific Ocean" for "which ocean", "the Starliner
    spacecraft", "the drug fentanyl", "Hurricane Helene"); less when its name says it is
    another ("Maricopa County" for "which park") or only mentions the category inside a longer
    name ("National Hurricane Center" for "which hurricane")."""
    if kind != "person" and _names_another_category(c.text, noun):
        return weaker(c, OTHER_CATEGORY_FIT)
    if _names_the_category(c.text, noun) and _INSIDE_A_NAME.search(sentence[: c.start]):
        return weaker(c, OTHER_CATEGORY_FIT)  # "Centers for Disease Control", cut by NER
    if _names_the_category(c.text, noun) or _beside_the_category(sentence, c, noun):
        return weaker(c, NAMES_CATEGORY_FIT)
    if _category_inside(c.text, noun):
        return weaker(c, OTHER_CATEGORY_FIT)
    return c


def is_category(word: str, noun: str) -> bool:
    """ "spacecraft", "Hurricanes": ``word`` is the asked-for category ``noun`` (a stem)."""
    return stem(singular(word.strip(".,’'").lower())) == noun


_WORD_AFTER = re.compile(r"\s+([A-Za-z][\w\-]*)")
_WORD_BEFORE = re.compile(rf"\b([A-Za-z][\w\-]*)(?:,|\s+{NAMED_AS})?\s+[“\"]?$")


def _beside_the_category(sentence: str, c: Candidate, noun: str) -> bool:
    """The sentence names the category right beside the candidate: "the Starliner spacecraft",
    "the drug fentanyl", "a spacecraft called Starliner", "the rapper, Drake"."""
    after = _WORD_AFTER.match(sentence[c.end :])
    if after is not None and is_category(after.group(1), noun):
        return True
    before = _WORD_BEFORE.search(sentence[: c.start])
    if before is not None and is_category(before.group(1), noun):
        return True
    # "The vaquita is the rarest animal in the world": the copula says which category.
    said = _IS_A.match(sentence[c.end :])
    return said is not None and any(is_category(w, noun) for w in said.group(1).split())


_IS_A = re.compile(
    r"\s+(?:is|was|are|were|remains|became)\s+(?:the|an?|one\s+of\s+the)\s+"
    r"((?:[a-z][\w\-]*\s+){0,3}[a-z][\w\-]*)"
)


def _category_inside(text: str, noun: str) -> bool:
    """ "National Hurricane Center" for "which hurricane": the category is a word inside a
    longer name, which is then something about that category, not one of it."""
    parts = text.split()
    return len(parts) > 2 and any(is_category(w, noun) for w in parts[1:-1])


def _names_another_category(text: str, noun: str) -> bool:
    """The name's own last word is a category the question did not ask for ("Maricopa County"
    for "which park", "Howard University" for "which airline")."""
    head = _last_word(text)
    if head is None or head not in _CATEGORY_HEADS or stem(head) == noun:
        return False
    return not any(head in group for group, _ in _kin_of(noun))


def _names_the_category(text: str, noun: str) -> bool:
    """The name's own last word is the asked-for category or its kin ("Columbia University" for
    "which university", "United Airlines" for "which airline"), and it is more than that word;
    or the name opens with the category ("Hurricane Helene")."""
    parts = text.split()
    opens = len(parts) > 1 and (parts[1][:1].isupper() or parts[1] == "of" and len(parts) > 2)
    if opens and is_category(parts[0], noun):
        return True  # "Hurricane Helene", "University of Massachusetts": the category, a name
    head = _last_word(text)
    if head is None or not parts[0][:1].isupper():
        return False
    head = stem(head)
    return head == noun or any(head in stems for _, stems in _kin_of(noun))


def _last_word(text: str) -> str | None:
    """A name's head word, singular and lower-case; None for a one-word name."""
    parts = text.split()
    return singular(parts[-1].strip(".,’'").lower()) if len(parts) > 1 else None


def _kin_of(noun: str) -> list[tuple[frozenset[str], frozenset[str]]]:
    """The kin groups (words, their stems) that hold the asked-for category ``noun`` (a stem)."""
    return [(g, stems) for g, stems in _KIN_STEMS if noun in stems]


_OWNER = re.compile(r"^([A-Z][\w.\-]*)['’]s\s+(?=[A-Z])")


def _without_asked_owner(c: Candidate, question_stems: set[str]) -> Candidate:
    """ "London’s National Gallery" for "which London gallery": the question says whose it is,
    the answer is the rest."""
    m = _OWNER.match(c.text)
    if m is None or stem(m.group(1)) not in question_stems:
        return c
    return Candidate(c.text[m.end() :], c.start + m.end(), c.end, c.fit, key_of(c.text[m.end() :]))


def _named_by_question(
    text: str, question_stems: set[str], noun: str | None, countries: frozenset[str] = frozenset()
) -> bool:
    """ "the university", "Sotheby’s" or "U.S." for a question that says them ("US", one of
    ``countries``, the countries its words name): not an answer, nor "Tesla CEO Elon Musk" for a
    question about Elon Musk (a full name it says, with a title). "Northeastern University" for
    "which university" is one: its other word is new."""
    if countries and country_of(text) in countries:
        return True
    acronym = trailing_acronym(text)
    if acronym and stem(acronym.lower()) in question_stems:
        return True  # "Jama'a Nusrat ul-Islam wa al-Muslimin (JNIM)" for a question on JNIM
    content = [stem(strip_possessive(w)) for w in words(text) if w.lower() not in STOPWORDS]
    content = [c for c in content if c != noun]
    names = text.split()[-2:]
    full_name = (
        len(names) == 2
        and all(w[:1].isupper() for w in names)
        and singular(names[-1].lower()) not in _CATEGORY_HEADS  # "… National Park" is new
        and stem(singular(names[-1].lower())) != noun
    )
    if full_name and all(
        stem(strip_possessive(w)) in question_stems for w in words(" ".join(names))
    ):
        return True
    return not content or all(c in question_stems for c in content)
