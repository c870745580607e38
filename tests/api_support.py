"""Helpers for the HTTP API tests (test_api*.py): app builders, a live uvicorn, SSE parsing."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import wait_for

LOOPBACK = ("127.0.0.1", 50000)


def copy_store(sample_data_dir: Path, dest: Path) -> Path:
    """A private copy of the sample store (the app writes its own database next to it)."""
    shutil.copytree(sample_data_dir, dest, ignore=shutil.ignore_patterns("app.sqlite3*"))
    return dest


def make_app(data_dir: Path, shared_embeddings, **settings: Any):
    from api.server.app import create_app
    from rag.settings import Settings
    from tests.conftest import make_components

    components = make_components(data_dir, shared_embeddings, **settings)
    return create_app(Settings(data_dir=data_dir, **settings), components=components)


@dataclass
class Event:
    event: str
    data: Any


def parse_sse(lines: Iterable[str]) -> Iterator[Event]:
    """Events from the lines of a text/event-stream (comments and ids ignored)."""
    name, data = "message", []
    for line in lines:
        if line == "":
            if data:
                yield Event(name, json.loads("\n".join(data)))
            name, data = "message", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    if data:
        yield Event(name, json.loads("\n".join(data)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 in a thread; start() returns once it accepts."""

    def __init__(self, app) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        wait_for(lambda: self.server.started or not self.thread.is_alive(), 180, "uvicorn to start")
        if not self.server.started:
            raise RuntimeError("uvicorn exited during startup")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
