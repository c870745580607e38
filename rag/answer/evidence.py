"""Sentence-level evidence: which retrieved sentences are about the question, and what they offer.

No reranker or reader model ships offline (docs/design.md), so each sentence of the retrieved
passages is scored on what can be checked: how much of the question it covers (IDF-weighted
stems, with half credit for words its title or the sentence before supply), how close it is in
meaning (MiniLM), and whether it names the question's focus terms ("Dioura"). The most relevant
sentences then get their candidate answers of the expected type (rag/answer/candidates.py),
each placed by its distance to the question's words. Passages written at the reader or at an
assistant (rag/answer/poison.py) give no evidence at all.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from rag.answer.answer_type import PLACE_NOUNS, singular
from rag.answer.candidates import asks, candidates, headline, type_hint
from rag.answer.clauses import (
    OTHER,
    OTHER_CLAUSE,
    SAME,
    asked,
    in_another_subject,
    relation,
    said_when,
    speaks,
    subject_reach,
)
from rag.answer.parsing import parse
from rag.answer.poison import addressed_to_reader
from rag.answer.quantities import asked_quantities, contradicts
from rag.answer.question import QuestionAnalysis
from rag.answer.spans import Candidate
from rag.models.embeddings import LocalEmbeddings
from rag.models.nlp import NLP, Attribution, Entity
from rag.schema import Passage
from rag.text.acronyms import spelled_out
from rag.text.facts import strip_possessive
from rag.text.kin import kin_of
from rag.text.lexicon import CALENDAR_WORDS, wordlist
from rag.text.places import country_of, is_country, is_us_state, spellings
from rag.text.tokens import STOPWORDS, sentence_spans, stem, word_spans, words

# How many sentences get the costlier signals (embedding, then NER + parse).
SEMANTIC_POOL = 24
TYPED_POOL = 14

WEIGHTS = {"lexical": 0.45, "semantic": 0.40, "focus": 0.15}
CONTEXT_CREDIT = 0.5  # a question word found only in the title or the sentence before
TYPE_HINT = 0.15  # a sentence whose words show a span of the type is worth reading with NER
CATEGORY_BASE = 0.5  # a thing's score x (this + its similarity to the asked-for category)
PROXIMITY_TOKENS = 8.0  # a candidate this many words from the question's words counts e^-1
ANOTHER_SUBJECT = 0.3  # a number nearer another name than the question's names counts this much
ANOTHER_FACT = 0.5  # a sentence giving the question's own quantity another value (quantities.py)
SPEAKER = 0.6  # who says a sentence, for a question that asks for no person, group or speech
SPEAKER_ASKED = 1.5  # who says it, for "who said / claimed …"
SUBJECT_NOT_OBJECT = 0.5  # a clause's subject, for "what did X wear" (clauses.in_another_subject)
_ASKS_FOR_SOURCES = frozenset({"person", "org"})  # who or which group may well be who said it
_NAMED_KINDS = frozenset({"person", "org", "thing"})  # whom or what, not when or how many
WINDOW_TOKENS = 8  # question words this close to a candidate are its neighbourhood
KIN_NEAR = 0.5  # a word of a question word's kin ("killed" for "died") in that neighbourhood


@dataclass
class Scored:
    """One candidate answer inside one sentence, with its support from that sentence."""

    candidate: Candidate
    score: float
    proximity: float
    elsewhere: bool = False  # it stands beside a place the question does not ask about


@dataclass
class Evidence:
    passage_index: int
    passage: Passage
    start: int  # offsets of the sentence inside passage.text
    end: int
    lexical: float = 0.0
    semantic: float = 0.0
    focus: float = 0.0  # share of focus terms in the sentence itself
    passage_focus: float = 0.0  # share of focus terms in the sentence's passage or title
    gate_focus: float = 0.0  # passage_focus, a person named by surname as named (relevance gate)
    relevance: float = 0.0  # lexical + semantic + focus, before any answer type
    title_lexical: float = 0.0  # share of the question's words (IDF) in the passage's title
    candidate: Candidate | None = None  # the best candidate of the sentence
    scored: list[Scored] = field(default_factory=list)
    attribution: Attribution | None = None
    entities: list[Entity] = field(default_factory=list)  # NER's, once the sentence is typed
    score: float = 0.0

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def article_start(self) -> int:
        return self.passage.start + self.start

    @property
    def article_end(self) -> int:
        return self.passage.start + self.end


def contains_term(haystack: str, term: str) -> bool:
    """Whole-word, case- and accent-insensitive ("Copa América" is "Copa America"), tolerant of
    a possessive or plural ending ("U.S." is "US")."""
    pattern = r"(?<![\w])" + re.escape(_folded(term)) + r"(?:'s|’s|s|es)?(?![\w])"
    return re.search(pattern, _folded(haystack)) is not None


@lru_cache(maxsize=2048)
def _folded(text: str) -> str:
    # One passage's text is looked into for every focus term and every sentence it holds.
    return fold(_undot(text))


def fold(text: str) -> str:
    """Lowercased, accents dropped: how a name is matched whatever its spelling's diacritics."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def mentions(haystack: str, term: str) -> bool:
    """``contains_term``, where a country and its demonym are one term ("Malian" is "Mali")."""
    return any(contains_term(haystack, form) for form in spellings(term))


