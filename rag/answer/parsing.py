"""The spaCy parse of a short text, shared by question typing and candidate extraction.

``rag.models.nlp.NLP`` owns loading the pipeline; this only keeps the parsed documents of
recent sentences, since the same retrieved sentences come back question after question.
"""

from __future__ import annotations

from functools import lru_cache

from rag.models.nlp import NLP


def parse(nlp: NLP | None, text: str):
    """The spaCy Doc of ``text``, or None without a pipeline (patterns take over then)."""
    if nlp is None or not nlp.available:
        return None
    return _parse(nlp, text)


@lru_cache(maxsize=8192)
def _parse(nlp: NLP, text: str):
    return nlp.parse(text)
