"""Before and after every listener: drop Slack's retried deliveries, count listener errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt import BoltResponse

from api.slack.parts import BotParts

log = logging.getLogger("newsrag.slack")


class DeliveryGuard:
    def __init__(self, parts: BotParts) -> None:
        self.parts = parts

    async def drop_duplicates(
        self, body: dict, next: Callable[[], Awaitable[None]], request: Any, response: Any
    ) -> BoltResponse:
        """A retried delivery of an event already claimed is acknowledged and dropped."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await asyncio.to_thread(self.parts.dedupe.claim, event_id):
            retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
            log.info("duplicate delivery of %s (retry %s) dropped", event_id, retry)
            self.parts.events.labels("duplicate").inc()
            return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
        await next()
        return response

    async def on_error(self, error: Exception, body: dict) -> None:
        self.parts.events.labels("error").inc()
        log.error("Slack listener failed: %r (request type %s)", error, body.get("type"))
