"""The Slack bot: slack-bolt listeners that turn mentions, DMs and ``/ask`` into cited answers.

Flow of a question: Slack's request is verified (signing secret, 5-minute window) before
anything else; a retried delivery of an event already claimed is acknowledged and dropped;
the listener acknowledges at once and hands the work to a background task, which posts a
"searching…" message, runs the CPU-bound chain in a worker thread and replaces the message
with the answer (``chat.update``). What the messages look like is decided in ``blocks.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt import BoltResponse
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from api.services.ask import AskContext, AskService
from api.slack import blocks, metrics
from api.slack.db import slack_db
from api.slack.dedupe import EventDeduper
from api.slack.feedback import FeedbackStore
from api.slack.mrkdwn import to_plain
from api.slack.threads import ThreadMemory, thread_key
from api.state.conversations import ConversationStore
from rag.schema import Answer

if TYPE_CHECKING:
    from api.components import Components

log = logging.getLogger("newsrag.slack")

EVENTS_PATH = "/slack/events"
# Top-level DMs have no thread: earlier questions count as context for this long.
DM_CONTEXT_SECONDS = 30 * 60
# Message subtypes that are a person writing; edits, joins, bot posts … are not questions.
_HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share"}
_FEEDBACK_ACTIONS = re.compile(f"^(?:{blocks.ACTION_HELPFUL}|{blocks.ACTION_NOT_HELPFUL})$")


class KeyedLocks:
    """One asyncio.Lock per conversation, so two quick follow-ups in a thread are answered in
    order, each with the other's turn in its history; unused locks are dropped."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class SlackBot:
    """The bolt app, its listeners and the state they share. Built once per FastAPI app."""

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
        db = slack_db(settings.app_db_path)
        # Thread turns go to the API's ConversationStore: one history for every way in.
        self.conversations = conversations or ConversationStore(settings.app_db_path)
        # Answering goes through the API's AskService: the same answering slots (the chain is
        # CPU-bound), the same turn records and answer metrics as POST /v1/ask.
        self.asker = asker or AskService(settings, components, self.conversations)
        self.feedback = FeedbackStore(db)
        self.threads = ThreadMemory(db, self.conversations, settings.conversation_history_turns)
        self.dedupe = EventDeduper(db)
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
        self._locks = KeyedLocks()
        self._socket_handler: Any = None
        self._socket_task: asyncio.Future | None = None
        self._register()

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
            return False

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        if len(body) > self.settings.max_body_bytes:
            return JSONResponse({"error": "request too large"}, status_code=413)
        # Checked here as well as by bolt, so a malformed header is a 401 and never reaches a
        # listener or the Slack API.
        if not self.verified(body, request.headers):
            self.events.labels("rejected").inc()
            return JSONResponse({"error": "invalid request signature"}, status_code=401)
        return await self.handler.handle(request)

    # --- listeners ------------------------------------------------------------------------------
    def _register(self) -> None:
        app = self.app
        app.middleware(self._dedupe_middleware)
        app.event("app_mention")(self._on_mention)
        app.event("message")(self._on_message)
        app.command(self.settings.slack_command)(self._on_command)
        app.action(blocks.ACTION_SHARE)(self._on_share)
        app.action(_FEEDBACK_ACTIONS)(self._on_feedback)
        app.error(self._on_error)

    async def _on_error(self, error: Exception, body: dict) -> None:
        self.events.labels("error").inc()
        log.error("Slack listener failed: %r (request type %s)", error, body.get("type"))

    async def _dedupe_middleware(
        self, body: dict, next: Callable[[], Awaitable[None]], request: Any, response: Any
    ) -> BoltResponse:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await asyncio.to_thread(self.dedupe.claim, event_id):
            retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("duplicate delivery of %s (retry %s) dropped", event_id, retry)
            self.events.labels("duplicate").inc()
            return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
        await next()
        return response

    def _from_a_person(self, event: dict, context: Any) -> bool:
        if event.get("bot_id") or event.get("bot_profile") or event.get("app_id"):
            return False
        if event.get("subtype") not in _HUMAN_SUBTYPES or event.get("hidden"):
            return False
        user = event.get("user")
        return bool(user) and user != context.bot_user_id

    async def _on_mention(self, event: dict, context: Any) -> None:
        if not self._from_a_person(event, context):
            self.events.labels("ignored").inc()
            return
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts") or ts
        key = thread_key(context.team_id, channel, thread_ts)
        # A thread that starts with a question to the bot takes follow-ups without a mention; a
        # human thread the bot is pulled into only answers mentions.
        cid = await asyncio.to_thread(self.threads.conversation, key, followups=thread_ts == ts)
        self.events.labels("handled").inc()
        self._spawn(
            self._answer_in_slack(
                kind="mention",
                team=context.team_id,
                channel=channel,
                user=event.get("user"),
                text=event.get("text") or "",
                thread_ts=thread_ts,
                key=key,
                conversation_id=cid,
                bot_user_id=context.bot_user_id,
            ),
            name=f"slack-answer-{channel}-{ts}",
        )

    async def _on_message(self, event: dict, context: Any) -> None:
        if not self._from_a_person(event, context):
            self.events.labels("ignored").inc()
            return
        channel, ts = event["channel"], event["ts"]
        text = event.get("text") or ""
        thread_ts = event.get("thread_ts")
        if event.get("channel_type") == "im":
            key = thread_key(context.team_id, channel, thread_ts)
            cid = await asyncio.to_thread(
                self.threads.conversation,
                key,
                followups=True,
                idle=None if thread_ts else DM_CONTEXT_SECONDS,
            )
            self.events.labels("handled").inc()
            self._spawn(
                self._answer_in_slack(
                    kind="dm",
                    team=context.team_id,
                    channel=channel,
                    user=event.get("user"),
                    text=text,
                    thread_ts=thread_ts,  # top-level DMs are answered at top level
                    key=key,
                    conversation_id=cid,
                    bot_user_id=context.bot_user_id,
                ),
                name=f"slack-dm-{channel}-{ts}",
            )
            return
        # Channels: only replies in a thread the bot answers in are follow-ups; a reply that
        # mentions the bot arrives as app_mention as well and is answered there.
        if not thread_ts or thread_ts == ts or f"<@{context.bot_user_id}" in text:
            return
        if self.settings.slack_thread_followups_need_mention:
            return
        key = thread_key(context.team_id, channel, thread_ts)
        info = await asyncio.to_thread(self.threads.get, key)
        if info is None or not info.followups:
            return
        if not to_plain(text, drop_user=context.bot_user_id):
            return  # a reply with only a file or an emoji: nothing was asked
        cid = await asyncio.to_thread(self.threads.conversation, key, followups=True)
        self.events.labels("handled").inc()
        self._spawn(
            self._answer_in_slack(
                kind="followup",
                team=context.team_id,
                channel=channel,
                user=event.get("user"),
                text=text,
                thread_ts=thread_ts,
                key=key,
                conversation_id=cid,
                bot_user_id=context.bot_user_id,
            ),
            name=f"slack-followup-{channel}-{ts}",
        )

    async def _on_command(self, ack: Any, command: dict, respond: Any, context: Any) -> None:
        question = to_plain(command.get("text") or "")
        if not question:
            await ack(**blocks.help_message())
            return
        if len(question) > self.settings.max_question_chars:
            await ack(**blocks.too_long_message(self.settings.max_question_chars))
            return
        await ack(**blocks.thinking_message(question))
        self.events.labels("handled").inc()
        self._spawn(
            self._answer_command(
                question,
                respond=respond,
                team=context.team_id,
                channel=command.get("channel_id"),
                user=command.get("user_id"),
            ),
            name=f"slack-command-{command.get('trigger_id', '')}",
        )

    async def _on_share(self, ack: Any, body: dict, action: dict, respond: Any, context: Any):
        await ack()
        stored = await asyncio.to_thread(self.feedback.get_answer, action.get("value") or "")
        if stored is None:
            await respond(**blocks.expired_message(), response_type="ephemeral")
            return
        channel = (body.get("channel") or {}).get("id") or stored.channel
        user = (body.get("user") or {}).get("id")
        messages = blocks.answer_messages(stored.answer, answer_id=stored.id, shared_by=user)
        posted_ts = None
        try:
            first = await self.client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **messages[0]
            )
            posted_ts = first["ts"]
            for extra in messages[1:]:
                await self.client.chat_postMessage(
                    channel=channel, thread_ts=posted_ts, unfurl_links=False, **extra
                )
        except SlackApiError as exc:
            # Not a member of the channel (slash commands work anywhere): post through the
            # command's response_url instead, which needs no membership.
            log.info("share via chat.postMessage failed (%s); using response_url", exc)
            for message in messages:
                await respond(**message, response_type="in_channel", replace_original=False)
        await respond(delete_original=True)
        if posted_ts:
            key = thread_key(context.team_id, channel, posted_ts)
            answer = stored.answer
            cid = await asyncio.to_thread(self.threads.conversation, key, followups=True)
            await asyncio.to_thread(self.conversations.add_turn, cid, answer)
            await asyncio.to_thread(self.threads.touch, key)

    async def _on_feedback(self, ack: Any, body: dict, action: dict, respond: Any) -> None:
        await ack()
        helpful = action.get("action_id") == blocks.ACTION_HELPFUL
        stored = await asyncio.to_thread(self.feedback.get_answer, action.get("value") or "")
        if stored is None:
            await respond(
                **blocks.expired_message(), response_type="ephemeral", replace_original=False
            )
            return
        user = (body.get("user") or {}).get("id") or "unknown"
        await asyncio.to_thread(self.feedback.record, stored, user, helpful)
        self.feedback_counter.labels("helpful" if helpful else "not_helpful").inc()
        await respond(
            **blocks.feedback_thanks(helpful), response_type="ephemeral", replace_original=False
        )

    # --- answering ------------------------------------------------------------------------------
    async def _ask(self, question: str, kind: str, key: str | None, cid: str) -> Answer:
        """The conversation's history → the API's AskService (in a worker thread: it holds one
        of the process's answering slots, records the turn and counts the answer)."""
        async with self._locks.hold(cid):
            history = await asyncio.to_thread(self.threads.history, cid)
            ctx = AskContext(question, cid, history)
            answer = await asyncio.to_thread(self.asker.ask, ctx, f"slack-{kind}")
            if key is not None:
                await asyncio.to_thread(self.threads.touch, key)
        return answer

    async def _answer_in_slack(
        self,
        *,
        kind: str,
        team: str | None,
        channel: str,
        user: str | None,
        text: str,
        thread_ts: str | None,
        key: str,
        conversation_id: str,
        bot_user_id: str | None,
    ) -> None:
        question = to_plain(text, drop_user=bot_user_id)
        where = {"channel": channel, "thread_ts": thread_ts}
        if not question or len(question) > self.settings.max_question_chars:
            message = (
                blocks.help_message()
                if not question
                else blocks.too_long_message(self.settings.max_question_chars)
            )
            await self._post(where, message)
            return
        thinking_ts = None
        try:
            posted = await self._post(where, blocks.thinking_message(question))
            thinking_ts = posted["ts"]
            answer = await self._ask(question, kind, key, conversation_id)
            answer_id = await asyncio.to_thread(
                self.feedback.save_answer,
                answer,
                kind=kind,
                team=team,
                channel=channel,
                thread_ts=thread_ts,
                user=user,
            )
            messages = blocks.answer_messages(answer, answer_id=answer_id)
            await self._replace(channel, thinking_ts, messages, thread_ts)
            if thread_ts is None:
                # A top-level answer (DM): a reply in its thread continues this conversation.
                await asyncio.to_thread(
                    self.threads.alias,
                    thread_key(team, channel, thinking_ts),
                    conversation_id,
                )
        except Exception:
            log.exception("answering %s in %s failed", kind, channel)
            with contextlib.suppress(Exception):
                if thinking_ts:
                    await self.client.chat_update(
                        channel=channel, ts=thinking_ts, **blocks.error_message()
                    )
                else:
                    await self._post(where, blocks.error_message())

    async def _answer_command(
        self,
        question: str,
        *,
        respond: Any,
        team: str | None,
        channel: str | None,
        user: str | None,
    ) -> None:
        try:
            cid = await asyncio.to_thread(
                self.conversations.create, "slack", meta={"team": team, "channel": channel}
            )
            answer = await self._ask(question, "command", None, cid)
            answer_id = await asyncio.to_thread(
                self.feedback.save_answer,
                answer,
                kind="command",
                team=team,
                channel=channel,
                user=user,
            )
            for message in blocks.answer_messages(
                answer, answer_id=answer_id, share=True, show_question=True
            ):
                await respond(**message, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("answering /ask failed")
            with contextlib.suppress(Exception):
                await respond(**blocks.error_message(), response_type="ephemeral")

    async def _post(self, where: dict, message: dict) -> Any:
        args = {k: v for k, v in where.items() if v}
        return await self.client.chat_postMessage(
            **args, unfurl_links=False, unfurl_media=False, **message
        )

    async def _replace(
        self, channel: str, ts: str, messages: list[dict], thread_ts: str | None
    ) -> None:
        """The "searching…" message becomes the answer; pages beyond the first follow it."""
        first, rest = messages[0], messages[1:]
        try:
            await self.client.chat_update(channel=channel, ts=ts, **first)
        except SlackApiError as exc:
            # Blocks refused (a limit we did not foresee): the text alone still answers.
            log.warning("chat.update with blocks failed (%s); sending text only", exc)
            await self.client.chat_update(channel=channel, ts=ts, text=first["text"], blocks=[])
        for message in rest:
            await self._post({"channel": channel, "thread_ts": thread_ts or ts}, message)


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
