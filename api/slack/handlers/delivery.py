"""Before and after every listener: drop Slack's retried deliveries, count listener errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse

from api.slack.parts import BotParts
from api.slack.requests import missing_fields, replay_key

log = logging.getLogger("newsrag.slack")


class DeliveryGuard:
    def __init__(self, parts: BotParts) -> None:
        self.parts = parts

    async def drop_duplicates(
        self, body: dict, next: Callable[[], Awaitable[None]], request: Any, response: Any
    ) -> BoltResponse:
        """A retried delivery of an event already claimed, or a command or click replayed byte
        for byte, is acknowledged and dropped; so is a request missing a field its listener
        needs (api/slack/requests.py)."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id is None:  # slash commands and clicks: the signed bytes are the identity
            timestamp = (request.headers.get("x-slack-request-timestamp") or [""])[0]
            claim = replay_key(timestamp, request.raw_body or "")
        else:
            claim = str(event_id)
        if not await asyncio.to_thread(self.parts.dedupe.claim, claim):
            retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("duplicate delivery of %s (retry %s) dropped", claim, retry)
            self.parts.events.labels("duplicate").inc()
            return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
        lacking = missing_fields(body)
        if lacking is not None:
            log.info("ignored a Slack %s without %s", lacking[0], ", ".join(lacking[1]))
            self.parts.events.labels("ignored").inc()
            return BoltResponse(status=200, body="")
        await next()
        return response

    async def on_error(self, error: Exception, body: dict) -> None:
        self.parts.events.labels("error").inc()
        log.error("Slack listener failed: %r (request type %s)", error, body.get("type"))
