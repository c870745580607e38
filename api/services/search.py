"""Retrieval without an answer, for clients that do their own generation (``POST /v1/search``).

The same hybrid retrieval, filters and recency rule as the answerer's; HTTP-unaware.
"""

from __future__ import annotations

from datetime import date

from api.components import Components
from api.errors import Invalid
from api.services.sources import check_sources
from rag.schema import Passage
from rag.settings import Settings


class SearchService:
    def __init__(self, settings: Settings, components: Components) -> None:
        self.settings = settings
        self.components = components

    def search(
        self,
        query: str,
        *,
        as_of: date | None = None,
        sources: list[str] | None = None,
        k: int | None = None,
    ) -> list[Passage]:
        text = " ".join(query.split())
        if not text:
            raise Invalid("query is empty: search for something, e.g. “Dioura attack”")
        if len(query) > self.settings.max_question_chars:
            raise Invalid(
                f"query is {len(query):,} characters long; the limit is "
                f"{self.settings.max_question_chars:,} (NEWSRAG_MAX_QUESTION_CHARS)"
            )
        sources = check_sources(self.components, sources)
        retriever = self.components.chain.retriever
        found = retriever.retrieve(text, retriever.filters(as_of, sources), k)
        return found.passages
