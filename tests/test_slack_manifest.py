"""The committed app manifest (api/slack/manifest.yml) matches what the bot does."""

from __future__ import annotations

from pathlib import Path

import yaml

from api.slack.bot import EVENTS_PATH
from rag.settings import Settings

MANIFEST = Path(__file__).resolve().parent.parent / "api" / "slack" / "manifest.yml"


def test_manifest_matches_the_bot():
    m = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    settings = m["settings"]
    urls = [
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        *(c["url"] for c in m["features"]["slash_commands"]),
    ]
    assert all(u.startswith("https://") and u.endswith(EVENTS_PATH) for u in urls), urls
    assert settings["interactivity"]["is_enabled"] is True  # share and feedback buttons
    assert [c["command"] for c in m["features"]["slash_commands"]] == [Settings().slack_command]
    assert set(settings["event_subscriptions"]["bot_events"]) == {
        "app_mention",
        "message.channels",
        "message.groups",
        "message.im",
        "message.mpim",
    }
    assert set(m["oauth_config"]["scopes"]["bot"]) == {
        "app_mentions:read",
        "channels:history",
        "groups:history",
        "mpim:history",
        "im:history",
        "chat:write",
        "commands",
    }
    home = m["features"]["app_home"]
    assert home["messages_tab_enabled"] and not home["messages_tab_read_only_enabled"]  # DMs
    assert m["features"]["bot_user"]["display_name"] == "newsrag"
