"""`make stress`: many concurrent clients against a real `newsrag serve` on 127.0.0.1.

Starts the server on a free port over a temporary data dir holding the bundled sample articles
(or uses ``--url``), warms it up, then runs ``--clients`` clients for ``--duration`` seconds;
most ask ``POST /v1/ask``, a share read whole ``POST /v1/ask/stream`` answers. Prints latency
percentiles, status counts, the server's RSS at start and end (and its peak), and the error
lines of its log. Exits non-zero on any 5xx, transport error, broken stream or logged error.

    .venv/bin/python bench/stress.py [--clients 50] [--duration 60] [--stream-share 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUESTIONS = [
    "How many soldiers died at Dioura?",
    "What happened at the Timbuktu army camp?",
    "Who attacked the Boulikessi base?",
    "How many soldiers died in the Sahel in May?",
    "Why did the UN mission leave Mali?",
    "When was the Port Alder tram line approved?",
    "Who won the Northgate Rovers cup final?",
    "By how much did the Norland central bank cut its rate?",
    "What is the capital of Australia?",  # not in the articles: a refusal
    "Combien de soldats sont morts à Dioura ?",
]


@dataclass
class Stats:
    ask: list[float] = field(default_factory=list)
    stream_first: list[float] = field(default_factory=list)
    stream_total: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    answers: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def count(self, kind: str, status: int | str) -> None:
        key = f"{kind} {status}"
        self.statuses[key] = self.statuses.get(key, 0) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children (uvicorn workers), in bytes."""
    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def log_problems(text: str) -> list[str]:
    bad = []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("{"):
            try:
                record = json.loads(s)
            except ValueError:
                continue
            status = record.get("status")
            level = str(record.get("level", "")).upper()
            if level in ("ERROR", "CRITICAL") or (isinstance(status, int) and status >= 500):
                bad.append(s[:300])
        elif "Traceback (most recent call last)" in s or " ERROR " in s:
            bad.append(s[:300])
    return bad


# --- the server --------------------------------------------------------------------------------


