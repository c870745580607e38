"""Interactivity: the share button of a private ``/ask`` answer and the feedback buttons."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError

from api.slack import blocks
from api.slack.parts import BotParts
from api.slack.threads import thread_key

log = logging.getLogger("newsrag.slack")

FEEDBACK_ACTIONS = re.compile(f"^(?:{blocks.ACTION_HELPFUL}|{blocks.ACTION_NOT_HELPFUL})$")


class ActionHandlers:
    def __init__(self, parts: BotParts) -> None:
        self.parts = parts

    async def on_share(self, ack: Any, body: dict, action: dict, respond: Any, context: Any):
        """Post the stored answer in the channel; its thread then continues the conversation."""
        p = self.parts
        await ack()
        stored = await asyncio.to_thread(p.feedback.get_answer, action.get("value") or "")
        if stored is None:
            await respond(**blocks.expired_message(), response_type="ephemeral")
            return
        channel = (body.get("channel") or {}).get("id") or stored.channel
        user = (body.get("user") or {}).get("id")
        messages = blocks.answer_messages(stored.answer, answer_id=stored.id, shared_by=user)
        posted_ts = None
        try:
            first = await p.client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **messages[0]
            )
            posted_ts = first["ts"]
            for extra in messages[1:]:
                await p.client.chat_postMessage(
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
            cid = await asyncio.to_thread(p.threads.conversation, key, followups=True)
            await asyncio.to_thread(p.conversations.add_turn, cid, answer)
            await asyncio.to_thread(p.threads.touch, key)

    async def on_feedback(self, ack: Any, body: dict, action: dict, respond: Any) -> None:
        p = self.parts
        await ack()
        helpful = action.get("action_id") == blocks.ACTION_HELPFUL
        stored = await asyncio.to_thread(p.feedback.get_answer, action.get("value") or "")
        if stored is None:
            await respond(
                **blocks.expired_message(), response_type="ephemeral", replace_original=False
            )
            return
        user = (body.get("user") or {}).get("id") or "unknown"
        await asyncio.to_thread(p.feedback.record, stored, user, helpful)
        p.feedback_counter.labels("helpful" if helpful else "not_helpful").inc()
        await respond(
            **blocks.feedback_thanks(helpful), response_type="ephemeral", replace_original=False
        )