_ACRONYM_ASKED = re.compile(r"\b[A-Z]{3,6}\b")
_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}")


def _undot(text: str) -> str:
    return _DOTTED.sub(lambda m: m.group().replace(".", ""), text) if "." in text else text


def focus_share(terms: list[str], text: str, named: frozenset[str] = frozenset()) -> float:
    """Share of the focus phrases ``text`` mentions; a phrase counts by the share of its words
    found ("Actress Anne Heche" is mostly there in a text naming "Anne Heche"). A name its
    article writes in full elsewhere (``named``) is mentioned by its last word: news names a
    person once, then by surname ("Morris Kahn" … "Kahn has donated")."""
    if not terms:
        return 1.0
    total = 0.0
    for term in terms:
        if mentions(text, term) or spelled_out(term, text):
            total += 1.0
            continue
        if term in named and contains_term(text, term.split()[-1]):
            total += 1.0
            continue
        parts = [p for p in term.split() if len(p) > 2]
        if len(parts) > 1:
            total += sum(contains_term(text, p) for p in parts) / len(parts)
    return total / len(terms)


def _named_in_full(focus: list[str], passages: list[Passage]) -> dict[str, frozenset[str]]:
    """Per article, the focus names one of its retrieved passages writes out in full (title
    included) whose last word is a proper noun: capitalised, and never written in lower case
    there ("Kahn", not the "Fire" of "Bertha Swamp Road Fire", which says "the fire")."""
    names = [t for t in focus if len(t.split()) > 1 and all(w[:1].isupper() for w in t.split())]
    texts: dict[str, str] = defaultdict(str)
    for p in passages if names else []:
        texts[p.article_id] += p.title + "\n" + p.text + "\n"
    return {
        aid: frozenset(
            t
            for t in names
            if mentions(text, t)
            and not re.search(r"\b" + re.escape(t.split()[-1].lower()) + r"\b", text)
        )
        for aid, text in texts.items()
    }


def gate_focus(terms: list[str]) -> list[str]:
    """The focus terms a passage must name: numbers are left out ("9-year" is "nine-year"), and
    so are the country names news uses as adjectives ("Which US city …", "Southeast US")."""
    if terms and all(country_of(t) in _WEAK_COUNTRIES for t in terms):
        return []  # "in the United Kingdom" alone: a passage may say "England" or nothing
    out = []
    for t in terms:
        # "Southeast US" is named by a passage that says "the Southeast".
        t = " ".join(w for w in t.split() if _undot(w).lower() not in _WEAK_FOCUS)
        if t and not re.fullmatch(r"[\d,.]+", t):
            out.append(t)
    return out


