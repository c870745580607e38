"""The app database's tables as the code reads and writes them (SQLAlchemy Core).

This is the shape after the newest migration; the migrations in ``api/state/migrations`` are
what create and change it (change a table here and add a migration that does the same). Types
stay those of the SQLite schema the app started with (timestamps as ISO text or epoch floats,
booleans as integers), so an existing ``app.sqlite3`` upgrades in place without rewriting rows.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("origins", sa.Text, nullable=False, server_default="[]"),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("prefix", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text),
    sa.Column("last_used_at", sa.Text),
)

conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("owner", sa.Text),
    sa.Column("meta", sa.Text, nullable=False, server_default="{}"),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
)

conversation_turns = sa.Table(
    "conversation_turns",
    metadata,
    sa.Column(
        "conversation_id",
        sa.Text,
        sa.ForeignKey("conversations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("standalone", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("short_answer", sa.Text),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("answer_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    # 0003: found again by its question and answer (conversations.turn_key)
    sa.Column("answer_key", sa.Text),
    sa.Index("conversation_turns_answer_key", "answer_key"),
)

ingest_jobs = sa.Table(
    "ingest_jobs",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("owner", sa.Text),
    sa.Column("process", sa.Text, nullable=False),  # who submitted it, then who runs it
    sa.Column("articles_total", sa.Integer),
    sa.Column("articles_seen", sa.Integer, nullable=False, server_default="0"),
    sa.Column("chunks_embedded", sa.Integer, nullable=False, server_default="0"),
    sa.Column("report", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("started_at", sa.Text),
    sa.Column("finished_at", sa.Text),
    # 0002: any worker can run a job
    sa.Column("payload", sa.Text),  # JSON the job's kind knows how to run
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("lease_until", sa.Float),  # epoch seconds; a lapsed lease = the worker died
    sa.Column("cancel_requested", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ingest_jobs_created", "created_at"),
    sa.Index("ingest_jobs_state", "state", "created_at"),
)

slack_events = sa.Table(
    "slack_events",
    metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column("seen", sa.Float, nullable=False),
    sa.Index("slack_events_seen", "seen"),
)

slack_answers = sa.Table(
    "slack_answers",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # mention | followup | dm | command
    sa.Column("team", sa.Text),
    sa.Column("channel", sa.Text),
    sa.Column("thread_ts", sa.Text),
    sa.Column("user", sa.Text),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("answer_json", sa.Text, nullable=False),  # the full answer contract
    sa.Index("slack_answers_created", "created"),
)

slack_feedback = sa.Table(
    "slack_feedback",
    metadata,
    sa.Column("answer_id", sa.Text, primary_key=True),
    sa.Column("user", sa.Text, primary_key=True),
    sa.Column("helpful", sa.Integer, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("team", sa.Text),
    sa.Column("channel", sa.Text),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("citations_json", sa.Text, nullable=False),  # copied: outlives the answer log
    sa.Index("slack_feedback_updated", "updated"),
)

slack_threads = sa.Table(
    "slack_threads",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),  # slack:team:channel:thread_ts (or :dm)
    sa.Column("conversation_id", sa.Text, nullable=False),
    sa.Column("followups", sa.Integer, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)

api_feedback = sa.Table(
    "api_feedback",
    metadata,
    sa.Column("conversation_id", sa.Text, primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("via", sa.Text, nullable=False),  # widget | api
    sa.Column("key_name", sa.Text),
    sa.Column("helpful", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("citations_json", sa.Text, nullable=False),
    sa.Index("api_feedback_updated", "updated"),
)
