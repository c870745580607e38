"""Second-stage passage ranking: the fused candidates re-ordered by their best sentence.

Fusion ranks whole chunks by how they match the question as a bag of words and as a vector; a
chunk that answers usually holds one sentence that covers most of the question's words at once
(the answer's own sentence), while a chunk that merely shares the topic spreads them thin. So
the top of the fused list is re-scored by its best sentence's coverage of the question's words
(IDF over the candidates, so the subject's rare words count most) and the re-ordered list is
what the answerer reads. No model: a few milliseconds over the top ``depth`` chunks.
"""

from __future__ import annotations

import math
from collections import Counter

from rag.schema import Passage
from rag.text.tokens import STOPWORDS, sentence_spans, stem, words


def sentence_coverage(question: str, passages: list[Passage]) -> list[float]:
    """Each passage's best sentence: the IDF-weighted share of the question's stems it holds
    (a word only its title or the sentence before holds counts half)."""
    asked = {stem(w) for w in words(question) if w.lower() not in STOPWORDS}
    if not asked or not passages:
        return [0.0] * len(passages)
    split = []
    for p in passages:
        title = {stem(w) for w in words(p.title)}
        sents = [{stem(w) for w in words(p.text[a:b])} for a, b in sentence_spans(p.text)]
        split.append((title, sents or [set()]))
    df = Counter(t for _, sents in split for t in set().union(*sents) & asked)
    n = len(passages)
    idf = {t: math.log(1 + n / (1 + df.get(t, 0))) + 0.1 for t in asked}
    total = sum(idf.values())
    out = []
    for title, sents in split:
        best = 0.0
        for i, s in enumerate(sents):
            near = title | (sents[i - 1] if i else set())
            got = sum(idf[t] * (1.0 if t in s else 0.5 if t in near else 0.0) for t in asked)
            best = max(best, got / total)
        out.append(best)
    return out


def rerank(question: str, passages: list[Passage], weight: float, depth: int) -> list[Passage]:
    """The first ``depth`` passages re-ordered by score x (1 + weight x best-sentence coverage);
    the rest keep their order after them."""
    if weight <= 0 or len(passages) < 2:
        return passages
    head, tail = passages[:depth], passages[depth:]
    top = max(p.score for p in head) or 1.0
    cover = sentence_coverage(question, head)
    keyed = sorted(
        range(len(head)),
        key=lambda i: -(head[i].score / top) * (1.0 + weight * cover[i]),
    )
    return [head[i] for i in keyed] + tail