_WEAK_COUNTRIES = frozenset({"United States", "United Kingdom"})
_WEAK_FOCUS = frozenset(
    wordlist("""us usa uk eu un america american americans britain british england english
    europe european world earth""")
)


_CLOSED = frozenset(".!”\"’'")


def subhead(sentence: str) -> bool:
    """ "Black rhinos:", "Who is Brian Niccol?", "Taking over as CEO of Starbucks": a short line
    with no closing stop, which says what the lines under it are about ("They weigh …")."""
    text = sentence.strip()
    if not text or len(text.split()) > 10:
        return False
    if text.endswith("?"):
        return not any(q in text for q in '“”"')
    return text[-1] not in _CLOSED


def _full_person_name(x: Entity) -> bool:
    return x.label == "PERSON" and len(x.text.split()) > 1


def _unsure_person(x: Entity, surnames: set[str]) -> Entity:
    """A one-word "person" that no full name read here ends with is a name of no known kind,
    for a question about a group or a thing: the small NER model calls "Twitter" a person in
    "Elon Musk is the new owner of Twitter", while "Musk" ends "Elon Musk"."""
    if x.label != "PERSON" or _full_person_name(x) or x.text in surnames:
        return x
    return Entity(x.text, "NAME", x.start, x.end)


# Labels the small NER model gives a lone surname by its sound; a title ("Lightyear", the film
# of "Buzz Lightyear") or a company ("Ford") may well bear a person's name.
_MISREAD_AS_PLACE = frozenset({"GPE", "LOC", "FAC", "NORP"})


def _surname_of_someone(x: Entity, surnames: set[str]) -> Entity:
    """ "Niccol" read as a place, where "Brian Niccol" is read as a person elsewhere: the small
    NER model labels a lone surname by its sound; the full name says whose it is."""
    if x.label not in _MISREAD_AS_PLACE or x.text not in surnames:
        return x
    if is_country(x.text) or is_us_state(x.text):
        return x
    return Entity(x.text, "PERSON", x.start, x.end)


