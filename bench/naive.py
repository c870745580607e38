"""The naive pipeline, as a user would write it from the LangChain tutorials.

``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, the same MiniLM
embeddings (through newsrag's LangChain ``Embeddings``: ``langchain_huggingface`` is not a
dependency), ``langchain_chroma.Chroma``, top-4 similarity search, the chunks stuffed into a
prompt. No date filter, no title in the chunk, no lexical search. The only additions are for
measuring: each chunk keeps its article's publication day as metadata, so the same store can
also be queried with an ``as_of`` filter (reported as a separate row, not as "naive").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.prompts import ChatPromptTemplate
from langchain_text_splitters import RecursiveCharacterTextSplitter

PROMPT = ChatPromptTemplate.from_template(
    "Answer the question based only on the following context:\n{context}\n\nQuestion: {question}"
)


class NaivePipeline:
    def __init__(self, persist_dir: Path, embeddings: Embeddings, k: int = 4) -> None:
        self.splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.k = k
        self.db = Chroma(
            collection_name="naive",
            embedding_function=embeddings,
            persist_directory=str(persist_dir),
            client_settings=ChromaSettings(anonymized_telemetry=False),
        )

    def split(self, records: Iterable[dict]) -> list[Document]:
        docs = [
            Document(
                page_content=r["text"],
                metadata={
                    "article_id": r["id"],
                    "title": r.get("title") or "",
                    "url": r.get("url") or "",
                    "published_day": _day(r.get("published")),
                },
            )
            for r in records
        ]
        return self.splitter.split_documents(docs)

    def add(self, chunks: list[Document], batch: int = 5000) -> None:
        # Chroma refuses a single add above its max batch size (5,461 here), as a user finds out.
        for i in range(0, len(chunks), batch):
            self.db.add_documents(chunks[i : i + batch])

    def retrieve(self, question: str, k: int | None = None, as_of: date | None = None):
        where = {"published_day": {"$lte": as_of.toordinal()}} if as_of else None
        return self.db.similarity_search(question, k=k or self.k, filter=where)

    def answer_prompt(self, question: str) -> str:
        """End to end as far as it goes offline: retrieve top-4 and build the LLM prompt."""
        docs = self.retrieve(question)
        context = "\n\n".join(d.page_content for d in docs)
        return PROMPT.invoke({"context": context, "question": question}).to_string()


def _day(value: str | None) -> int:
    try:
        return date.fromisoformat(value[:10]).toordinal() if value else -1
    except ValueError:
        return -1
