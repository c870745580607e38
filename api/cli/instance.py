"""Which process owns an embedded store: ``newsrag serve`` announces itself in the data dir.

An embedded Chroma keeps its vector index in the memory of the process that opened it, so
articles another process writes to the same data dir never reach a running server's searches
(the catalog shows them, ``/v1/ask`` never finds them). So while ``newsrag serve`` runs on an
embedded store it holds an exclusive lock on ``DATA_DIR/server.lock`` (released by the kernel
however the process ends, ``kill -9`` included) and writes ``DATA_DIR/server.token`` (mode
0600): its pid and a random token that the server accepts, from this machine only, as an admin
key. Its URL is in ``server.json`` (``api/cli/discovery.py``). ``newsrag ingest`` and ``newsrag
delete`` find both and send their work to the server (``api/cli/forward.py``), which writes
and answers from it at once. Reading the token takes read access to the data dir, which
already holds the store and the key database.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "server.lock"
INFO_NAME = "server.token"


class AlreadyServed(RuntimeError):
    """Another process serves (or is writing to) this data dir."""


@dataclass(frozen=True)
class Running:
    pid: int
    token: str


def running_server(data_dir: Path) -> Running | None:
    """The server that holds ``data_dir`` now, or None (none, or one that died)."""
    lock_path = data_dir / LOCK_NAME
    if not lock_path.exists():
        return None
    with lock_path.open("a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held exclusively: a server is running
        else:
            fcntl.flock(f, fcntl.LOCK_UN)
            return None
    try:
        info = json.loads((data_dir / INFO_NAME).read_text())
        return Running(pid=int(info["pid"]), token=str(info["token"]))
    except (OSError, ValueError, KeyError):
        return None  # starting up or shutting down: the lock is held, the file not there yet


class Announcement:
    """Held by ``newsrag serve`` for as long as it serves ``data_dir``."""

    def __init__(self, data_dir: Path, wait: float = 5.0) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.info_path = data_dir / INFO_NAME
        self._lock = (data_dir / LOCK_NAME).open("a")
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._lock.close()
                    raise AlreadyServed(_holder_message(data_dir)) from None
                time.sleep(0.1)
        self.token = secrets.token_urlsafe(32)
        tmp = self.info_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump({"pid": os.getpid(), "token": self.token}, f)
        os.replace(tmp, self.info_path)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.info_path.unlink()
        with contextlib.suppress(OSError, ValueError):
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()


class LocalWrite:
    """Held (shared) by a ``newsrag`` command writing the embedded store itself, so that a
    server cannot start half-way through and miss the rest of the write."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = (data_dir / LOCK_NAME).open("a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise AlreadyServed(_holder_message(data_dir)) from None

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()


def _holder_message(data_dir: Path) -> str:
    running = running_server(data_dir)
    if running is not None:
        return f"newsrag serve (pid {running.pid}) already serves {data_dir}"
    return (
        f"another newsrag process is using {data_dir} (a server starting, or a command writing "
        "to its embedded store); wait for it to finish"
    )
