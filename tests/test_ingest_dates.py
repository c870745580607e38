"""Dates that are missing or unreadable are said, not dropped silently (issue 13 item 6).

An undated article is stored, with a warning per item in the ingest summary; a question asked
as of a date says in its notes how many undated articles that left out; an empty folder is an
error, not a quiet "added 0".
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ingest.loaders import iter_articles
from rag.schema import Article, Rejection
from rag.settings import Settings
from tests.api_support import LOOPBACK

BAD_DATE = """---
title: Ferry service resumes on the Vellmoor lake
published: 31/31/2025
source: Lake Courier
---
The Vellmoor ferry resumed service on Monday after repairs to its engine, the operator said.
"""
NO_FRONT_MATTER = """Harbour crane toppled in storm
A harbour crane in Vellmoor toppled during a storm on Sunday night, port officials said.
Nobody was hurt.
"""
DATED = """---
title: Vellmoor council approves ferry subsidy
published: 2025-06-02
source: Lake Courier
---
The Vellmoor council approved a subsidy of 2 million euros for the lake ferry on Monday.
"""


def folder(tmp_path, **files: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_unreadable_and_missing_dates_are_noted_per_article(tmp_path):
    src = folder(tmp_path / "in", **{"ferry.md": BAD_DATE, "crane.txt": NO_FRONT_MATTER})
    ferry_dated = folder(tmp_path / "dated", **{"council.md": DATED})
    loaded = {a.origin.rsplit("/", 1)[-1]: a for a in iter_articles([str(src)], Settings())}
    ferry, crane = loaded["ferry.md"], loaded["crane.txt"]
    assert isinstance(ferry, Article) and ferry.published is None
    assert ferry.notes == [
        "publication date '31/31/2025' not understood; undated: questions asked as of a date "
        "leave it out (write it YYYY-MM-DD)"
    ]
    assert crane.published is None and crane.notes[0].startswith("no publication date;")
    (council,) = iter_articles([str(ferry_dated)], Settings())
    assert council.published == date(2025, 6, 2) and council.notes == []
    # Notes are for the summary only: not part of the article's stored or shown fields.
    assert "notes" not in ferry.model_dump() and "notes" not in json.loads(ferry.model_dump_json())


def test_the_ingest_report_and_the_cli_summary_warn_per_item(tmp_path, components):
    src = folder(tmp_path / "in", **{"ferry.md": BAD_DATE, "crane.txt": NO_FRONT_MATTER})
    report = components.ingestor.ingest([str(src)])
    assert len(report.added) == 2  # stored all the same
    by_origin = {w.origin.rsplit("/", 1)[-1]: w for w in report.warnings}
    assert set(by_origin) == {"ferry.md", "crane.txt"}
    assert by_origin["ferry.md"].article_id in report.added
    assert "'31/31/2025' not understood" in by_origin["ferry.md"].warning

    from api.cli import app as cli

    data = tmp_path / "cli-data"
    out = CliRunner().invoke(cli, ["ingest", str(src), "--data-dir", str(data)])
    assert out.exit_code == 0, out.output
    starts = [line for line in out.output.splitlines() if line.startswith("  warning ")]
    assert len(starts) == 2, out.output
    flat = " ".join(out.output.split())  # Rich wraps long lines at the terminal's width
    assert "ferry.md: publication date '31/31/2025' not understood" in flat
    assert "crane.txt: no publication date" in flat
    again = CliRunner().invoke(cli, ["ingest", str(src), "--data-dir", str(data), "--json"])
    assert len(json.loads(again.stdout)["warnings"]) == 2


@pytest.mark.parametrize("hidden", [False, True])
def test_an_empty_folder_is_an_error(tmp_path, hidden):
    empty = tmp_path / "empty"
    empty.mkdir()
    if hidden:
        (empty / ".DS_Store").write_text("x")
    assert list(iter_articles([str(empty)], Settings())) == [
        Rejection(
            origin=str(empty), reason="empty folder: no files in it (hidden ones are skipped)"
        )
    ]
    from api.cli import app as cli

    out = CliRunner().invoke(cli, ["ingest", str(empty), "--data-dir", str(tmp_path / "d")])
    assert out.exit_code == 1
    assert "empty folder" in out.output


def test_answers_say_when_as_of_left_undated_articles_out(tmp_path, shared_embeddings):
    from api.server.app import create_app
    from tests.conftest import make_components

    data = tmp_path / "data"
    c = make_components(data, shared_embeddings)
    src = folder(tmp_path / "in", **{"ferry.md": BAD_DATE, "crane.txt": NO_FRONT_MATTER})
    folder(src, **{"council.md": DATED})
    assert len(c.ingestor.ingest([str(src)]).added) == 3
    app = create_app(c.settings, components=c)
    question = {"question": "What happened to the harbour crane in Vellmoor?"}
    with TestClient(app, client=LOOPBACK) as client:
        dated = client.post("/v1/ask", json={**question, "as_of": "2025-06-30"}).json()
        note = [n for n in dated["notes"] if "undated" in n]
        assert note == [
            "2 undated articles were left out because the question is asked as of 2025-06-30 "
            "(set NEWSRAG_AS_OF_INCLUDE_UNDATED=true to include them)"
        ]
        # The same note on the stream's done event, and none without as_of or for a source
        # that has no undated article.
        with client.stream("POST", "/v1/ask/stream", json={**question, "as_of": "2025-06-30"}) as r:
            body = r.read().decode()
        assert "2 undated articles were left out" in body
        plain = client.post("/v1/ask", json=question).json()
        assert not any("undated" in n for n in plain["notes"])
        # crane.txt has no source; ferry.md is the one undated article of Lake Courier.
        lake = client.post(
            "/v1/ask", json={**question, "as_of": "2025-06-30", "sources": ["Lake Courier"]}
        ).json()
        assert [n for n in lake["notes"] if "undated" in n][0].startswith(
            "1 undated article was left out"
        )
