"""Idle and slow clients are cut off (api/server/connections.py), over raw sockets.

uvicorn served with the options ``newsrag serve`` uses (``uvicorn_options``), with deadlines of
about a second: a connection that says nothing, one that sends its headers a byte at a time
(slowloris), an idle kept-alive one, and one whose body trickles in are all closed; a client
that is merely waiting for a slow answer is not.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from api.server.connections import uvicorn_options
from tests.api_support import copy_store, free_port, make_app, parse_sse
from tests.servers import DIOURA, wait_for

HEADER, KEEP_ALIVE, BODY = 1.0, 1.0, 1.5
LIMIT = 10.0  # closed well within this, though each deadline is ~1 s (a loaded CI machine)


@pytest.fixture(scope="module")
def server(sample_data_dir, tmp_path_factory, shared_embeddings):
    import uvicorn

    data = copy_store(sample_data_dir, tmp_path_factory.mktemp("connections") / "data")
    timeouts = {"header_timeout": HEADER, "keep_alive_timeout": KEEP_ALIVE, "body_timeout": BODY}
    app = make_app(data, shared_embeddings, rate_limit_per_minute=100_000, **timeouts)
    settings = app.state.parts.settings
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        lifespan="on",
        **uvicorn_options(settings),
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    wait_for(lambda: srv.started or not thread.is_alive(), 180, "uvicorn to start")
    assert srv.started
    yield port
    srv.should_exit = True
    thread.join(timeout=60)


def _connect(port: int) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=LIMIT)
    return s


def _closed_within(s: socket.socket, seconds: float) -> tuple[bool, bytes]:
    """Read until the server closes; (closed in time, what it sent)."""
    s.settimeout(0.2)
    deadline = time.monotonic() + seconds
    data = b""
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return True, data
        if not chunk:
            return True, data
        data += chunk
    return False, data


def test_connections_that_say_nothing_are_closed(server) -> None:
    sockets = [_connect(server) for _ in range(30)]
    started = time.monotonic()
    try:
        results = [_closed_within(s, LIMIT - (time.monotonic() - started)) for s in sockets]
    finally:
        for s in sockets:
            s.close()
    assert all(closed for closed, _ in results), sum(1 for c, _ in results if not c)
    assert all(data == b"" for _, data in results)  # no response to a request never made


def test_headers_sent_a_byte_at_a_time_are_cut_off(server) -> None:
    s = _connect(server)
    request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 200
    s.settimeout(LIMIT)
    started = time.monotonic()
    closed = False
    try:
        for byte in request:
            s.sendall(bytes([byte]))
            time.sleep(0.1)  # 10 bytes a second: the headers would take 25 s
            if time.monotonic() - started > LIMIT:
                break
    except (BrokenPipeError, ConnectionResetError):
        closed = True
    if not closed:
        closed, _ = _closed_within(s, 1.0)
    s.close()
    assert closed and time.monotonic() - started < LIMIT + 1


def test_an_idle_kept_alive_connection_is_closed(server) -> None:
    s = _connect(server)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    s.settimeout(LIMIT)
    first = s.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first[:100]
    closed, _ = _closed_within(s, LIMIT)
    s.close()
    assert closed


def test_a_second_request_on_a_kept_alive_connection_is_served(server) -> None:
    """The header deadline restarts with each request: a quick client is never cut off."""
    s = _connect(server)
    s.settimeout(LIMIT)
    for _ in range(3):
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        reply = s.recv(65536)
        assert reply.startswith(b"HTTP/1.1 200"), reply[:100]
        time.sleep(HEADER * 0.6)  # inside keep-alive, and the deadline is per request
    s.close()


def test_a_body_that_trickles_in_gets_408_and_the_connection_closed(server) -> None:
    s = _connect(server)
    body = b'{"question": "How many soldiers died at Dioura?"}'
    head = (
        b"POST /v1/ask HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    s.sendall(head + body[:5])
    closed, data = _closed_within(s, LIMIT)
    s.close()
    assert closed
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert b"NEWSRAG_BODY_TIMEOUT" in data


def test_a_slow_answer_is_not_a_slow_client(server) -> None:
    """Answering takes longer than every deadline; the client owes nothing meanwhile."""
    with httpx.Client(base_url=f"http://127.0.0.1:{server}", timeout=300) as client:
        with client.stream("POST", "/v1/ask/stream", json={"question": DIOURA}) as r:
            assert r.status_code == 200
            events = list(parse_sse(r.iter_lines()))
        assert events[-1].event == "done"
        time.sleep(HEADER * 0.5)
        assert client.get("/healthz").status_code == 200  # the same kept-alive connection
