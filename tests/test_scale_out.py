"""Two machines behind a load balancer, for real: two `newsrag serve` processes with data dirs of
their own, one `chroma run`, one PostgreSQL (the app database) and one Redis.

A key made once works on both, an article ingested through one is answered by the other, a
conversation begun on one continues on the other, a rate limit is shared, a job taken by a
worker that is killed finishes on the other; and with ``--workers 2`` /metrics adds up both
workers. Where PostgreSQL or Redis does not answer these tests skip and say how to run them
(tests/services.py); CI (NEWSRAG_REQUIRE_SERVICES=1) fails instead.
"""

from __future__ import annotations

import json
import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.auth import KeyStore
from api.state.appdb import AppDB
from tests import services
from tests.conftest import SAMPLES
from tests.servers import (
    DIOURA,
    ChromaServer,
    NewsragServer,
    base_env,
    log_problems,
    run_cli,
    unique_collection,
    wait_for,
)

pytestmark = pytest.mark.slow

postgres_url = services.postgres_url  # fixtures: a database per session, a Redis db per test
redis_url = services.redis_url

MOPTI = (
    "Flooding closed the main bridge in Mopti on Tuesday, officials said. "
    "The river rose 2.4 metres in two days, the highest level since 2020."
)
RATE = 100  # requests a minute per key, on both servers together
FINAL = ("done", "failed", "cancelled")


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma"))
    yield server
    server.stop()


def _records(*paths) -> list[dict]:
    from ingest.loaders import load_file
    from rag.settings import Settings

    out = []
    for path in paths:
        (article,) = load_file(path, Settings())
        out.append(article.model_dump(mode="json", exclude={"origin"}))
    return out


def _filler(n: int) -> list[dict]:
    """Articles long enough that embedding them takes a while on two cores."""
    para = (
        "The harbour authority of Port {i} published its annual report on Monday. "
        "Cargo volumes rose by {i} percent, the report said, while passenger numbers fell. "
        "Officials blamed the weather for delays to the new container terminal. "
    )
    return [
        {
            "title": f"Port {i} harbour report",
            "text": "\n\n".join(para.format(i=i) * 3 for _ in range(8)),
            "source": "Harbour Wire",
            "url": f"https://example.org/harbour/{i}",
            "published": "2025-03-01",
        }
        for i in range(n)
    ]


def _start(root, env: dict, *names: str) -> list[NewsragServer]:
    """Servers started at once (each loads the models); none left running if one fails."""
    with ThreadPoolExecutor(len(names)) as pool:
        futures = [pool.submit(NewsragServer, root / name / "data", env) for name in names]
    started = [f.result() for f in futures if f.exception() is None]
    if len(started) < len(names):
        for server in started:
            server.stop()
        raise next(f.exception() for f in futures if f.exception() is not None)
    return started


def _wait_job(server: NewsragServer, headers: dict, job_id: str, timeout: float = 240) -> dict:
    return wait_for(
        lambda: (
            (j := server.client.get(f"/v1/jobs/{job_id}", headers=headers).json())["state"] in FINAL
            and j
        ),
        timeout,
        f"job {job_id} through {server.url}",
    )


