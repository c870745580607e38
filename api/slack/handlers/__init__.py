"""The bot's listeners, one module per kind of Slack request, wired onto the bolt app here.

``delivery``: retried deliveries and listener errors; ``messages``: @mentions, DMs and thread
follow-ups; ``command``: the slash command; ``actions``: the share and feedback buttons.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from api.slack import blocks
from api.slack.handlers.actions import FEEDBACK_ACTIONS, ActionHandlers
from api.slack.handlers.command import CommandHandler
from api.slack.handlers.delivery import DeliveryGuard
from api.slack.handlers.messages import MessageHandlers
from api.slack.parts import BotParts
from api.slack.posting import AnswerFlow


def register(app: AsyncApp, parts: BotParts, flow: AnswerFlow) -> None:
    delivery = DeliveryGuard(parts)
    messages = MessageHandlers(parts, flow)
    actions = ActionHandlers(parts)
    app.middleware(delivery.drop_duplicates)
    app.event("app_mention")(messages.on_mention)
    app.event("message")(messages.on_message)
    app.command(parts.settings.slack_command)(CommandHandler(parts, flow).on_command)
    app.action(blocks.ACTION_SHARE)(actions.on_share)
    app.action(FEEDBACK_ACTIONS)(actions.on_feedback)
    app.error(delivery.on_error)
