"""Importing the core has no side effects: no environment writes, no Chroma for the model."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = [
    "rag.text.tokens", "rag.text.dates", "rag.text.lexicon", "rag.text.markers", "rag.text.facts",
    "rag.models.embeddings", "rag.models.nlp", "rag.models.offline",
    "rag.store.filters", "rag.store.catalog", "rag.store.vectors", "rag.store.sync",
    "rag.store.newsstore",
    "rag.answer.support", "rag.answer.verify", "rag.answer.chain", "rag.answer.generative",
    "rag.eval.evaluation", "rag.eval.multiple_choice",
]  # fmt: skip


def _run(code: str) -> str:
    # A fresh interpreter: this test session has long imported everything.
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return out.stdout.strip()


@pytest.mark.parametrize("module", ["rag.models.embeddings", "rag.models.nlp", "rag.text.facts"])
def test_models_and_text_do_not_import_chromadb(module: str) -> None:
    code = f"import sys, {module}; print(json.dumps('chromadb' in sys.modules))"
    assert _run("import json; " + code) == "false"


def test_importing_the_core_leaves_the_environment_alone() -> None:
    code = (
        "import json, os, importlib; before = dict(os.environ); "
        f"[importlib.import_module(m) for m in {CORE!r}]; "
        "print(json.dumps(sorted(set(os.environ.items()) ^ set(before.items()))))"
    )
    assert json.loads(_run(code)) == []
