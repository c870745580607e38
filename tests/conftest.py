"""Shared fixtures: offline models, a temp store with the bundled sample articles."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

# Tests never reach a model hub or phone home.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
# Starlette's TestClient sends `Host: testserver`, a name no server answers to by default
# (api/server/hosts.py); the host-check tests pass allowed_hosts themselves.
os.environ.setdefault("NEWSRAG_ALLOWED_HOSTS", '["testserver"]')

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "examples" / "articles"


@pytest.fixture(scope="session")
def shared_embeddings():
    """One model load for the whole session (loading costs seconds on 2 cores)."""
    from rag.models.embeddings import LocalEmbeddings
    from rag.settings import Settings

    return LocalEmbeddings(Settings())


def make_components(data_dir: Path, shared_embeddings, **overrides):
    from api.components import Components
    from rag.settings import Settings

    components = Components(Settings(data_dir=data_dir, **overrides))
    components.embeddings = shared_embeddings  # cached_property: pre-seed the shared model
    return components


def store_of(data_dir: Path, shared_embeddings, *articles):
    """Components over a new store holding ``articles`` (each asserted added)."""
    components = make_components(data_dir, shared_embeddings)
    report = components.ingestor.ingest_items(list(articles))
    assert len(report.added) == len(articles), report
    return components


@contextmanager
def kesh_herald_chain(folder: Path, shared_embeddings, article_id: str, title: str, text: str):
    """The answer chain over a new store holding one invented Kesh Herald article (published
    7 November 2026), closed after."""
    from rag.schema import Article

    article = Article(
        id=article_id, title=title, source="Kesh Herald", published=date(2026, 11, 7), text=text
    )
    components = store_of(folder / "data", shared_embeddings, article)
    try:
        yield components.chain
    finally:
        components.store.catalog.close()


def assert_answers(chain, question: str, short: str) -> None:
    """Asked the day after the Kesh Herald article, the chain answers with ``short``."""
    answer = chain.ask(question, as_of=date(2026, 11, 8))
    assert answer.status == "answered", answer.answer
    assert short in (answer.short_answer or ""), answer.answer


@pytest.fixture
def components(tmp_path, shared_embeddings):
    """Empty store in a temp data dir."""
    return make_components(tmp_path / "data", shared_embeddings)


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory, shared_embeddings) -> Path:
    """A data dir with the bundled sample articles ingested once per session.

    Tests that only read may share it; tests that write use ``components`` instead.
    """
    data_dir = tmp_path_factory.mktemp("samples") / "data"
    c = make_components(data_dir, shared_embeddings)
    report = c.ingestor.ingest([str(SAMPLES)])
    assert report.added and not report.rejected, report
    c.store.catalog.close()
    return data_dir


@pytest.fixture(scope="session")
def sample_components(sample_data_dir, shared_embeddings):
    return make_components(sample_data_dir, shared_embeddings)


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def logged_errors():
    """Every ERROR record logged while a module's app runs ("no errors in the logs")."""
    handler = _ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


@pytest.fixture(scope="session")
def parsed():
    """The spaCy parse of a text, for rules read off the dependency tree (skipped without it)."""
    from rag.answer.parsing import parse
    from rag.models.nlp import NLP
    from rag.settings import Settings

    nlp = NLP(Settings().spacy_model)
    if not nlp.available:
        pytest.skip("no spaCy pipeline: clause rules need the parse")
    return lambda text: parse(nlp, text)
