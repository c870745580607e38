"""The Slack bot's tables in the app database (``settings.app_db_path``, under the data dir).

The corpus lives in the catalog; this is state of the Slack way in: delivered answers, feedback,
which conversation a Slack thread is, and the event ids already handled. Conversation turns
themselves live in the shared ``ConversationStore``. Access goes through the API's ``AppDB``
(WAL, one short-lived connection per unit of work: safe from any thread or worker).
"""

from __future__ import annotations

import threading
from pathlib import Path

from api.state.appdb import AppDB

SCHEMA = """
CREATE TABLE IF NOT EXISTS slack_events (
    event_id TEXT PRIMARY KEY,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS slack_events_seen ON slack_events(seen);

CREATE TABLE IF NOT EXISTS slack_answers (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    kind TEXT NOT NULL,              -- mention | followup | dm | command
    team TEXT, channel TEXT, thread_ts TEXT, user TEXT,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    answer_json TEXT NOT NULL        -- the full answer contract
);
CREATE INDEX IF NOT EXISTS slack_answers_created ON slack_answers(created);

CREATE TABLE IF NOT EXISTS slack_feedback (
    answer_id TEXT NOT NULL,
    user TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    team TEXT, channel TEXT,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    status TEXT NOT NULL,
    citations_json TEXT NOT NULL,    -- copied, so feedback outlives the answer log
    PRIMARY KEY (answer_id, user)
);
CREATE INDEX IF NOT EXISTS slack_feedback_updated ON slack_feedback(updated);

CREATE TABLE IF NOT EXISTS slack_threads (
    key TEXT PRIMARY KEY,            -- slack:team:channel:thread_ts (or :dm)
    conversation_id TEXT NOT NULL,   -- its turns live in the ConversationStore
    followups INTEGER NOT NULL,      -- replies without a mention count as questions
    created REAL NOT NULL,
    updated REAL NOT NULL
);
"""

_ready: set[Path] = set()
_ready_lock = threading.Lock()


def slack_db(path: Path) -> AppDB:
    """The app database with the Slack tables created (once per file and process)."""
    db = AppDB(Path(path))
    with _ready_lock:
        if db.path not in _ready:
            db.ensure_schema(SCHEMA)
            _ready.add(db.path)
    return db