class EvidenceScorer:
    def __init__(self, embeddings: LocalEmbeddings, nlp: NLP) -> None:
        self.embeddings = embeddings
        self.nlp = nlp

    def score(
        self, question: QuestionAnalysis, passages: list[Passage], query_vector: list[float]
    ) -> list[Evidence]:
        question.refine(parse(self.nlp, question.text))
        clean = [(i, p) for i, p in enumerate(passages) if not addressed_to_reader(p.text)]
        found = [Evidence(i, p, a, b) for i, p in clean for a, b in sentence_spans(p.text)]
        if not found:
            return []
        stems = [{stem(w) for w in words(e.text)} for e in found]
        # "CEO" is said by "chief executive officer", "PETA" by the group's name written out.
        for acronym in _ACRONYM_ASKED.findall(question.text):
            for e, s in zip(found, stems, strict=True):
                if spelled_out(acronym, e.text):
                    s.add(stem(acronym.lower()))
        idf = _idf(stems)
        wanted = sum(idf.get(t, _UNSEEN) for t in question.terms) or 1.0
        focus = gate_focus(question.focus)
        named_in = _named_in_full(focus, passages)
        previous: dict[int, set[str]] = {}
        section: dict[int, set[str]] = {}  # the words of the subhead a sentence falls under
        for k, (e, s) in enumerate(zip(found, stems, strict=True)):
            before = stems[k - 1] if k and found[k - 1].passage is e.passage else set()
            context = previous.get(e.passage_index)
            if context is None:
                context = previous[e.passage_index] = {stem(w) for w in words(e.passage.title)}
            around = before | context | section.get(e.passage_index, set())
            if subhead(e.text):
                section[e.passage_index] = s
            e.title_lexical = (
                sum(idf.get(t, _UNSEEN) for t in question.terms if t in context) / wanted
            )
            e.lexical = (
                sum(
                    idf.get(t, _UNSEEN)
                    * (1.0 if _holds(s, t) else CONTEXT_CREDIT if _holds(around, t) else 0)
                    for t in question.terms
                )
                / wanted
            )
            if focus:
                e.focus = focus_share(focus, e.text)
                e.passage_focus = focus_share(focus, e.passage.title + "\n" + e.passage.text)
                named = named_in.get(e.passage.article_id)
                # The gate alone reads a surname as the person: scoring by it would raise every
                # sentence saying "Trump" as high as the one saying "Donald Trump".
                e.gate_focus = (
                    focus_share(focus, e.passage.title + "\n" + e.passage.text, named)
                    if named
                    else e.passage_focus
                )
            else:
                e.focus = e.passage_focus = e.gate_focus = 1.0

        # Meaning, for the sentences worth it: embedding every sentence would cost seconds.
        pool = sorted(found, key=lambda e: e.lexical + e.focus, reverse=True)[:SEMANTIC_POOL]
        vectors = np.asarray(self.embeddings.encode([e.text for e in pool]))
        sims = vectors @ np.asarray(query_vector)
        for e, sim in zip(pool, sims, strict=True):
            e.semantic = max(0.0, float(sim))
        quantities = asked_quantities(question.text)
        for e in found:
            e.relevance = (
                WEIGHTS["lexical"] * min(1.0, e.lexical)
                + WEIGHTS["semantic"] * e.semantic
                # The sentence naming the focus itself is best; one inside a passage that names
                # it (the sentence after "… in Mopti": "The river rose 2.4 metres") still counts.
                + WEIGHTS["focus"] * (e.focus + e.passage_focus) / 2
            )
            if contradicts(quantities, e.text):
                e.relevance *= ANOTHER_FACT
            e.score = e.relevance

        qstems = question_stems(question.text)

        def worth_typing(e: Evidence) -> float:
            return e.relevance + (TYPE_HINT if type_hint(question.expected, e.text) else 0.0)

        wanted = asked(parse(self.nlp, question.text)) if question.answer_type else None
        relations: list[tuple[Evidence, int, int]] = []
        to_type = sorted(found, key=worth_typing, reverse=True)[:TYPED_POOL]
        self.nlp.parse_ahead([e.text for e in to_type])
        read = [(e, *self.nlp.analyse(e.text)) for e in to_type]
        surnames = {x.text.split()[-1] for _, ents, _ in read for x in ents if _full_person_name(x)}
        known = frozenset(x.text for _, ents, _ in read for x in ents)
        # What the retrieved articles' sentences say, headings left out (_named_in_the_body).
        body = "\n".join(e.text for e in found if not headline(e.text))
        for e, entities, attribution in read:
            e.attribution = attribution
            entities = [_surname_of_someone(x, surnames) for x in entities]
            if question.answer_type in {"org", "thing"}:
                entities = [_unsure_person(x, surnames) for x in entities]
            e.entities = entities
            if question.answer_type and not asks(e.text):
                phrases = _noun_phrases(self.nlp, e.text) if question.answer_type == "thing" else []
                cands = candidates(
                    e.text,
                    question.expected,
                    entities,
                    qstems,
                    phrases,
                    dated=e.passage.published is not None,
                    known=known,
                )
                if question.answer_type == "person" and question.names_alone:
                    cands = [c for c in cands if not _one_named(c, question.names_alone)]
                doc = parse(self.nlp, e.text) if cands else None
                e.scored = [place(question, e, c, _reach(question, wanted, doc, c)) for c in cands]
                if headline(e.text):
                    e.scored = _named_in_the_body(e.scored, body)
                if wanted is not None and cands:
                    relations += [
                        (e, k, relation(wanted, doc, s.candidate.start, s.candidate.end))
                        for k, s in enumerate(e.scored)
                    ]
                    if question.answer_type not in _ASKS_FOR_SOURCES and not wanted.speech:
                        for s in e.scored:
                            if speaks(doc, s.candidate.start, s.candidate.end) or (
                                question.answer_type == "date"
                                and said_when(doc, s.candidate.start, s.candidate.end)
                            ):
                                s.score *= SPEAKER
                    elif question.answer_type in _ASKS_FOR_SOURCES and wanted.speech:
                        # "Who claimed the attack?": whoever says the sentence's claim.
                        for s in e.scored:
                            if speaks(doc, s.candidate.start, s.candidate.end):
                                s.score *= SPEAKER_ASKED
                    if wanted.object_asked and question.answer_type in _NAMED_KINDS:
                        for s in e.scored:
                            if in_another_subject(
                                doc, s.candidate.start, s.candidate.end, wanted.acts
                            ):
                                s.score *= SUBJECT_NOT_OBJECT
        if any(r == SAME for _, _, r in relations):
            # Another event's count only loses where some clause tells the asked-for one: an
            # elided verb ("as she has for 31 years") must not cost the only answer there is.
            for e, k, r in relations:
                if r == OTHER and not e.scored[k].candidate.stated:
                    s = e.scored[k]
                    e.scored[k] = Scored(
                        s.candidate, s.score * OTHER_CLAUSE, s.proximity, s.elsewhere
                    )
        for e in found:
            if e.scored:
                e.scored.sort(key=lambda s: s.score, reverse=True)
                e.candidate = e.scored[0].candidate
        if question.answer_type == "thing" and question.expected.noun_text:
            self._category_fit(question.expected.noun_text, found)
        for e in found:
            # A sentence that offers an answer of the asked-for type is the better evidence.
            typed = 1.0 if (e.candidate is not None or not question.answer_type) else 0.75
            e.score = e.relevance * typed
        return sorted(found, key=lambda e: e.score, reverse=True)

    def _category_fit(self, noun: str, found: list[Evidence]) -> None:
        """ "Which disease …": "measles" is closer in meaning to "disease" than "the outbreak"."""
        texts = sorted({s.candidate.text for e in found for s in e.scored})
        if not texts:
            return
        vectors = np.asarray(self.embeddings.encode([noun, *texts]))
        sims = dict(zip(texts, (vectors[1:] @ vectors[0]).tolist(), strict=True))
        for e in found:
            for s in e.scored:
                s.score *= CATEGORY_BASE + max(0.0, sims[s.candidate.text])
            e.scored.sort(key=lambda s: s.score, reverse=True)
            e.candidate = e.scored[0].candidate if e.scored else None


