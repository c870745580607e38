"""The posting flow: a question becomes a "searching…" message in Slack, then the answer.

The CPU-bound chain runs in a worker thread through the API's AskService; the "searching…"
message is replaced with the answer (``chat.update``), pages beyond the first follow in the
thread. What the messages look like is decided in ``blocks.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from slack_sdk.errors import SlackApiError

from api.services.ask import AskContext, AskService
from api.slack import blocks
from api.slack.mrkdwn import to_plain
from api.slack.parts import BotParts
from api.slack.threads import thread_key
from rag.schema import Answer

log = logging.getLogger("newsrag.slack")


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


class AnswerFlow:
    """Answers a question where it was asked: in a thread or DM, or privately for ``/ask``."""

    def __init__(self, parts: BotParts, asker: AskService) -> None:
        self.parts = parts
        self.asker = asker
        self._locks = KeyedLocks()

    async def ask(self, question: str, kind: str, key: str | None, cid: str) -> Answer:
        """The conversation's history → the API's AskService (in a worker thread: it holds one
        of the process's answering slots, records the turn and counts the answer)."""
        threads = self.parts.threads
        async with self._locks.hold(cid):
            history = await asyncio.to_thread(threads.history, cid)
            ctx = AskContext(question, cid, history)
            answer = await asyncio.to_thread(self.asker.ask, ctx, f"slack-{kind}")
            if key is not None:
                await asyncio.to_thread(threads.touch, key)
        return answer

    async def answer_in_thread(
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
        p = self.parts
        question = to_plain(text, drop_user=bot_user_id)
        where = {"channel": channel, "thread_ts": thread_ts}
        if not question or len(question) > p.settings.max_question_chars:
            message = (
                blocks.help_message()
                if not question
                else blocks.too_long_message(p.settings.max_question_chars)
            )
            await self.post(where, message)
            return
        thinking_ts = None
        try:
            posted = await self.post(where, blocks.thinking_message(question))
            thinking_ts = posted["ts"]
            answer = await self.ask(question, kind, key, conversation_id)
            answer_id = await asyncio.to_thread(
                p.feedback.save_answer,
                answer,
                kind=kind,
                team=team,
                channel=channel,
                thread_ts=thread_ts,
                user=user,
            )
            messages = blocks.answer_messages(answer, answer_id=answer_id)
            await self.replace(channel, thinking_ts, messages, thread_ts)
            if thread_ts is None:
                # A top-level answer (DM): a reply in its thread continues this conversation.
                await asyncio.to_thread(
                    p.threads.alias,
                    thread_key(team, channel, thinking_ts),
                    conversation_id,
                )
        except Exception:
            log.exception("answering %s in %s failed", kind, channel)
            with contextlib.suppress(Exception):
                if thinking_ts:
                    await p.client.chat_update(
                        channel=channel, ts=thinking_ts, **blocks.error_message()
                    )
                else:
                    await self.post(where, blocks.error_message())

    async def answer_command(
        self,
        question: str,
        *,
        respond: Any,
        team: str | None,
        channel: str | None,
        user: str | None,
    ) -> None:
        p = self.parts
        try:
            cid = await asyncio.to_thread(
                p.conversations.create, "slack", meta={"team": team, "channel": channel}
            )
            answer = await self.ask(question, "command", None, cid)
            answer_id = await asyncio.to_thread(
                p.feedback.save_answer,
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

    async def post(self, where: dict, message: dict) -> Any:
        args = {k: v for k, v in where.items() if v}
        return await self.parts.client.chat_postMessage(
            **args, unfurl_links=False, unfurl_media=False, **message
        )

    async def replace(
        self, channel: str, ts: str, messages: list[dict], thread_ts: str | None
    ) -> None:
        """The "searching…" message becomes the answer; pages beyond the first follow it."""
        client = self.parts.client
        first, rest = messages[0], messages[1:]
        try:
            await client.chat_update(channel=channel, ts=ts, **first)
        except SlackApiError as exc:
            # Blocks refused (a limit we did not foresee): the text alone still answers.
            log.warning("chat.update with blocks failed (%s); sending text only", exc)
            await client.chat_update(channel=channel, ts=ts, text=first["text"], blocks=[])
        for message in rest:
            await self.post({"channel": channel, "thread_ts": thread_ts or ts}, message)
