"""A fake Slack Web API for tests: FastAPI on 127.0.0.1, recording every call.

It answers the methods the bot uses (auth.test, chat.postMessage, chat.update,
chat.postEphemeral, conversations.replies …) and the ``response_url`` of slash commands and
buttons (``/response/{id}``). ``apps.connections.open`` hands out a WebSocket URL on the fake
itself, where ``send_envelope`` pushes Socket Mode envelopes and the client's acks are recorded
(``socket_ack``), so Socket Mode runs end to end without Slack. Bodies are parsed by hand (form or JSON), as Slack's SDK sends
both. ``FakeSlack.start()`` runs uvicorn in a thread on a free port.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect

BOT_USER_ID = "UBOTNEWSRAG"
BOT_ID = "BBOTNEWSRAG"
TEAM_ID = "T0NEWSRAG"


@dataclass
class Call:
    method: str  # "chat.postMessage", … or "response_url"
    args: dict[str, Any]
    path: str = ""
    token: str | None = None
    result: dict[str, Any] = field(default_factory=dict)  # what the fake answered


@dataclass
class FakeSlack:
    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    fail: dict[str, str] = field(default_factory=dict)  # method -> Slack error to return
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: float = 1_750_000_000.0
    _server: uvicorn.Server | None = None
    _ws: WebSocket | None = None
    _ws_loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None

    # --- URLs ---------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.base_url}/response/{name}"

    # --- recording ----------------------------------------------------------------------------
    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.fail.clear()

    def of(self, method: str, **match: Any) -> list[Call]:
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method and all(c.args.get(k) == v for k, v in match.items())
        ]

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def wait_for(self, predicate, timeout: float = 120.0, what: str = "a Slack call"):
        """Poll until ``predicate()`` is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; calls: {self.methods()}")
            time.sleep(0.02)

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"{self._ts:.6f}"

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://newsrag-test.slack.com/",
                "team": "newsrag test",
                "user": "newsrag",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") if method == "chat.update" else self._next_ts()
            return {
                "ok": True,
                "channel": args.get("channel"),
                "ts": ts,
                "message": {"text": args.get("text"), "user": BOT_USER_ID, "ts": ts},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://{self.host}:{self.port}/link"}
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        return {"ok": True}

    # --- the app ------------------------------------------------------------------------------
    def build(self) -> FastAPI:
        api = FastAPI()

        async def parse(request: Request) -> dict[str, Any]:
            raw = await request.body()
            ctype = request.headers.get("content-type", "")
            if "json" in ctype:
                data = json.loads(raw or b"{}")
            else:
                data = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
            for key in ("blocks", "attachments"):
                if isinstance(data.get(key), str):
                    data[key] = json.loads(data[key])
            return data

        @api.post("/api/{method}")
        async def web_api(method: str, request: Request) -> dict[str, Any]:
            args = await parse(request)
            auth = request.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ") or args.get("token")
            call = Call(method, args, request.url.path, token)
            call.result = self._answer(method, args)
            self._record(call)
            return call.result

        @api.post("/response/{name}")
        async def response_url(name: str, request: Request) -> dict[str, Any]:
            args = await parse(request)
            self._record(Call("response_url", args, request.url.path))
            return {"ok": True}

        @api.websocket("/link")
        async def socket_mode(ws: WebSocket) -> None:
            await ws.accept()
            self._ws, self._ws_loop = ws, asyncio.get_running_loop()
            self._record(Call("socket_connect", {}, "/link"))
            await ws.send_json({"type": "hello", "num_connections": 1})
            try:
                while True:
                    self._record(Call("socket_ack", json.loads(await ws.receive_text())))
            except WebSocketDisconnect:
                self._ws = None

        return api

    def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected client (from the test's thread)."""
        if self._ws is None or self._ws_loop is None:
            raise AssertionError("no Socket Mode client is connected")
        asyncio.run_coroutine_threadsafe(self._ws.send_json(envelope), self._ws_loop).result(10)

    def start(self) -> FakeSlack:
        # Bind first and hand the socket to uvicorn: no window for another process to take
        # the port between choosing and listening.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.build(), log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="fake-slack"
        )
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Slack API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
