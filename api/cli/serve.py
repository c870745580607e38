"""``newsrag serve``: the HTTP API, the chat widget and the Slack bot."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from typing import Annotated

import typer

from api.cli import discovery
from api.cli.common import DataDir, err, settings_from

app = typer.Typer()

FACTORY = "api.server.app:create_app"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default NEWSRAG_HOST (127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Default NEWSRAG_PORT (8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    ingest_path: Annotated[
        list[str] | None,
        typer.Option("--ingest", help="Ingest these sources before serving (unchanged = skipped)."),
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve the HTTP API, the chat widget and the Slack bot."""
    import uvicorn

    from api.auth import KeyStore, is_loopback
    from api.logs import configure_logging, logging_config
    from api.server.connections import uvicorn_options
    from api.state.appdb import AppDB

    settings = settings_from(data_dir, host=host, port=port)
    host, port = settings.host, settings.port
    if workers > 1 and not settings.chroma_url:
        # An embedded Chroma keeps its vector index in the memory of the process that opened
        # it: other worker processes would not see what one ingests, and their writes collide.
        err.print(
            f"[red]refusing --workers {workers} with the embedded Chroma:[/] its vector index "
            "lives in one process. Run a Chroma server (chroma run --path DIR --port 8001) and "
            "set NEWSRAG_CHROMA_URL=http://127.0.0.1:8001 (docs/deploy.md), or use --workers 1.",
            highlight=False,
        )
        raise typer.Exit(2)
    taken = port_taken(host, port)
    if taken:
        # Before any model loads: finding out after 10 s of loading, in a log line, is worse.
        err.print(
            f"[red]cannot serve on {host}:{port}:[/] {taken}. Another server (newsrag serve?) "
            f"may be running there; pick another port: newsrag serve --port {port + 1}",
            highlight=False,
        )
        raise typer.Exit(2)
    keys = KeyStore(AppDB.for_settings(settings)).list()
    if not keys and not is_loopback(host):
        err.print(
            f"[red]refusing to serve on {host}:[/] no API key exists, so anyone who can reach "
            "it could use the API.\n  Create one first: newsrag keys create --scope admin "
            "(and --scope ask / widget for clients)\n  or serve locally: newsrag serve --host "
            "127.0.0.1",
            highlight=False,
        )
        raise typer.Exit(2)
    if keys:
        err.print(f"API keys required ({len(keys)} active); serving on http://{host}:{port}")
    else:
        err.print(
            f"local-only mode: no API key exists, so only requests from this machine are "
            f"served on http://{host}:{port} (create one with `newsrag keys create`)"
        )
    hold = _hold_store(settings, workers)  # ingest/delete on this data dir go through us
    components, metrics_dir = None, None
    if ingest_path:
        from api.components import Components

        components = Components(settings)
        report = components.ingestor.ingest(ingest_path)
        err.print(
            f"ingest: added {len(report.added)}, unchanged {len(report.unchanged)}, "
            f"replaced {len(report.replaced)}, rejected {len(report.rejected)}"
        )
    json_lines = log_as_json(settings)
    configure_logging(settings.log_level, json_lines=json_lines)
    if workers == 1:
        from api.server.app import create_app

        # One process: the app gets these settings (and the models the ingest loaded) directly.
        target = create_app(settings, components=components)
        if hold is not None:
            target.state.parts.auth.local_token = hold.token
        factory = False
    else:
        _hand_off(data_dir, host, port)
        metrics_dir = _metrics_dir()
        target, factory = FACTORY, True
    announced = discovery.write(settings.data_dir, host, port)  # `newsrag ask` finds it
    try:
        uvicorn.run(
            target,
            factory=factory,
            host=host,
            port=port,
            workers=workers,
            **uvicorn_options(settings),  # keep-alive and header deadlines
            log_config=logging_config(settings.log_level, json_lines=json_lines),
            access_log=False,  # ours has the route, the key and the request id
            timeout_graceful_shutdown=30,  # then open streams are cut and jobs cancelled
        )
    finally:
        discovery.remove(announced)
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
        if hold is not None:
            hold.close()


def _hold_store(settings, workers: int):
    """With the embedded store, claim its data dir (api/cli/instance.py): a second server,
    or a command writing it directly, would not be seen by this one's searches."""
    if settings.chroma_url or workers != 1:
        return None
    from api.cli.instance import AlreadyServed, Announcement

    try:
        return Announcement(settings.data_dir)
    except AlreadyServed as e:
        err.print(
            f"[red]refusing to serve:[/] {e}. One process serves an embedded store; run "
            "`newsrag ingest` through it, or use a Chroma server for several (docs/deploy.md).",
            highlight=False,
        )
        raise typer.Exit(2) from None


def _metrics_dir() -> str | None:
    """``--workers N``: /metrics adds up every worker (prometheus-client's multiprocess mode,
    api/metrics.py), which needs a directory the workers share and that starts empty: a fresh
    one per run, unless the operator set PROMETHEUS_MULTIPROC_DIR (then it is theirs)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    path = tempfile.mkdtemp(prefix="newsrag-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = path  # inherited by the spawned workers
    return path


def port_taken(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on, or None when it can (checked the way uvicorn
    binds: SO_REUSEADDR, so a port in TIME_WAIT counts as free)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as e:
            return e.strerror or str(e)
    return None


def log_as_json(settings) -> bool:
    """NEWSRAG_LOG_JSON when it is set; else human-readable lines on a terminal, JSON lines
    for a log collector (stderr redirected, systemd, docker)."""
    if "log_json" in settings.model_fields_set:
        return settings.log_json
    return not sys.stderr.isatty()


def _hand_off(data_dir, host: str, port: int) -> None:
    """Worker processes are spawned fresh and build the app from ``Settings()``: the
    environment is the only thing they inherit, so the flags travel as NEWSRAG_* variables
    (the app re-checks the local-only rule itself)."""
    if data_dir is not None:
        os.environ["NEWSRAG_DATA_DIR"] = str(data_dir)
    os.environ["NEWSRAG_HOST"] = host
    os.environ["NEWSRAG_PORT"] = str(port)
