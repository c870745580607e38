"""What the bot's handlers share: one ``BotParts``, built once by ``SlackBot``.

The handlers and the posting flow take this instead of the bot itself, so each of them sees
only the stores, the Slack client and the counters, never the other handlers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import Counter
from slack_sdk.web.async_client import AsyncWebClient

from api.slack.dedupe import EventDeduper
from api.slack.feedback import FeedbackStore
from api.slack.threads import ThreadMemory
from api.state.conversations import ConversationStore
from rag.settings import Settings

# Starts a background task the bot keeps track of (shutdown waits for it): (coroutine, name).
Spawn = Callable[[Awaitable[None], str], None]


@dataclass(frozen=True)
class BotParts:
    settings: Settings
    client: AsyncWebClient
    conversations: ConversationStore
    feedback: FeedbackStore
    threads: ThreadMemory
    dedupe: EventDeduper
    events: Counter  # newsrag_slack_events_total{outcome}
    feedback_counter: Counter  # newsrag_slack_feedback_total{rating}
    spawn: Spawn
