"""The Slack bot (issue 6): answers @mentions in threads, DMs and ``/ask``, with citations as
Slack links, feedback buttons, and follow-ups that use the thread as the conversation.

``create_app`` calls ``mount_slack(app, components, conversations)`` when Slack is configured;
``docs/slack.md`` explains how to create the Slack app from ``api/slack/manifest.yml``.
"""

from api.slack.bot import SlackBot, mount_slack

__all__ = ["SlackBot", "mount_slack"]
