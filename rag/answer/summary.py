"""Summary-type questions: a short extractive summary instead of ``not_found``.

"Why did …?", "How did …?", "What happened at …?", "Summarize …", "Tell me about …" and "Who is
<name>?" get two to four sentences from at most three articles, each quoted verbatim with its
own citation, in date order. Sentences are picked by relevance to the question's subject (its
names and content words, and closeness in meaning), with maximal marginal relevance so that
two articles retelling the same event give one sentence, not two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from rag.answer.answer_type import DESCRIBED
from rag.answer.evidence import Evidence, contains_term
from rag.answer.extractive import ExtractiveResult, refusal
from rag.answer.question import focus_terms
from rag.models.embeddings import LocalEmbeddings
from rag.text.tokens import STOPWORDS, words
from rag.text.verbs import word_key

# --- which questions ---------------------------------------------------------------------------

_LEADS: list[tuple[str, re.Pattern[str]]] = [
    (
        "summary",
        re.compile(
            r"^\s*(?:please\s+|can you\s+|could you\s+)?(?:summari[sz]e|sum up|recap|"
            r"give (?:me )?(?:a |an )?(?:short |brief |quick )?(?:summary|overview|rundown|recap)"
            r"(?: of| on)?|(?:a |an )?(?:summary|overview|rundown|recap) of|"
            r"tell me (?:more )?about|what do (?:we|you) know about|catch me up on|brief me on|"
            r"background on|describe|explain)\b[\s:,]*",
            re.I,
        ),
    ),
    (
        "what_happened",
        re.compile(
            r"^\s*what\s+(?:happened|has happened|is happening|was happening|went on|"
            r"is going on|took place)\b\s*",
            re.I,
        ),
    ),
    ("why", re.compile(r"^\s*(?:why|for what reason|what (?:caused|led to|prompted))\b\s*", re.I)),
    (
        "how",
        re.compile(
            r"^\s*how\s+(?=(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would)\b)",
            re.I,
        ),
    ),
    ("profile", re.compile(r"^\s*(?:who|what)\s+(?:is|are|was|were)\s+", re.I)),
]
_AUX_LEAD = re.compile(
    r"^(?:did|does|do|is|are|was|were|has|have|had|can|could|will|would)\s+", re.I
)


@dataclass
class SummaryQuestion:
    kind: str  # summary | what_happened | why | how | profile
    subject: str  # the question without its lead: "the attacks on Malian army bases"
    focus: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # content stems of the subject


def summary_question(question: str) -> SummaryQuestion | None:
    """The kind of summary a question asks for, or None for any other question."""
    q = " ".join(question.split()).strip()
    for kind, pattern in _LEADS:
        m = pattern.match(q)
        if not m:
            continue
        subject = q[m.end() :].strip(" ?.!:")
        if kind == "how" and DESCRIBED.match(" " + q[m.end() :]):
            return None  # "How did the army describe it?": the words used, a factoid
        if kind in {"why", "how"}:
            subject = _AUX_LEAD.sub("", subject)
        # As written: "widespread evacuations …" must not become a name by a capital.
        focus = focus_terms(subject) if subject else []
        if kind == "profile" and not _only_a_name(subject, focus):
            return None  # "Who is the mayor of X?" asks for a name: a factoid
        if not subject:
            return None  # "what happened?" alone leans on a previous turn (condense.py)
        terms = list(dict.fromkeys(word_key(w) for w in words(subject) if w not in STOPWORDS))
        return SummaryQuestion(kind, subject, focus, terms)
    return None


def _only_a_name(subject: str, focus: list[str]) -> bool:
    left = subject
    for f in focus:
        left = left.replace(f, " ")
    return bool(focus) and not re.sub(r"\b(?:the|a|an)\b", " ", left, flags=re.I).strip(" ,.?!")


# --- choosing sentences ------------------------------------------------------------------------

MAX_SENTENCES = 4
MAX_ARTICLES = 3
POOL = 10  # sentences embedded for redundancy
MMR_LAMBDA = 0.7
REDUNDANT = 0.80  # cosine at which a sentence retells one already chosen
SAME_FIGURE_REDUNDANT = 0.55  # … or at which it does when both give the same figure
MIN_RELEVANCE = 0.35
KEEP_RATIO = 0.6  # a sentence below this share of the best one's relevance is left out
MIN_WORDS = 6

WEIGHTS = {"lexical": 0.40, "semantic": 0.35, "focus": 0.25}
CUE_BONUS = 0.10
RESTATES = 0.8  # share of the subject's words at which a sentence only restates a why-question
LEAD_BONUS = 0.15
LEAD_HALF_CHARS = 500
TITLE_BONUS = 0.05

# Sentences that give a reason, for "why"; that describe a person, for "who is".
_CAUSE = re.compile(
    r"\b(?:because|due to|owing to|as a result|after|following|amid|in response|in protest|"
    r"prompted|led to|leading to|caused|blamed|reasons?|factors?|so that|in order to|since|"
    r"over concerns?|cit(?:ed|ing) (?:his|her|their|its|the|a|an)|"
    r"to (?:avoid|prevent|protest|allow|replace|control|protect|reduce|cut))\b",
    re.I,
)
_ROLE = re.compile(
    r"\b(?:head|chief|leader|president|minister|commander|director|founder|co-founder|"
    r"spokes(?:man|woman|person)|ceo|chair(?:man|woman)?|mayor|governor|senator|candidate|coach|"
    r"ambassador|secretary|general|officer|executive|manager|member|player|captain|author|"
    r"editor|analyst|professor|researcher|judge|prosecutor|lawyer|envoy|branch|affiliate|"
    r"group|mission|force|agency|company|party)\b",
    re.I,
)


# A later sentence of an article about the subject that names it by a pronoun or "the group".
_REFERS_BACK = re.compile(
    r"\b(?:he|she|him|her)\b|^\W*(?:they|the (?:group|company|firm|club|team|party|band|"
    r"agency|mission|organi[sz]ation|movement|militia|union))\b",
    re.I,
)


@dataclass
class _Candidate:
    evidence: Evidence
    relevance: float
    vector: np.ndarray | None = None
    restates: bool = False  # says what the question says, and gives no reason


def summarize(
    sq: SummaryQuestion, ranked: list[Evidence], embeddings: LocalEmbeddings
) -> ExtractiveResult:
    pool = _pool(sq, ranked)
    if not pool:
        missing = ", ".join(sq.focus) or "the question's subject"
        return refusal(f"no retrieved sentence is about {missing}")
    # Redundancy needs the pool's own vectors (the scorer keeps only their similarity to the
    # question): POOL short sentences cost about what the scorer's batch does.
    vectors = np.asarray(embeddings.encode([c.evidence.text for c in pool]))
    for c, v in zip(pool, vectors, strict=True):
        c.vector = v
    chosen = _mmr(pool)
    if not chosen:
        return refusal("no retrieved sentence is close enough to the question's subject")
    chosen.sort(key=lambda c: _reading_order(c.evidence))
    citations = []
    parts = []
    for n, c in enumerate(chosen, start=1):
        e = c.evidence
        citations.append(e.passage.cite(n, e.start, e.end))
        parts.append(_statement(e, n))
    articles = len({c.evidence.passage.article_id for c in chosen})
    note = f"summary: {len(chosen)} sentence(s) from {articles} article(s), oldest first"
    return ExtractiveResult("answered", " ".join(parts), None, citations, [note])


def _pool(sq: SummaryQuestion, ranked: list[Evidence]) -> list[_Candidate]:
    """Sentences about the subject, scored on what needs no model; the best few kept."""
    from rag.answer.support import looks_like_instruction

    out: list[_Candidate] = []
    seen: set[str] = set()
    poisoned: dict[str, bool] = {}
    wanted = len(sq.terms) or 1
    for e in ranked:
        text = e.text
        key = " ".join(words(text))
        if key in seen or len(text.split()) < MIN_WORDS or text.lstrip().startswith(("#", "*")):
            continue
        seen.add(key)
        header = e.passage.title + "\n" + e.passage.text
        if sq.focus:
            in_passage = sum(contains_term(header, f) for f in sq.focus) / len(sq.focus)
            if in_passage < (1.0 if len(sq.focus) <= 2 else 0.67):
                continue
            in_sentence = sum(_names(text, f) for f in sq.focus) / len(sq.focus)
            if not in_sentence and in_passage == 1.0 and _REFERS_BACK.search(text):
                in_sentence = 0.5  # "she drove to the coast", "The group said …" in its article
        else:
            in_sentence = 1.0
        stems = {word_key(w) for w in words(text)}
        lexical = sum(t in stems for t in sq.terms) / wanted
        if sq.kind == "profile" and not in_sentence:
            continue  # a profile sentence names the person
        if lexical == 0 and in_sentence == 0:
            continue
        chunk = e.passage.chunk_id
        if chunk not in poisoned:
            poisoned[chunk] = looks_like_instruction(e.passage.text)
        if poisoned[chunk]:
            continue  # a passage that addresses a model is never evidence, nor any of its text
        relevance = (
            WEIGHTS["lexical"] * lexical
            + WEIGHTS["semantic"] * e.semantic
            + WEIGHTS["focus"] * in_sentence
            # News puts what happened first: a lead sentence of an article whose headline names
            # the subject is the likeliest summary of it.
            + LEAD_BONUS * 0.5 ** (e.article_start / LEAD_HALF_CHARS)
            + TITLE_BONUS
            * bool(sq.focus and all(contains_term(e.passage.title, f) for f in sq.focus))
        )
        if sq.kind == "why" and _CAUSE.search(text):
            relevance += 2 * CUE_BONUS  # the reason is what was asked
        if sq.kind == "profile" and _describes(text, sq.focus):
            relevance += 2 * CUE_BONUS
        restates = lexical >= RESTATES and not _CAUSE.search(text)
        out.append(_Candidate(e, relevance, restates=restates))
    out.sort(key=lambda c: -c.relevance)
    if sq.kind == "why" and any(_CAUSE.search(c.evidence.text) for c in out[:POOL]):
        # "Why did Jane Doe win?" after "Who won?": the sentence that only says she won is
        # the previous answer again, not a reason.
        out = [c for c in out if not c.restates]
    return out[:POOL]


def _names(text: str, name: str) -> float:
    """1 for the full name, 0.5 for a later mention by surname ("Doe" for "Jane Doe")."""
    if contains_term(text, name):
        return 1.0
    parts = name.split()
    return 0.5 if len(parts) > 1 and contains_term(text, parts[-1]) else 0.0


def _describes(text: str, focus: list[str]) -> bool:
    """ "Gen. Michael Langley, the head of …", "Langley, who heads …", "X is a …", "… (JNIM), an
    al-Qaeda-linked group"."""
    for name in focus:
        last = re.escape(name.split()[-1])
        if re.search(rf"{last}\)?(?:'s|’s)?,\s+(?:the|a|an|who|whose|which|[a-z]+\s+of)\b", text):
            return True
        if re.search(rf"{last}\s+(?:is|was|has been|became|serves as|heads|leads|chairs)\b", text):
            return True
        m = re.search(rf"(?:\S+\s+){{0,4}}{re.escape(name)}", text)
        if m and _ROLE.search(m.group()):
            return True
    return False