def test_two_servers_share_keys_articles_conversations_limits_and_jobs(
    chroma, postgres_url, redis_url, tmp_path
) -> None:
    env = base_env(
        NEWSRAG_CHROMA_URL=chroma.url,
        NEWSRAG_COLLECTION=unique_collection(),
        NEWSRAG_SYNC_INTERVAL="0.5",
        NEWSRAG_DATABASE_URL=postgres_url,
        NEWSRAG_REDIS_URL=redis_url,
        NEWSRAG_RATE_LIMIT_PER_MINUTE=str(RATE),
        NEWSRAG_SYNC_INGEST_MAX_ARTICLES="2",  # bigger batches become jobs
        NEWSRAG_JOB_LEASE_SECONDS="3",
        NEWSRAG_JOB_POLL_SECONDS="0.2",
    )
    # A key made once, with the CLI of a third "machine" (no data dir of either server).
    made = run_cli(
        "keys", "create", "--scope", "admin", "--json", "--data-dir", str(tmp_path / "cli"), env=env
    )
    admin = {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}
    servers = _start(tmp_path, env, "a", "b")
    a, b = servers
    try:
        for server in servers:
            assert server.client.get("/v1/jobs", headers=admin).status_code == 200
            assert server.client.get("/v1/jobs").status_code == 401

        # Ingested through A (a job: progress and outcome read through B), answered by B.
        files = [
            SAMPLES / "03-dioura-base-attack-claim.md",
            SAMPLES / "02-timbuktu-car-bomb-repelled.md",
        ]
        mopti = {"title": "Mopti bridge closed by floods", "text": MOPTI, "source": "Test Wire"}
        mopti |= {"url": "https://example.org/mopti", "published": "2025-08-12"}
        posted = a.client.post(
            "/v1/articles", json={"articles": [*_records(*files), mopti]}, headers=admin
        )
        assert posted.status_code == 202, posted.text
        job = _wait_job(b, admin, posted.json()["job_id"])
        assert job["state"] == "done" and len(job["report"]["added"]) == 3, job
        question = "How much did the river rise in Mopti?"
        found = wait_for(
            lambda: (
                (r := b.client.post("/v1/ask", json={"question": question}, headers=admin).json())[
                    "status"
                ]
                == "answered"
                and r
            ),
            60,
            "server B to answer from the article ingested through A",
        )
        assert "2.4 metres" in found["citations"][0]["quote"]

        # A conversation begun on A continues on B: B rewrites the follow-up from A's turn.
        first = a.client.post("/v1/ask", json={"question": DIOURA}, headers=admin).json()
        assert first["status"] == "answered", first
        cid = first["conversation_id"]
        follow = b.client.post(
            "/v1/ask", json={"question": "and at Timbuktu?", "conversation_id": cid}, headers=admin
        ).json()
        assert follow["conversation_id"] == cid
        rewritten = follow["standalone_question"]
        assert "Timbuktu" in rewritten and rewritten != "and at Timbuktu?", follow
        history = a.client.get(f"/v1/conversations/{cid}", headers=admin).json()
        assert [t["question"] for t in history["turns"]] == [DIOURA, "and at Timbuktu?"]

        # One rate limit for the key, whichever server a request lands on.
        keys = KeyStore(AppDB(postgres_url))
        ask = {"Authorization": f"Bearer {keys.create('ask', name='limited')[1]}"}
        codes = [
            servers[i % 2].client.get("/v1/articles?limit=1", headers=ask).status_code
            for i in range(RATE)
        ]
        assert codes == [200] * RATE
        over = [s.client.get("/v1/articles?limit=1", headers=ask) for s in servers]
        assert [r.status_code for r in over] == [429, 429]
        assert int(over[0].headers["Retry-After"]) >= 1

        # A job taken by a worker that is then killed finishes on the other server (a key of
        # its own: polling must not run into the limit of the key above).
        admin = {"Authorization": f"Bearer {keys.create('admin', name='jobs')[1]}"}
        batch = _filler(12)
        posted = b.client.post("/v1/articles", json={"articles": batch}, headers=admin)
        assert posted.status_code == 202, posted.text
        job_id = posted.json()["job_id"]
        running = wait_for(
            lambda: (
                (j := a.client.get(f"/v1/jobs/{job_id}", headers=admin).json())["state"]
                == "running"
                and j["worker"]
                and j
            ),
            120,
            "a worker to take the job",
        )
        pid = int(running["worker"].rsplit(":", 1)[1])
        victim = next(s for s in servers if s.proc.pid == pid)
        survivor = b if victim is a else a
        os.kill(pid, signal.SIGKILL)
        victim.proc.wait(30)
        job = _wait_job(survivor, admin, job_id)
        assert job["state"] == "done", job
        assert job["attempts"] == 2 and job["worker"].endswith(f":{survivor.proc.pid}"), job
        report = job["report"]
        assert len(report["added"]) + len(report["unchanged"]) == len(batch), report
        listed = survivor.client.get(
            "/v1/articles?source=Harbour Wire&limit=1", headers=admin
        ).json()
        assert listed["total"] == len(batch)
        logs = survivor.log()
    finally:
        for server in servers:
            server.stop()
    assert log_problems(logs) == []


def _requests_total(text: str, route: str) -> float:
    pattern = re.compile(r"^newsrag_http_requests_total\{([^}]*)\} ([0-9.e+]+)$", re.M)
    return sum(
        float(value) for labels, value in pattern.findall(text) if f'route="{route}"' in labels
    )


def test_metrics_add_up_every_worker(chroma, tmp_path) -> None:
    env = base_env(NEWSRAG_CHROMA_URL=chroma.url, NEWSRAG_COLLECTION=unique_collection())
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # serve makes a fresh one for its workers
    server = NewsragServer(tmp_path / "data", env, workers=2)
    try:
        # Fresh connections: the kernel spreads them over both workers.
        n = 12
        for _ in range(n):
            with httpx.Client(base_url=server.url, timeout=60) as fresh:
                assert fresh.get("/healthz").status_code == 200
        seen = set()
        for _ in range(6):  # whichever worker answers /metrics counts all of them
            with httpx.Client(base_url=server.url, timeout=60) as fresh:
                seen.add(_requests_total(fresh.get("/metrics").text, "/healthz"))
        assert min(seen) >= n + 1  # the readiness probe's own /healthz calls count too
        assert len(seen) == 1
    finally:
        server.stop()
    assert log_problems(server.log()) == []