def _reach(q: QuestionAnalysis, wanted, doc, c: Candidate) -> tuple[int, int] | None:
    """Who a clause is about is near all of it, when the question asks who did something
    (not whom something was done to: "Who did JNIM target?")."""
    if q.answer_type not in _ASKS_FOR_SOURCES or wanted is None or wanted.object_asked:
        return None
    return subject_reach(doc, c.start, c.end, wanted.speech)


HEADING_ONLY = 0.5  # a heading's capitalised words that the article's sentences never name


def _named_in_the_body(scored: list[Scored], body: str) -> list[Scored]:
    """In a heading every word is capitalised, so NER reads "Coordinated Assaults" as a
    person: a name counts as one there when some retrieved sentence names it too."""
    return [
        s
        if re.search(r"(?<!\w)" + re.escape(s.candidate.text) + r"(?!\w)", body)
        else Scored(s.candidate, s.score * HEADING_ONLY, s.proximity, s.elsewhere)
        for s in scored
    ]


def question_stems(question: str) -> set[str]:
    """The stems a candidate must bring something beyond: a country the question names by its
    demonym is named too ("the Malian army" names Mali, "Sri Lankan President" Sri Lanka)."""
    out = {stem(strip_possessive(w)) for w in words(question)}
    names = [m.group() for m in word_spans(question)]
    for i, w in enumerate(names):
        if not w[:1].isupper():
            continue
        for name in (w, f"{w} {names[i + 1]}" if i + 1 < len(names) else None):
            country = country_of(name) if name else None
            if country:
                out |= {stem(x) for x in words(country)}
    return out