def _mmr(ranked: list[_Candidate]) -> list[_Candidate]:
    ranked = sorted(ranked, key=lambda c: -c.relevance)
    if not ranked or ranked[0].relevance < MIN_RELEVANCE:
        return []
    floor = max(MIN_RELEVANCE, KEEP_RATIO * ranked[0].relevance)
    chosen: list[_Candidate] = []
    left = [c for c in ranked if c.relevance >= floor]
    while left and len(chosen) < MAX_SENTENCES:
        articles = {c.evidence.passage.article_id for c in chosen}
        best: tuple[float, _Candidate] | None = None
        for c in left:
            if len(articles) >= MAX_ARTICLES and c.evidence.passage.article_id not in articles:
                continue
            overlap = max((float(c.vector @ s.vector) for s in chosen), default=0.0)
            if overlap >= REDUNDANT or any(_retells(c, s) for s in chosen):
                continue
            score = MMR_LAMBDA * c.relevance - (1 - MMR_LAMBDA) * overlap
            if best is None or score > best[0]:
                best = (score, c)
        if best is None:
            break
        chosen.append(best[1])
        left.remove(best[1])
    return chosen


_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d|(?<![\w.])\d(?![\w])")


def _retells(a: _Candidate, b: _Candidate) -> bool:
    """Two reports of one event: the same figure in sentences alike in meaning. Paraphrases
    of one event ("stormed an army post", "overran the army base") are no closer in MiniLM
    than two different facts about one place, so the shared figure decides."""
    shared = set(_NUMBER.findall(a.evidence.text)) & set(_NUMBER.findall(b.evidence.text))
    return bool(shared) and float(a.vector @ b.vector) >= SAME_FIGURE_REDUNDANT


def _reading_order(e: Evidence) -> tuple[date, str, int]:
    return (e.passage.published or date.min, e.passage.article_id, e.article_start)


def _statement(e: Evidence, marker: int) -> str:
    # No "(Sunday = 1 June 2025)" note: verification reads a note after a quote as a claim of
    # its own. The citation carries the article's date, and the sentences come in date order.
    return "“" + re.sub(r"\[(\d+)\]", r"(\1)", e.text) + f"” [{marker}]"
