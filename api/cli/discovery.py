"""``newsrag serve`` leaves ``server.json`` in its data dir while it runs; ``newsrag ask`` and
``chat`` read it to send questions to that server (models already loaded) instead of loading
them again. A file whose process is gone, or whose server does not answer, is ignored."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

FILE = "server.json"


def client_url(host: str, port: int) -> str:
    """Where a client on this machine reaches a server bound to ``host``."""
    if host in ("0.0.0.0", "", "::", "[::]"):
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def write(data_dir: Path, host: str, port: int) -> Path | None:
    """Announce the server; None when the data dir is not writable (nothing depends on it)."""
    path = data_dir / FILE
    record = {
        "url": client_url(host, port),
        "pid": os.getpid(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record), encoding="utf-8")
    except OSError:
        return None
    return path


def remove(path: Path | None) -> None:
    """Remove the file if it is still this process's (a second server may have replaced it)."""
    if path is None:
        return
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def running_server(data_dir: Path) -> str | None:
    """The URL of the server announced in ``data_dir`` when it answers ``/healthz``."""
    try:
        record = json.loads((data_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = record.get("url") if isinstance(record, dict) else None
    if not isinstance(url, str) or not _alive(record.get("pid")):
        return None
    return url if answers(url) else None


def answers(url: str, timeout: float = 5.0) -> bool:
    import httpx

    try:
        return httpx.get(f"{url.rstrip('/')}/healthz", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