def place(
    q: QuestionAnalysis, e: Evidence, c: Candidate, reach: tuple[int, int] | None = None
) -> Scored:
    """How near ``c`` stands to the question's words in its sentence.

    Two signals: the gap to the nearest question word, and the share of the sentence's
    question words that sit within a few words of the candidate. In "JNIM said it killed 40
    soldiers at Dioura, and 400 soldiers died in Mali and Niger since May", a question about
    Mali, Niger and May belongs to 400, whose neighbourhood holds them. ``reach``: the clause
    a person or group is the subject of, all of whose question words are its neighbourhood.
    """
    sentence = e.text
    tokens = [(m.start(), m.end(), stem(m.group())) for m in re.finditer(r"[\w’']+", sentence)]
    hits = [
        (i, a)
        for i, (a, b, s) in enumerate(tokens)
        if (b <= c.start or a >= c.end) and s in q.terms_and_kin
    ]
    if not hits:
        return Scored(c, c.fit * (0.5 + 0.5 * 0.3), 0.3)
    gap = min(abs(a - c.start) if a < c.start else abs(a - c.end) for _, a in hits)
    nearest = math.exp(-(gap / 6.0) / PROXIMITY_TOKENS)
    first = next((i for i, (a, b, _) in enumerate(tokens) if b > c.start), 0)
    last = max((i for i, (a, _, _) in enumerate(tokens) if a < c.end), default=first)
    near = {
        tokens[i][2]
        for i, a in hits
        if first - WINDOW_TOKENS <= i <= last + WINDOW_TOKENS
        or (reach is not None and reach[0] <= a < reach[1])
    }
    # The question's own word outweighs a word of its kin: for "how many are estimated to have
    # died", "400 are estimated to have died" is nearer than "it killed 40".
    weight = {t: 1.0 if t in q.terms else KIN_NEAR for t in {tokens[i][2] for i, _ in hits}}
    local = sum(weight[t] for t in near) / sum(weight.values())
    proximity = 0.4 * nearest + 0.6 * local
    if q.expected.blank and any(0 <= c.start - a <= 40 for _, a in hits[-2:]):
        proximity = 1.0  # "… titled X": the blank follows the question's last words
    score = c.fit * (0.5 + 0.5 * proximity)
    elsewhere = _about_another(q, e, c) or _done_by_another(q, sentence)
    if elsewhere:
        score *= ANOTHER_SUBJECT
    return Scored(c, score, proximity, elsewhere)


# A place-like name: after "at", "in", "near" … ("at Boulikessi", "on the Dioura base").
_PLACE_AT = re.compile(
    r"\b(?:at|in|near|on|outside|from|of)\s+(?:the\s+)?([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)*)"
)


_CLAUSE_BREAK = re.compile(r",\s+(?:and|but|while|whereas)\b|;|\s[—–]\s")


