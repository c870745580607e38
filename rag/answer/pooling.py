"""Pooling candidate answers across sentences and articles.

Every typed candidate of the relevant sentences is gathered under its normalised key; the same
answer named in another relevant sentence supports it too, and so does a title that names it.
An answer several sources give, in sentences close to the question's words, outranks one that a
single sentence offers; recent articles count more than years-old ones.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from rag.answer.answer_type import ORG_NOUNS, PLACE_NOUNS
from rag.answer.candidates import asks
from rag.answer.evidence import Evidence, Scored, place
from rag.answer.question import QuestionAnalysis
from rag.answer.relevance import relevance_problem
from rag.answer.spans import Candidate
from rag.text.acronyms import trailing_acronym

# Calibrated on rtqa dev questions (README "Measured"), never per question.
OTHER_ARTICLE_WEIGHT = 0.5  # the same answer in a further article adds this share of its support
SAME_ARTICLE_WEIGHT = 0.15
RANK_DECAY = 0.08  # passage k's sentences count 1 / (1 + k * RANK_DECAY)
SPREAD_FIT = 0.8  # the same answer found by string in a sentence NER did not read
TITLE_WEIGHT = 0.5  # a title naming the answer: this x its share of the question's words
MIN_SPREAD_RELEVANCE = 0.12
AGE_PENALTY = 0.3  # an article much older than the newest one retrieved keeps 70% of its weight
AGE_HALF_LIFE_DAYS = 60.0
OUT_OF_WINDOW = 0.25  # an article older than the question's "this week" keeps this share

NUMERIC = frozenset({"count", "money", "percent", "duration"})
CATEGORY_WORDS = PLACE_NOUNS | ORG_NOUNS  # "city", "university": a name's kind, not more name


@dataclass
class Pooled:
    key: str
    total: float
    best: float
    support: list[tuple[float, Evidence, Scored]]  # best first
    title_support: float = 0.0  # what titles naming it add (already in ``total``)
    per_article: list[float] = field(default_factory=list)  # its best weight in each article

    @property
    def top(self) -> tuple[float, Evidence, Scored]:
        return self.support[0]

    @property
    def articles(self) -> set[str]:
        return {e.passage.article_id for _, e, _ in self.support}


def pool_candidates(
    q: QuestionAnalysis, ranked: list[Evidence], now: date | None = None
) -> list[Pooled]:
    """Every candidate answer with its evidence, best supported first.

    Candidates come from the sentences typed by NER; the same answer named in any other
    relevant sentence supports it too (that sentence may be its quote), and so does a title
    that names it, though no title is ever quoted.
    """
    by_key: dict[str, list[tuple[float, Evidence, Scored]]] = defaultdict(list)
    weights = _weights(q, ranked, now)
    surfaces: dict[str, Candidate] = {}
    for e in ranked:
        if not e.scored or id(e) not in weights:
            continue
        seen: set[str] = set()
        for s in e.scored:
            c = s.candidate
            if c.key in seen:
                continue  # a name twice in one sentence is one piece of evidence
            seen.add(c.key)
            by_key[c.key].append((weights[id(e)] * s.score, e, s))
            known = surfaces.get(c.key)
            if known is None or c.fit > known.fit:
                surfaces[c.key] = c
    titles: dict[str, dict[str, float]] = defaultdict(dict)
    for e in ranked:
        if id(e) not in weights:
            continue
        for key, c in surfaces.items():
            # "Federal Bureau of Investigation (FBI)" is also looked for as "FBI".
            forms = [c.text] + ([a] if (a := trailing_acronym(c.text)) else [])
            if not e.scored and not asks(e.text):
                found = next(((f, at) for f in forms if (at := _find(e.text, f)) is not None), None)
                if found is not None:
                    f, at = found
                    spread = Candidate(f, at, at + len(f), c.fit * SPREAD_FIT, key)
                    placed = place(q, e, spread)
                    by_key[key].append((weights[id(e)] * placed.score, e, placed))
            aid = e.passage.article_id
            if aid not in titles[key] and any(_find(e.passage.title, f) is not None for f in forms):
                titles[key][aid] = e.title_lexical * c.fit
    names = {k for k, c in surfaces.items() if c.text[:1].isupper() or c.text[:1].isdigit()}
    keys = (
        _merge_names(list(by_key), names)
        if q.answer_type not in NUMERIC
        else {k: k for k in by_key}
    )
    merged: dict[str, list[tuple[float, Evidence, Scored]]] = defaultdict(list)
    merged_titles: dict[str, dict[str, float]] = defaultdict(dict)
    for k, items in by_key.items():
        merged[keys[k]].extend(items)
        merged_titles[keys[k]].update(titles.get(k, {}))
    pooled = []
    for k, items in merged.items():
        items.sort(key=lambda t: t[0], reverse=True)
        best_per_article: dict[str, float] = {}
        rest = 0.0
        for w, e, _ in items:
            aid = e.passage.article_id
            if aid not in best_per_article:
                best_per_article[aid] = w
            else:
                rest += w
        per_article = sorted(best_per_article.values(), reverse=True)
        title_support = sorted(merged_titles[k].values(), reverse=True)[:3]
        total = (
            per_article[0]
            + OTHER_ARTICLE_WEIGHT * sum(per_article[1:4])
            + SAME_ARTICLE_WEIGHT * min(rest, per_article[0])
            + TITLE_WEIGHT * sum(title_support)
        )
        pooled.append(
            Pooled(k, total, items[0][0], items, TITLE_WEIGHT * sum(title_support), per_article)
        )
    pooled.sort(key=lambda p: p.total, reverse=True)
    return pooled


def placed_here(pooled: list[Pooled]) -> list[Pooled]:
    """The candidates that may answer: one whose best sentence puts it beside another place is
    that place's, not the question's."""
    return [p for p in pooled if not p.top[2].elsewhere]


def _weights(q: QuestionAnalysis, ranked: list[Evidence], now: date | None) -> dict[int, float]:
    """How much each relevant sentence's evidence counts: relevance, passage rank, age.

    ``now`` is the question's present (its ``as_of``, else today): an article older than the
    time the question names ("this week") counts little, when some article is that recent.
    """
    dated = [e.passage.published for e in ranked if e.passage.published is not None]
    latest = max(dated) if dated else None
    window = asked_window(q.text) if now is not None else None
    if window is not None and not any(0 <= (now - d).days <= window for d in dated):
        window = None  # nothing retrieved is that recent: the words cannot pick among them
    out: dict[int, float] = {}
    for e in ranked:
        if e.relevance < MIN_SPREAD_RELEVANCE or relevance_problem(q, e) is not None:
            continue
        weight = e.relevance / (1.0 + RANK_DECAY * e.passage_index)
        published = e.passage.published
        if latest is not None and published is not None:
            # News answers are about the latest events retrieved: years-old articles count less.
            age = (latest - published).days
            weight *= 1.0 - AGE_PENALTY + AGE_PENALTY * 0.5 ** (age / AGE_HALF_LIFE_DAYS)
            if window is not None and (now - published).days > window:
                weight *= OUT_OF_WINDOW
        out[id(e)] = weight
    return out


def asked_window(question: str) -> int | None:
    """How many days back the question's own time words reach ("this week" → 10), if any.

    Counted back from the question's present, with a few days' slack for a week's reporting.
    """
    found = [days for pattern, days in _WINDOWS if pattern.search(question)]
    return max(found) if found else None


_WINDOWS = [
    (re.compile(p, re.I), days)
    for p, days in (
        (r"\b(?:this|last|past) (?:week|weekend)\b|\bearlier this week\b", 14),
        (
            r"\b(?:today|yesterday|tonight|(?:on|last) (?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
            10,
        ),
        (r"\b(?:this|last|past) month\b", 45),
    )
]


def _find(text: str, surface: str) -> int | None:
    m = re.search(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text)
    return m.start() if m else None


def _merge_names(keys: list[str], names: set[str]) -> dict[str, str]:
    """ "langley" pools into "michael langley" when that is the only longer name holding it,
    or the one every other holds in turn ("john" → "elton john", not "elton john live"); a
    longer name pools only into one that adds a category word ("new york" → "new york city").
    A common noun (not in ``names``: the keys written capitalised or with a number) pools into
    none: "species" is not the "Endangered Species Act"."""
    out = {}
    for k in keys:
        parts = set(k.split())
        if len(parts) == 1 and k not in names:
            out[k] = k
            continue
        longer = [o for o in keys if o != k and parts < set(o.split())]
        if len(parts) > 1:
            # "new york" is "new york city"; "elton john" is no part of "elton john live".
            extends = len(longer) == 1 and all(
                w in CATEGORY_WORDS for w in set(longer[0].split()) - parts
            )
            out[k] = longer[0] if extends else k
            continue
        shortest = min(longer, key=lambda o: len(o.split()), default=None)
        nested = shortest is not None and all(
            set(shortest.split()) <= set(o.split()) for o in longer
        )
        out[k] = shortest if nested else k
    return out
