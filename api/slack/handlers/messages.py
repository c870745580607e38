"""@mentions, direct messages and follow-ups in a thread the bot answers in."""

from __future__ import annotations

import asyncio
from typing import Any

from api.slack.mrkdwn import to_plain
from api.slack.parts import BotParts
from api.slack.posting import AnswerFlow
from api.slack.threads import thread_key

# Top-level DMs have no thread: earlier questions count as context for this long.
DM_CONTEXT_SECONDS = 30 * 60
# Message subtypes that are a person writing; edits, joins, bot posts … are not questions.
_HUMAN_SUBTYPES = {None, "thread_broadcast", "file_share"}


def from_a_person(event: dict, context: Any) -> bool:
    if event.get("bot_id") or event.get("bot_profile") or event.get("app_id"):
        return False
    if event.get("subtype") not in _HUMAN_SUBTYPES or event.get("hidden"):
        return False
    user = event.get("user")
    return bool(user) and user != context.bot_user_id


class MessageHandlers:
    """Each listener acknowledges at once (bolt does, on return) and leaves the answering to a
    background task, so Slack never waits for the chain."""

    def __init__(self, parts: BotParts, flow: AnswerFlow) -> None:
        self.parts = parts
        self.flow = flow

    async def on_mention(self, event: dict, context: Any) -> None:
        p = self.parts
        if not from_a_person(event, context):
            p.events.labels("ignored").inc()
            return
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts") or ts
        key = thread_key(context.team_id, channel, thread_ts)
        # A thread that starts with a question to the bot takes follow-ups without a mention; a
        # human thread the bot is pulled into only answers mentions.
        cid = await asyncio.to_thread(p.threads.conversation, key, followups=thread_ts == ts)
        p.events.labels("handled").inc()
        p.spawn(
            self.flow.answer_in_thread(
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
            f"slack-answer-{channel}-{ts}",
        )

    async def on_message(self, event: dict, context: Any) -> None:
        p = self.parts
        if not from_a_person(event, context):
            p.events.labels("ignored").inc()
            return
        if event.get("channel_type") == "im":
            await self._direct_message(event, context)
            return
        channel, ts = event["channel"], event["ts"]
        text = event.get("text") or ""
        thread_ts = event.get("thread_ts")
        # Channels: only replies in a thread the bot answers in are follow-ups; a reply that
        # mentions the bot arrives as app_mention as well and is answered there.
        if not thread_ts or thread_ts == ts or f"<@{context.bot_user_id}" in text:
            return
        if p.settings.slack_thread_followups_need_mention:
            return
        key = thread_key(context.team_id, channel, thread_ts)
        info = await asyncio.to_thread(p.threads.get, key)
        if info is None or not info.followups:
            return
        if not to_plain(text, drop_user=context.bot_user_id):
            return  # a reply with only a file or an emoji: nothing was asked
        cid = await asyncio.to_thread(p.threads.conversation, key, followups=True)
        p.events.labels("handled").inc()
        p.spawn(
            self.flow.answer_in_thread(
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
            f"slack-followup-{channel}-{ts}",
        )

    async def _direct_message(self, event: dict, context: Any) -> None:
        p = self.parts
        channel, ts = event["channel"], event["ts"]
        thread_ts = event.get("thread_ts")
        key = thread_key(context.team_id, channel, thread_ts)
        cid = await asyncio.to_thread(
            p.threads.conversation,
            key,
            followups=True,
            idle=None if thread_ts else DM_CONTEXT_SECONDS,
        )
        p.events.labels("handled").inc()
        p.spawn(
            self.flow.answer_in_thread(
                kind="dm",
                team=context.team_id,
                channel=channel,
                user=event.get("user"),
                text=event.get("text") or "",
                thread_ts=thread_ts,  # top-level DMs are answered at top level
                key=key,
                conversation_id=cid,
                bot_user_id=context.bot_user_id,
            ),
            f"slack-dm-{channel}-{ts}",
        )
