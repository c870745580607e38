"""The slash command (``/ask`` by default): answered privately, with a button to share it."""

from __future__ import annotations

from typing import Any

from api.slack import blocks
from api.slack.mrkdwn import to_plain
from api.slack.parts import BotParts
from api.slack.posting import AnswerFlow


class CommandHandler:
    def __init__(self, parts: BotParts, flow: AnswerFlow) -> None:
        self.parts = parts
        self.flow = flow

    async def on_command(self, ack: Any, command: dict, respond: Any, context: Any) -> None:
        p = self.parts
        question = to_plain(command.get("text") or "")
        if not question:
            await ack(**blocks.help_message())
            return
        if len(question) > p.settings.max_question_chars:
            await ack(**blocks.too_long_message(p.settings.max_question_chars))
            return
        await ack(**blocks.thinking_message(question))
        p.events.labels("handled").inc()
        p.spawn(
            self.flow.answer_command(
                question,
                respond=respond,
                team=context.team_id,
                channel=command.get("channel_id"),
                user=command.get("user_id"),
            ),
            f"slack-command-{command.get('trigger_id', '')}",
        )
