"""The ``newsrag`` command line, run in-process with Typer's runner on real stores."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from api.cli import app
from rag.schema import Answer
from tests.conftest import SAMPLES

runner = CliRunner()


def test_ingest_reports_and_is_idempotent(tmp_path):
    data = tmp_path / "data"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.md").write_text(
        "---\ntitle: Mopti bridge closed\npublished: 2025-08-12\nsource: Test Wire\n---\n"
        "Flooding closed the main bridge in Mopti on Tuesday. The river rose 2.4 metres.\n",
        encoding="utf-8",
    )
    (folder / "empty.txt").write_text("", encoding="utf-8")
    first = runner.invoke(app, ["ingest", str(folder), "--data-dir", str(data), "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert len(report["added"]) == 1
    assert [r["origin"].endswith("empty.txt") for r in report["rejected"]] == [True]

    again = runner.invoke(app, ["ingest", str(folder), "--data-dir", str(data)])
    assert again.exit_code == 0, again.output
    assert "added 0, unchanged 1, replaced 0, rejected 1" in again.output


def test_ask_json_is_the_answer_contract(sample_data_dir):
    result = runner.invoke(
        app,
        ["ask", "How many soldiers died at Dioura?", "--json", "--data-dir", str(sample_data_dir)],
    )
    assert result.exit_code == 0, result.output
    answer = Answer.model_validate_json(result.stdout)
    assert answer.status == "answered" and "40" in answer.answer
    assert answer.citations[0].url.startswith("https://example.org/")


def test_ask_prints_numbered_citations(sample_data_dir):
    result = runner.invoke(
        app, ["ask", "How many soldiers died at Dioura?", "--data-dir", str(sample_data_dir)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "[1]" in result.output
        and "Dioura" in result.output
        and "https://example.org/" in result.output
    )


def test_ask_file_gives_one_json_line_per_question(sample_data_dir, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text(
        "How many soldiers died at Dioura?\n\nWhat is the capital of Australia?\n", encoding="utf-8"
    )
    result = runner.invoke(
        app, ["ask", "--file", str(questions), "--json", "--data-dir", str(sample_data_dir)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [a["status"] for a in lines] == ["answered", "not_found"]


def test_ask_as_of_and_bad_date(sample_data_dir):
    early = runner.invoke(
        app,
        [
            "ask",
            "How many assailants were killed in Timbuktu?",
            "--as-of",
            "2025-05-01",
            "--json",
            "--data-dir",
            str(sample_data_dir),
        ],
    )
    assert json.loads(early.stdout)["status"] == "not_found"
    bad = runner.invoke(app, ["ask", "x", "--as-of", "June", "--data-dir", str(sample_data_dir)])
    assert bad.exit_code != 0
    assert "2025-06-02" in bad.output


def test_stats_and_delete(tmp_path):
    data = tmp_path / "data"
    assert (
        runner.invoke(
            app,
            [
                "ingest",
                str(SAMPLES / "09-port-alder-tram-line-approved.md"),
                "--data-dir",
                str(data),
            ],
        ).exit_code
        == 0
    )
    stats = runner.invoke(app, ["stats", "--data-dir", str(data)])
    assert "articles" in stats.output and "Harbour Gazette" in stats.output
    missing = runner.invoke(app, ["delete", "--article", "nope", "--data-dir", str(data)])
    assert missing.exit_code == 1 and "newsrag stats" in missing.output
    gone = runner.invoke(app, ["delete", "--source", "Harbour Gazette", "--data-dir", str(data)])
    assert gone.exit_code == 0 and "deleted 1" in gone.output
    both = runner.invoke(app, ["delete", "--data-dir", str(data)])
    assert both.exit_code != 0