def start_server(args, work: Path) -> tuple[subprocess.Popen, str, Path]:
    port = free_port()
    data = work / "data"
    log_path = work / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRAG_")}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        # Every client comes from 127.0.0.1: the per-client rate limit would turn the load
        # into 429s. This measures capacity, not the limiter.
        "NEWSRAG_RATE_LIMIT_PER_MINUTE": "100000000",
    }
    if args.chroma_url:
        env["NEWSRAG_CHROMA_URL"] = args.chroma_url
    newsrag = (
        [str(BIN / "newsrag")] if (BIN / "newsrag").exists() else [sys.executable, "-m", "api.cli"]
    )
    cmd = [*newsrag, "serve", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--workers", str(args.workers), "--data-dir", str(data)]
    cmd += ["--ingest", str(ROOT / "examples" / "articles")]
    log = log_path.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        if proc.poll() is not None:
            sys.exit(f"newsrag serve exited:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return proc, url, log_path
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            sys.exit("newsrag serve did not become ready in 600 s")
        time.sleep(0.5)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)


# --- the clients ---------------------------------------------------------------------------


async def ask(client: httpx.AsyncClient, question: str, stats: Stats) -> None:
    started = time.perf_counter()
    response = await client.post("/v1/ask", json={"question": question})
    elapsed = time.perf_counter() - started
    stats.count("ask", response.status_code)
    if response.status_code == 200:
        stats.ask.append(elapsed)
        status = response.json().get("status", "?")
        stats.answers[status] = stats.answers.get(status, 0) + 1
    elif response.status_code >= 500:
        stats.errors.append(f"ask {response.status_code}: {response.text[:200]}")


async def stream(client: httpx.AsyncClient, question: str, stats: Stats) -> None:
    started = time.perf_counter()
    first = None
    events: list[str] = []
    async with client.stream("POST", "/v1/ask/stream", json={"question": question}) as r:
        stats.count("stream", r.status_code)
        if r.status_code != 200:
            body = (await r.aread()).decode(errors="replace")
            if r.status_code >= 500:
                stats.errors.append(f"stream {r.status_code}: {body[:200]}")
            return
        async for line in r.aiter_lines():
            if line.startswith("event:"):
                if first is None:
                    first = time.perf_counter() - started
                events.append(line[6:].strip())
    total = time.perf_counter() - started
    if not events or events[-1] != "done" or "error" in events:
        stats.errors.append(f"stream ended with {events[-3:]}")
        return
    stats.stream_first.append(first or total)
    stats.stream_total.append(total)


async def client_loop(url: str, until: float, share: float, seed: int, stats: Stats) -> None:
    rng = random.Random(seed)
    timeout = httpx.Timeout(600.0, connect=30.0)
    async with httpx.AsyncClient(base_url=url, timeout=timeout) as client:
        while time.monotonic() < until:
            question = rng.choice(QUESTIONS)
            try:
                if rng.random() < share:
                    await stream(client, question, stats)
                else:
                    await ask(client, question, stats)
            except httpx.HTTPError as e:
                stats.errors.append(f"{type(e).__name__}: {e}")
                stats.count("transport", type(e).__name__)


async def load(url: str, clients: int, duration: float, share: float, pid: int | None):
    stats = Stats()
    rss: list[int] = []
    until = time.monotonic() + duration

    async def sample() -> None:
        while time.monotonic() < until:
            if pid:
                rss.append(tree_rss(pid))
            await asyncio.sleep(1.0)

    started = time.monotonic()
    sampler = asyncio.create_task(sample())
    await asyncio.gather(*(client_loop(url, until, share, i, stats) for i in range(clients)))
    await sampler
    return stats, rss, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--stream-share", type=float, default=0.2)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the server")
    parser.add_argument("--url", help="load this running server instead of starting one")
    parser.add_argument("--chroma-url", help="start the server on this Chroma server")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="newsrag-stress-"))
    proc = log_path = None
    if args.url:
        url, pid = args.url.rstrip("/"), None
    else:
        print(f"starting newsrag serve (data in {work}) ...", flush=True)
        proc, url, log_path = start_server(args, work)
        pid = proc.pid
    try:
        # Warm-up: the first answers load spaCy and fill caches; RSS "start" is after them.
        with httpx.Client(base_url=url, timeout=600) as c:
            for q in QUESTIONS[:3]:
                c.post("/v1/ask", json={"question": q}).raise_for_status()
        rss_start = tree_rss(pid) if pid else 0
        print(
            f"load: {args.clients} clients for {args.duration:g} s against {url} "
            f"({args.stream_share:.0%} streaming)",
            flush=True,
        )
        stats, rss, elapsed = asyncio.run(
            load(url, args.clients, args.duration, args.stream_share, pid)
        )
        rss_end = tree_rss(pid) if pid else 0
    finally:
        if proc is not None:
            stop_server(proc)
    log_errors = log_problems(log_path.read_text(errors="replace")) if log_path else []

    done = len(stats.ask) + len(stats.stream_total)
    mb = 1024 * 1024
    print()
    print(f"requests completed   {done} in {elapsed:.0f} s ({done / elapsed:.2f}/s)")
    print(f"status counts        {json.dumps(dict(sorted(stats.statuses.items())))}")
    print(f"answers              {json.dumps(stats.answers)}")
    for name, values in (
        ("/v1/ask", stats.ask),
        ("/v1/ask/stream first event", stats.stream_first),
        ("/v1/ask/stream whole answer", stats.stream_total),
    ):
        if values:
            print(
                f"{name:<28} n={len(values):<5} p50={percentile(values, 0.5) * 1000:8.0f} ms"
                f"  p95={percentile(values, 0.95) * 1000:8.0f} ms"
                f"  max={max(values) * 1000:8.0f} ms  mean={statistics.fmean(values) * 1000:.0f} ms"
            )
    if pid:
        peak = max([rss_start, rss_end, *rss])
        print(
            f"server RSS           start {rss_start / mb:.0f} MB, end {rss_end / mb:.0f} MB "
            f"(peak {peak / mb:.0f} MB, change {(rss_end - rss_start) / mb:+.0f} MB)"
        )
        if len(rss) >= 4:  # threads warming up grow it early; a leak keeps growing
            marks = [rss[min(len(rss) - 1, len(rss) * q // 4)] for q in range(4)] + [rss_end]
            timeline = " → ".join(f"{m / mb:.0f}" for m in marks)
            print(f"server RSS over time {timeline} MB (0, 25, 50, 75, 100 % of the run)")
    server_errors = sum(v for k, v in stats.statuses.items() if k.split()[-1].startswith("5"))
    print(f"5xx responses        {server_errors}")
    print(f"client errors        {len(stats.errors)}")
    for e in stats.errors[:10]:
        print(f"    {e}")
    if log_path:
        print(f"server log errors    {len(log_errors)}  ({log_path})")
        for e in log_errors[:10]:
            print(f"    {e}")
    ok = server_errors == 0 and not stats.errors and not log_errors and done > 0
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
