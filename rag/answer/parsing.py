"""The spaCy parse of a short text, shared by question typing and candidate extraction.

``rag.models.nlp.NLP`` owns loading the pipeline and keeps recent parses; this only accepts a
missing ``NLP`` (no pipeline configured) as "no parse".
"""

from __future__ import annotations

from rag.models.nlp import NLP


def parse(nlp: NLP | None, text: str):
    """The spaCy Doc of ``text``, or None without a pipeline (patterns take over then)."""
    if nlp is None or not nlp.available:
        return None
    return nlp.parse(text)
