"""The README's path with two real processes: ``newsrag serve`` on an embedded store, and
``newsrag ingest``/``delete`` from a second terminal on the same data dir.

The embedded Chroma index lives in the serving process, so the CLI sends its work to the
server announced in the data dir (api/cli/instance.py, api/cli/forward.py): the next question
finds the new article, and a deleted one is gone. A second server on the same data dir is
refused; once the server is killed (-9 included), the CLI writes the store itself again. The
server also runs with the connection deadlines of ``newsrag serve`` (NEWSRAG_HEADER_TIMEOUT).
"""

from __future__ import annotations

import signal
import socket
import time

import pytest

from tests.api_support import copy_store
from tests.servers import NewsragServer, base_env, free_port, log_problems, run_cli

pytestmark = pytest.mark.slow

ARTICLE = """---
title: Zorvath footbridge collapses in Quellmoor
url: https://example.org/quellmoor/2025/06/04/zorvath-footbridge
published: 2025-06-04
source: Quellmoor Gazette
---

The Zorvath footbridge over the river Quell collapsed on Wednesday morning in Quellmoor.
Seventeen people were injured when the span fell into the water, the fire brigade said.
Engineers had warned the town council about corrosion in the cables two years ago.
"""
QUESTION = "How many people were injured when the Zorvath footbridge collapsed?"


@pytest.fixture(scope="module")
def served(sample_data_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("two-processes")
    data = copy_store(sample_data_dir, root / "data")
    env = base_env(NEWSRAG_HEADER_TIMEOUT="1", NEWSRAG_KEEP_ALIVE_TIMEOUT="1")
    server = NewsragServer(data, env)
    yield server, data, env, root
    server.stop()


def _ask(server) -> dict:
    r = server.client.post("/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text[:300]
    return r.json()


def _cites(answer: dict, article_id: str) -> bool:
    return any(c["article_id"] == article_id for c in answer["citations"])


def test_ingest_and_delete_from_a_second_process_reach_the_server(served) -> None:
    server, data, env, root = served
    folder = root / "my-articles"
    folder.mkdir()
    (folder / "zorvath.md").write_text(ARTICLE, encoding="utf-8")
    before = _ask(server)
    assert before["status"] == "not_found" or "Seventeen" not in before["answer"]

    done = run_cli("ingest", str(folder), "--data-dir", str(data), env=env)
    assert "sending the articles to the running server" in done.stderr
    assert "added 1" in done.stdout, done.stdout
    listed = server.client.get("/v1/articles", params={"source": "Quellmoor Gazette"}).json()
    [article] = listed["articles"]
    answer = _ask(server)  # at once: the server wrote it, its own index has it
    assert answer["status"] == "answered" and _cites(answer, article["id"]), answer["answer"]
    assert "Seventeen" in answer["answer"] or "17" in answer["answer"]

    again = run_cli("ingest", str(folder), "--data-dir", str(data), env=env)
    assert "unchanged 1" in again.stdout  # the same rules as a local ingest

    gone = run_cli("delete", "--article", article["id"], "--data-dir", str(data), env=env)
    assert "deleted article" in gone.stdout
    assert server.client.get(f"/v1/articles/{article['id']}").status_code == 404
    assert not _cites(_ask(server), article["id"])
    missing = run_cli("delete", "--article", "nope", "--data-dir", str(data), env=env, check=False)
    assert missing.returncode == 1 and "no article" in missing.stderr
    assert not log_problems(server.log())


def test_a_second_server_on_the_same_store_is_refused(served) -> None:
    server, data, env, root = served
    port = str(free_port())  # server.port + 1 may be taken by anything on the machine
    second = run_cli(
        "serve", "--port", port, "--data-dir", str(data), env=env, check=False, timeout=120
    )
    assert second.returncode == 2, second.stderr[-2000:]
    assert "already serves" in second.stderr and str(server.proc.pid) in second.stderr


def test_the_server_closes_connections_that_say_nothing(served) -> None:
    server, *_ = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        started = time.monotonic()
        s.settimeout(30)
        assert s.recv(1024) == b""  # closed by the server (NEWSRAG_HEADER_TIMEOUT=1)
        assert time.monotonic() - started < 25


def test_after_a_kill_the_cli_writes_the_store_itself(served, tmp_path) -> None:
    """Last in this module: it kills the server."""
    server, data, env, root = served
    server.proc.send_signal(signal.SIGKILL)
    server.proc.wait(30)
    folder = tmp_path / "after"
    folder.mkdir()
    (folder / "zorvath.md").write_text(ARTICLE.replace("Seventeen", "Eighteen"), encoding="utf-8")
    done = run_cli("ingest", str(folder), "--data-dir", str(data), env=env)
    assert "running server" not in done.stderr
    assert "added 1" in done.stdout or "replaced 1" in done.stdout, done.stdout
    # And a new server serves what the CLI wrote.
    restarted = NewsragServer(data, env)
    try:
        answer = _ask(restarted)
        assert "Eighteen" in answer["answer"] or "18" in answer["answer"], answer["answer"]
    finally:
        restarted.stop()
