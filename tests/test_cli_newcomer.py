"""What a newcomer meets in the CLI: a missing store, --version, help texts, timings, a running
server, a taken port, log format and the ingest progress bar."""

from __future__ import annotations

import io
import json
import os
import socket

import pytest
from rich.console import Console
from typer.testing import CliRunner

from api.cli import app
from tests.api_support import LiveServer, copy_store, make_app
from tests.conftest import SAMPLES, make_components

runner = CliRunner()
DIOURA = "How many soldiers died at Dioura?"


def test_ask_on_a_folder_without_store_is_an_error_and_creates_nothing(tmp_path):
    empty = tmp_path / "nothing-here"
    for command in (["ask", DIOURA], ["chat"]):
        result = runner.invoke(app, [*command, "--data-dir", str(empty)])
        assert result.exit_code == 2, result.output
        assert "no newsrag store" in result.output and "newsrag ingest" in result.output
    assert not empty.exists()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("newsrag ")


def test_help_texts_survive_rich_markup():
    wide = {"COLUMNS": "250", "TERMINAL_WIDTH": "250"}
    text = runner.invoke(app, ["eval", "file", "--help"], env=wide).output
    assert "[choices, answer_index]" in text and "[as_of]" in text
    text = runner.invoke(app, ["ask", "--help"], env=wide).output
    assert "Passages handed to the answerer" in text and "--server" in text
    text = runner.invoke(app, ["chat", "--help"], env=wide).output
    assert "ignore articles published after this date" in text


def test_local_answers_label_their_timings(sample_data_dir):
    result = runner.invoke(app, ["ask", DIOURA, "--local", "--data-dir", str(sample_data_dir)])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert "retrieval " in last and " ms, answer " in last and "models loaded in" in last


def test_ask_uses_the_server_running_on_the_data_dir(sample_data_dir, shared_embeddings, tmp_path):
    data = copy_store(sample_data_dir, tmp_path / "data")
    server = LiveServer(make_app(data, shared_embeddings)).start()
    try:
        # What `newsrag serve` leaves in its data dir.
        record = {"url": server.url, "pid": os.getpid(), "started_at": "now"}
        (data / "server.json").write_text(json.dumps(record), encoding="utf-8")
        result = runner.invoke(app, ["ask", DIOURA, "--data-dir", str(data)])
        assert result.exit_code == 0, result.output
        assert f"via {server.url}" in result.output and "[1]" in result.output
        # --server names one explicitly; --json is the same contract.
        other = tmp_path / "elsewhere"
        result = runner.invoke(
            app, ["ask", DIOURA, "--json", "--server", server.url, "--data-dir", str(other)]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["status"] == "answered"
        # A typo in a source name is named by the server.
        result = runner.invoke(
            app, ["ask", DIOURA, "--source", "Sahel Monitr", "--data-dir", str(data)]
        )
        assert result.exit_code == 1 and "Sahel Monitor" in result.output
    finally:
        server.stop()
    # A server that is gone is ignored: the question is answered here.
    result = runner.invoke(app, ["ask", DIOURA, "--data-dir", str(data)])
    assert result.exit_code == 0 and "models loaded in" in result.output


def test_serve_on_a_taken_port_says_so_before_loading_anything(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = runner.invoke(
            app, ["serve", "--port", str(port), "--data-dir", str(tmp_path / "d")]
        )
    assert result.exit_code == 2
    assert f"--port {port + 1}" in result.output
    assert not (tmp_path / "d").exists()  # nothing opened, nothing loaded


def test_logs_are_text_on_a_terminal_and_json_otherwise(monkeypatch):
    import sys

    from api.cli.serve import log_as_json
    from rag.settings import Settings

    monkeypatch.delenv("NEWSRAG_LOG_JSON", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert log_as_json(Settings()) is False
    assert log_as_json(Settings(log_json=True)) is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert log_as_json(Settings()) is True
    assert log_as_json(Settings(log_json=False)) is False


def test_read_ahead_keeps_the_rest_lazy():
    from api.cli.progress import read_ahead

    head, rest = read_ahead(range(5), limit=10)
    assert head == [0, 1, 2, 3, 4] and rest is None
    head, rest = read_ahead(iter(range(25)), limit=10)
    assert head == list(range(10)) and list(rest) == list(range(10, 25))


def test_ingest_bar_is_determinate(tmp_path, shared_embeddings):
    from api.cli.progress import ingest_with_progress

    c = make_components(tmp_path / "data", shared_embeddings)
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160)
    report = ingest_with_progress(c, [str(SAMPLES)], console)
    assert report.added
    total = len(report.added) + len(report.rejected)
    assert f"{total}/{total}" in out.getvalue()  # never "0/?"


@pytest.mark.parametrize("sources", [["Sahel Monitr"]])
def test_local_ask_refuses_unknown_sources(sample_data_dir, sources):
    args = ["ask", DIOURA, "--local", "--data-dir", str(sample_data_dir)]
    result = runner.invoke(app, [*args, *(a for s in sources for a in ("--source", s))])
    assert result.exit_code == 2 and "Sahel Monitor" in result.output