def _about_another(q: QuestionAnalysis, e: Evidence, c: Candidate) -> bool:
    """A count or date beside a place the question does not ask about belongs to that place:
    "… at Boulikessi, where more than 30 soldiers died" is no toll for Timbuktu; nor is
    "The toll there was 40" right after a sentence about Dioura. A question that names no place
    (only "in May") is about no place in particular, and one about several places ("the three
    Baltic states") is about the places a sentence lists ("in Estonia, Latvia and Lithuania")."""
    focus = gate_focus(q.focus)
    if q.answer_type not in {"count", "money", "percent", "date", "duration"} or not focus:
        return False
    where = [
        t for t in focus if t.split()[0].lower() not in CALENDAR_WORDS and t not in q.not_places
    ]
    if not where:
        return False
    sentence = e.text
    several = _asks_about_places(q.text)
    names = where + [t for t in q.focus if t not in where]

    def others(text: str, entities: list[Entity] = ()) -> list[tuple[int, int]]:
        return [
            m.span(1)
            for m in _PLACE_AT.finditer(text)
            # "of America" in "Bank of America": a word of an asked name, whole or gated.
            if not any(mentions(m.group(1), t) or contains_term(t, m.group(1)) for t in names)
            and m.group(1).split()[0].lower() not in CALENDAR_WORDS
            and not (several and _listed(text, m.start(1), m.end(1)))
            and not _named_otherwise(m.start(1), m.end(1), entities)
        ]

    def named(text: str) -> list[re.Match]:
        return [
            m
            for t in where
            for form in spellings(t)
            for m in re.finditer(
                r"(?<!\w)" + re.escape(_undot(form)) + r"(?!\w)", _undot(text), re.I
            )
        ]

    def mine(text: str) -> list[int]:
        found = [m.start() for m in named(text)]
        if several:
            found += [m.start(1) for m in _PLACE_AT.finditer(text) if _listed(text, *m.span(1))]
        return found

    def same_clause(o: int) -> bool:
        return not _CLAUSE_BREAK.search(sentence[min(o, c.start) : max(o, c.start)])

    # "Nickel Diner, a popular breakfast spot in Los Angeles, added …": a place in the
    # description set off after the asked name says where the asked one is.
    described = [
        (m.end(), m.end() + d.end())
        for m in named(sentence)
        if (d := _DESCRIBED_AFTER.match(sentence, m.end())) is not None
    ]
    spans = [
        (a, b)
        for a, b in others(sentence, e.entities)
        if not c.start <= a < c.end and not any(x <= a < y for x, y in described)
    ]
    own = mine(sentence)
    if any(same_clause(f) for f in own):
        # "25 million people in Arizona, Nevada, California and Mexico rely on Lake Mead": places
        # listed in the asked place's clause say where the counted are, not another event's.
        spans = [(a, b) for a, b in spans if not _listed(sentence, a, b)]
    here = [a for a, _ in spans if same_clause(a)]
    ours = [f for f in own if same_clause(f)]
    if here and ours and max(ours) < c.start < min(here):
        # "The last World Cup of Hockey was held in September 2016 in Toronto": the asked
        # subject leads the clause; a place after its date or count says where it happened.
        return False
    if here:
        # The asked place holds the candidate only from its own clause: in "… 40 soldiers in
        # an assault on Dioura base, and 400 soldiers died in Mali", Dioura is not 400's.
        near_other = min(abs(o - c.start) for o in here)
        return near_other < min((abs(f - c.start) for f in own if same_clause(f)), default=10**6)
    if own:
        return False
    before = e.passage.text[max(0, e.start - 300) : e.start]
    if not before.strip():
        # "The toll there was 40" opening a passage: the place it refers back to is in a
        # sentence this passage does not hold, so it cannot be shown to be the one asked about.
        return _REFERS_BACK.search(sentence) is not None
    previous = re.split(r"(?<=[.!?])\s+", before.strip())[-1]
    return bool(others(previous)) and not mine(previous)


_DESCRIBED_AFTER = re.compile(r",\s+(?:a|an|the)\s[^,;:.!?]{3,80},")

# "When did Stevie Nicks join the band?": the person the question asks about, and the verb.
_ASKED_PERSON_DEED = re.compile(
    r"^(?i:when|where|how (?:many|much|long|old)|what year)\b.*?\b(?:did|does|do|has|have|will)\s+"
    r"((?:[A-Z][\w’'\-]*\s+){0,2}[A-Z][\w’'\-]*)\s+([a-z]+)\b"
)
_NAME_THEN_WORD = re.compile(r"\b((?:[A-Z][\w’'\-]*\s+){0,2}[A-Z][\w’'\-]*)\s+([a-z]+)\b")


def _done_by_another(q: QuestionAnalysis, sentence: str) -> bool:
    """ "McVie joined the band in 1970" for "When did Stevie Nicks join the band?": another
    person does the asked verb in a sentence that never names the asked one."""
    if q.answer_type not in {"count", "money", "percent", "date", "duration"}:
        return False
    m = _ASKED_PERSON_DEED.match(q.text)
    if m is None or not m.group(1)[:1].isupper():
        return False
    asked = [w for w in m.group(1).split() if len(w) > 2]
    if any(contains_term(sentence, w) for w in asked):
        return False
    verb = stem(m.group(2))
    return any(
        stem(d.group(2)).startswith(verb)
        and d.group(1).split()[0].lower() not in STOPWORDS  # "She joined": the asked one, maybe
        and not contains_term(q.text, d.group(1).split()[-1])
        for d in _NAME_THEN_WORD.finditer(sentence)
    )


