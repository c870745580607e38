"""The Slack bot: a slack-bolt app whose listeners turn mentions, DMs and ``/ask`` into cited
answers, mounted on the FastAPI app.

Flow of a question: Slack's request is verified (signing secret, 5-minute window) before
anything else (``SlackBot.handle``); a retried delivery of an event already claimed is
acknowledged and dropped (``handlers/delivery.py``); the listener (``handlers/``) acknowledges at
once and hands the work to a background task, which posts a "searching…" message, runs the
CPU-bound chain in a worker thread and replaces the message with the answer (``posting.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from api.services.ask import AskService
from api.slack import handlers, metrics
from api.slack.db import slack_db
from api.slack.dedupe import EventDeduper
from api.slack.feedback import FeedbackStore
from api.slack.parts import BotParts
from api.slack.posting import AnswerFlow
from api.slack.requests import malformed
from api.slack.threads import ThreadMemory
from api.state.appdb import AppDB
from api.state.config import StateSettings
from api.state.conversations import ConversationStore
from api.state.shared import SharedClaims, redis_client

if TYPE_CHECKING:
    from api.components import Components

log = logging.getLogger("newsrag.slack")

EVENTS_PATH = "/slack/events"


class SlackBot:
    """The bolt app, the parts its listeners share, and its lifecycle. Built once per FastAPI app."""

    def __init__(
        self,
        components: Components,
        conversations: ConversationStore | None = None,
        *,
        asker: AskService | None = None,
        client: AsyncWebClient | None = None,
    ) -> None:
        settings = components.settings
        if settings.slack_bot_token is None:
            raise ValueError("Slack is enabled but NEWSRAG_SLACK_BOT_TOKEN is not set")
        if settings.slack_signing_secret is None and not settings.slack_socket_mode:
            raise ValueError(
                "Slack over HTTP needs NEWSRAG_SLACK_SIGNING_SECRET (or enable Socket Mode)"
            )
        self.settings = settings
        self.components = components
        # Thread turns go to the API's ConversationStore: one history for every way in.
        self.conversations = conversations or ConversationStore(AppDB.for_settings(settings))
        db = slack_db(self.conversations.db)
        # Answering goes through the API's AskService: the same answering slots (the chain is
        # CPU-bound), the same turn records and answer metrics as POST /v1/ask.
        self.asker = asker or AskService(settings, components, self.conversations)
        self.feedback = FeedbackStore(db)
        self.threads = ThreadMemory(db, self.conversations, settings.conversation_history_turns)
        redis = redis_client(StateSettings().redis_url)
        shared = SharedClaims(redis, "slack:claim") if redis is not None else None
        self.dedupe = EventDeduper(db, shared=shared)
        self.feedback_counter = metrics.feedback_counter()
        self.events = metrics.events_counter()
        self.client = client or AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=_with_slash(settings.slack_api_url),
        )
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
        secret = settings.slack_signing_secret
        self.signing_secret = secret.get_secret_value() if secret else ""
        self.verifier = SignatureVerifier(self.signing_secret) if self.signing_secret else None
        self.app = AsyncApp(
            name="newsrag",
            client=self.client,
            signing_secret=self.signing_secret,
            process_before_response=settings.slack_process_before_response,
            request_verification_enabled=True,
            ignoring_self_events_enabled=True,
        )
        self.handler = AsyncSlackRequestHandler(self.app)
        self._tasks: set[asyncio.Task] = set()
        self._socket_handler: Any = None
        self._socket_task: asyncio.Future | None = None
        self.parts = BotParts(
            settings=settings,
            client=self.client,
            conversations=self.conversations,
            feedback=self.feedback,
            threads=self.threads,
            dedupe=self.dedupe,
            events=self.events,
            feedback_counter=self.feedback_counter,
            spawn=self._spawn,
        )
        handlers.register(self.app, self.parts, AnswerFlow(self.parts, self.asker))

    # --- lifecycle ------------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        """Answers still being worked on (tests poll this; shutdown waits for it)."""
        return len(self._tasks)

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        task = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        """Called by the app's lifespan. Socket Mode connects in the background (the SDK
        retries until Slack is reachable), so the HTTP API starts either way."""
        await asyncio.to_thread(self.feedback.prune)
        if self.settings.slack_socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            if self.settings.slack_app_token is None:
                raise ValueError("Socket Mode needs NEWSRAG_SLACK_APP_TOKEN (xapp-…)")
            self._socket_handler = AsyncSocketModeHandler(
                self.app, self.settings.slack_app_token.get_secret_value()
            )
            self._socket_task = asyncio.ensure_future(self._connect_socket_mode())

    async def _connect_socket_mode(self) -> None:
        log.info("Slack Socket Mode: connecting")
        await self._socket_handler.connect_async()
        log.info("Slack Socket Mode: connected")

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop taking events, then let answers in progress finish (up to ``timeout``)."""
        if self._socket_task is not None and not self._socket_task.done():
            self._socket_task.cancel()
        if self._socket_handler is not None:
            await self._socket_handler.close_async()
            self._socket_handler = None
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=timeout)
            for task in late:
                task.cancel()

    # --- HTTP entry -----------------------------------------------------------------------------
    def verified(self, body: bytes, headers: Any) -> bool:
        """Signature v0 over ``v0:timestamp:body`` and a timestamp within 5 minutes."""
        if self.verifier is None:
            return False
        timestamp = headers.get("x-slack-request-timestamp")
        signature = headers.get("x-slack-signature")
        if not timestamp or not signature or not timestamp.isdigit():
            return False
        try:
            return self.verifier.is_valid(body, timestamp, signature)
        except ValueError:
            pass
        # slack_sdk signs the body decoded as UTF-8: bytes that are not UTF-8 are checked
        # here, so a signed but malformed body is told apart from a forged one (400, not 401).
        if abs(time.time() - int(timestamp)) > 5 * 60:
            return False
        base = b"v0:" + timestamp.encode() + b":" + body
        expected = hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return signature.isascii() and hmac.compare_digest(f"v0={expected}", signature)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > self.settings.max_body_bytes:
            return JSONResponse({"error": "request too large"}, status_code=413)
        # Checked here as well as by bolt, so a malformed header is a 401 and never reaches a
        # listener or the Slack API.
        if not self.verified(body, request.headers):
            self.events.labels("rejected").inc()
            return JSONResponse({"error": "invalid request signature"}, status_code=401)
        reason = malformed(body, request.headers.get("content-type", ""))
        if reason is not None:  # signed, but not a shape bolt can take (it would 500)
            log.info("malformed Slack request refused: %s", reason)
            self.events.labels("rejected").inc()
            return JSONResponse({"error": f"malformed Slack request: {reason}"}, status_code=400)
        return await self.handler.handle(request)


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def mount_slack(
    app: FastAPI, components: Components, conversations: ConversationStore | None = None
) -> SlackBot:
    """Add the Slack bot to ``app``: ``POST /slack/events`` (events, slash command and
    interactivity share it) when a signing secret is set, Socket Mode when enabled, both
    started and stopped with the app's lifespan. The bot is ``app.state.slack``."""
    parts = getattr(app.state, "parts", None)  # create_app's services, when it built them
    bot = SlackBot(components, conversations, asker=getattr(parts, "asker", None))
    app.state.slack = bot
    if bot.verifier is not None:

        @app.post(EVENTS_PATH, include_in_schema=False)
        async def slack_events(request: Request) -> Response:
            return await bot.handle(request)

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: FastAPI) -> AsyncIterator[Any]:
        async with inner(app_) as state:
            await bot.start()
            try:
                yield state
            finally:
                await bot.stop()

    app.router.lifespan_context = lifespan
    return bot
