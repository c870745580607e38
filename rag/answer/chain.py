"""The answer chain: condense → retrieve → score evidence → answer, as LCEL runnables.

``AnswerChain.ask`` returns the answer contract; ``AnswerChain.events`` yields the same work as
a stream of events (status, sentence, citations, done) for the SSE endpoint and the widget.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from langchain_core.runnables import RunnableLambda

from rag.answer.condense import Turn, condense_question
from rag.answer.evidence import EvidenceScorer
from rag.answer.extractive import answer_from_evidence, answers_the_type, refusal
from rag.answer.kinds import answer_by_kind
from rag.answer.question import analyse
from rag.answer.relevance import first_relevant
from rag.answer.retrieval import Retriever
from rag.models.embeddings import LocalEmbeddings
from rag.models.nlp import NLP
from rag.schema import Answer
from rag.settings import Settings
from rag.store.newsstore import NewsStore
from rag.text.markers import has_marker, split_after_markers
from rag.text.tokens import clean_text, sentence_spans

log = logging.getLogger(__name__)


@dataclass
class AskState:
    question: str
    as_of: date | None = None
    sources: list[str] | None = None
    top_k: int | None = None
    history: list[Turn] = field(default_factory=list)
    conversation_id: str | None = None
    standalone: str = ""
    retrieved: Any = None
    answer: Answer | None = None
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


def answer_sentences(text: str) -> list[str]:
    """The answer cut for streaming: each piece ends with its citation markers, so a quoted
    sentence never arrives without the [n] that backs it."""
    pieces = [
        part
        for a, b in sentence_spans(text)
        for part in split_after_markers(text[a:b])
        if part.strip()
    ]
    out: list[str] = []
    pending = ""
    for piece in pieces:
        pending = f"{pending} {piece}" if pending else piece
        if has_marker(piece):
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out or [text]


class AnswerChain:
    def __init__(self, settings: Settings, store: NewsStore, embeddings: LocalEmbeddings) -> None:
        self.settings = settings
        self.retriever = Retriever(settings, store, embeddings)
        self.scorer = EvidenceScorer(embeddings, NLP(settings.spacy_model))
        self._generator = None
        self.runnable = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._answer, name="answer")
        )

    # --- public ------------------------------------------------------------------------------
    def ask(self, question: str, **kwargs: Any) -> Answer:
        state = self.runnable.invoke(AskState(question=clean_text(question), **kwargs))
        return state.answer

    def events(self, question: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """("status", {...}), ("sentence", {...})…, ("citations", [...]), ("done", Answer)."""
        state = self._condense(AskState(question=clean_text(question), **kwargs))
        yield "status", {"stage": "retrieving", "standalone_question": state.standalone}
        state = self._retrieve(state)
        yield "status", {"stage": "answering", "passages": len(state.retrieved.passages)}
        state = self._answer(state)
        answer = state.answer
        for sentence in answer_sentences(answer.answer):
            yield "sentence", {"text": sentence}
        yield "citations", [c.model_dump(mode="json") for c in answer.citations]
        yield "done", answer

    def warm_up(self) -> None:
        """Load the models now rather than on the first question."""
        self.retriever.embeddings.embed_query("warm up")
        self.scorer.nlp.analyse("The army said 13 assailants were killed on Monday.")

    # --- steps -------------------------------------------------------------------------------
    def _condense(self, state: AskState) -> AskState:
        state.standalone = condense_question(state.question, state.history)
        return state

    def _retrieve(self, state: AskState) -> AskState:
        t0 = time.perf_counter()
        filters = self.retriever.filters(state.as_of, state.sources)
        state.retrieved = self.retriever.retrieve(state.standalone, filters, state.top_k)
        state.timings["retrieval_ms"] = (time.perf_counter() - t0) * 1000
        state.timings.update(state.retrieved.timings)
        return state

    def _answer(self, state: AskState) -> AskState:
        t0 = time.perf_counter()
        q = analyse(state.standalone)
        passages = state.retrieved.passages
        relevant = False
        if not passages:
            result = refusal("nothing was retrieved (empty store, or filters exclude everything)")
        else:
            ranked = self.scorer.score(q, passages, state.retrieved.query_vector)
            best, _ = first_relevant(q, ranked)
            relevant = best is not None
            # Question kinds beyond factoids (yes/no, summaries) have their own answerers;
            # None sends the question to the factoid answerer (rag/answer/kinds.py).
            result = answer_by_kind(q, ranked, self.scorer) or answer_from_evidence(
                q, ranked, self.settings.min_confidence, state.as_of or date.today()
            )
        answer = Answer(
            question=state.question,
            standalone_question=state.standalone if state.standalone != state.question else None,
            answer=result.answer,
            short_answer=result.short_answer,
            status=result.status,
            citations=result.citations,
            as_of=state.as_of,
            backend="extractive",
            conversation_id=state.conversation_id,
            notes=result.notes,
            candidates=result.candidates,
        )
        # The model only runs when some retrieved sentence is about the question: refusing
        # before calling it is what keeps it from answering from its own memory.
        if self.settings.answer_backend == "openai" and relevant:
            answer = self._generate(state, answer)
        state.timings["answer_ms"] = (time.perf_counter() - t0) * 1000
        state.timings["total_ms"] = (time.perf_counter() - state.started) * 1000
        answer.timings = {k: round(v, 1) for k, v in state.timings.items()}
        state.answer = answer
        return state

    def _generate(self, state: AskState, extractive: Answer) -> Answer:
        from rag.answer.generative import GenerationError, OpenAIAnswerer

        if self._generator is None:
            self._generator = OpenAIAnswerer(self.settings)
        try:
            generated = self._generator.answer(
                state.standalone, state.retrieved.passages, state.as_of
            )
        except GenerationError as exc:
            log.warning("generation failed, serving the extractive answer: %s", exc)
            extractive.notes.append(f"generation failed ({exc}); extractive answer served")
            return extractive
        if generated.status == "answered" and not answers_the_type(
            analyse(state.standalone), generated.answer
        ):
            extractive.notes.append(
                "the model's answer does not give what the question asks for; extractive answer served"
            )
            return extractive
        if generated.status != "answered":
            extractive.notes.append("the model gave no verifiable answer; extractive answer served")
            extractive.notes += generated.notes
            return extractive
        state.timings.update(generated.timings)
        return generated.model_copy(
            update={
                "question": state.question,
                "standalone_question": extractive.standalone_question,
                "as_of": state.as_of,
                "conversation_id": state.conversation_id,
            }
        )
