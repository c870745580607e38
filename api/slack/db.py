"""The Slack bot's tables in the app database (``api.state.appdb``: the data dir's SQLite file,
or the database ``NEWSRAG_DATABASE_URL`` names for every worker on every machine).

The corpus lives in the catalog; this is state of the Slack way in: delivered answers, feedback,
which conversation a Slack thread is, and the event ids already handled. Conversation turns
themselves live in the shared ``ConversationStore``. The tables are declared in
``api.state.schema`` and created by the app database's migrations.
"""

from __future__ import annotations

from pathlib import Path

from api.state.appdb import AppDB


def slack_db(target: AppDB | Path | str) -> AppDB:
    """The app database (migrated, so the Slack tables exist)."""
    return target if isinstance(target, AppDB) else AppDB(target)
