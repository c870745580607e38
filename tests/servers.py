"""Real processes for the reliability tests: a `chroma run` server, `newsrag serve`, the CLI.

Everything listens on 127.0.0.1 on a free port; readiness is polled, never slept for.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NEWSRAG = (
    [str(BIN / "newsrag")] if (BIN / "newsrag").exists() else [sys.executable, "-m", "api.cli"]
)
DIOURA = "How many soldiers died at Dioura?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], Any], timeout: float = 180.0, what: str = "it") -> Any:
    """Poll ``predicate`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)


def unique_collection(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: offline, no NEWSRAG_* leaking from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRAG_")}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONUNBUFFERED": "1",
    }
    env |= extra
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 600, check: bool = True
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [*NEWSRAG, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"newsrag {' '.join(args)[:200]} exited {done.returncode}\n"
            f"stdout: {done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}"
        )
    return done


def ask_json(question: str, env: dict[str, str], *extra: str) -> dict:
    done = run_cli("ask", question, "--json", *extra, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


class Process:
    """A child process whose output goes to a log file (read it with ``log()``)."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 60) -> int | None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._log.close()
        return self.proc.returncode


class ChromaServer(Process):
    """`chroma run` on a free port with its own data path."""

    def __init__(self, path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        path.mkdir(parents=True, exist_ok=True)
        chroma = BIN / "chroma"
        args = [str(chroma), "run", "--host", "127.0.0.1", "--port", str(self.port)]
        super().__init__([*args, "--path", str(path / "db")], base_env(), path / "chroma.log")
        wait_for(self.ready, 120, f"chroma run on port {self.port}")

    def ready(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"chroma run exited:\n{self.log()[-3000:]}")
        try:
            return httpx.get(f"{self.url}/api/v2/heartbeat", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


class NewsragServer(Process):
    """`newsrag serve` on a free port (local-only mode: no key, loopback only)."""

    def __init__(self, data_dir: Path, env: dict[str, str], workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        args = [*NEWSRAG, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        args += ["--workers", str(workers), "--data-dir", str(data_dir)]
        super().__init__(args, env, data_dir.parent / f"serve-{self.port}.log")
        self.client = httpx.Client(base_url=self.url, timeout=300)
        wait_for(self.ready, 300, f"newsrag serve on port {self.port}")

    def ready(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"newsrag serve exited:\n{self.log()[-3000:]}")
        try:
            return self.client.get("/healthz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self, timeout: float = 60) -> int | None:
        self.client.close()
        return super().stop(timeout)


def log_problems(text: str) -> list[str]:
    """Lines of a server log that report errors (JSON log lines at ERROR or worse, tracebacks)."""
    bad: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("{"):
            try:
                record = json.loads(stripped)
            except ValueError:
                continue
            level = str(record.get("level") or record.get("levelname") or "").upper()
            status = record.get("status")
            if level in ("ERROR", "CRITICAL") or (isinstance(status, int) and status >= 500):
                bad.append(stripped)
        elif "Traceback (most recent call last)" in line or " ERROR " in line:
            bad.append(stripped)
    return bad