_REFERS_BACK = re.compile(r"\b(?:there|the (?:town|city|village|base|camp|area|site))\b", re.I)


_LISTED_AFTER = re.compile(
    r"^(?:['’]s)?(?:\s*,\s*[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*)*,?\s+(?:and|or)\s+(?:the\s+)?[A-Z]"
)


def _one_named(c: Candidate, names: frozenset[str]) -> bool:
    """ "Joe Biden" for a question about "Biden": the person it names, not an answer."""
    parts = c.text.split()
    return 2 <= len(parts) <= 4 and fold(strip_possessive(parts[-1])) in names


def _listed(text: str, start: int, end: int) -> bool:
    """ "in Mali, Niger and Chad": the name opens a list of names (a place among several)."""
    return _LISTED_AFTER.match(text[end:]) is not None


def _asks_about_places(question: str) -> bool:
    """ "across the three Sahel countries", "in both cities": the question spans several places."""
    return any(
        w.endswith("s") and singular(w) != w and singular(w) in PLACE_NOUNS for w in words(question)
    )


_NOT_A_PLACE = frozenset({"WORK_OF_ART", "EVENT", "PRODUCT", "LAW"})
_A_PLACE = frozenset({"GPE", "LOC", "FAC"})
# NER often reads an unfamiliar town as an organisation or a person ("the Dioura base"): only an
# organisation that says so by its head word is surely no place.
_ORG_HEAD = re.compile(
    r"\b(?:Nations|Council|Organi[sz]ation|Agency|Ministry|Department|Office|Bureau|Commission|"
    r"Institute|University|Association|Committee|Service|Party|Company|Corporation|Bank|Fund|"
    r"Board|Authority|Court|Union|Federation|Foundation|Center|Centre|Network)s?$"
)


def _named_otherwise(start: int, end: int, entities: list[Entity]) -> bool:
    """NER reads the name as something other than a place: "a projection from the United
    Nations" puts a figure beside an organisation, not beside another place."""
    over = [x for x in entities if x.start < end and start < x.end]
    if any(x.label in _A_PLACE for x in over):
        return False
    return any(
        x.label in _NOT_A_PLACE or (x.label == "ORG" and _ORG_HEAD.search(x.text)) for x in over
    )


def _noun_phrases(nlp: NLP, sentence: str) -> list[Entity]:
    doc = parse(nlp, sentence)
    if doc is None:
        return []
    out = []
    for chunk in doc.noun_chunks:
        if chunk.root.pos_ == "PRON" or chunk.root.like_num:
            continue
        # "$1.9 trillion American Rescue Plan Act": the sum says how big, the rest what.
        lead = 0
        while lead < len(chunk) - 1 and (
            chunk[lead].like_num or chunk[lead].pos_ in {"NUM", "SYM", "DET"}
        ):
            lead += 1
        if not any(t.like_num or t.pos_ in {"NUM", "SYM"} for t in chunk[:lead]):
            lead = 0  # "the program" keeps its article
        out.append(Entity(chunk[lead:].text, "NP", chunk[lead].idx, chunk.end_char))
    return out


def _holds(stems: set[str], term: str) -> bool:
    """``term`` or a word of its kin is among ``stems``."""
    return term in stems or not stems.isdisjoint(kin_of(term))


_UNSEEN = 3.0  # IDF given to a question term no sentence contains: its absence should cost


def _idf(docs: list[set[str]]) -> dict[str, float]:
    df = Counter(t for d in docs for t in d)
    n = len(docs)
    return {t: math.log(1 + n / (1 + c)) + 0.1 for t, c in df.items()}
