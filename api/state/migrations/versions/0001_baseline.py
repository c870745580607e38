"""Baseline: the app database as the code before Alembic created it.

Each feature used to create its tables with ``CREATE TABLE IF NOT EXISTS`` when it first ran,
so an existing ``app.sqlite3`` may hold any subset of them: this revision creates only what is
missing (tables and their indexes) and leaves existing tables and rows as they are.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tables() -> list[tuple[str, list, list[tuple[str, list[str]]]]]:
    """(name, columns and constraints, indexes) as the pre-Alembic schemas declared them."""
    T, Int, F = sa.Text, sa.Integer, sa.Float  # noqa: N806
    return [
        (
            "api_keys",
            [
                sa.Column("id", T, primary_key=True),
                sa.Column("name", T, nullable=False),
                sa.Column("scope", T, nullable=False),
                sa.Column("origins", T, nullable=False, server_default="[]"),
                sa.Column("key_hash", T, nullable=False, unique=True),
                sa.Column("prefix", T, nullable=False),
                sa.Column("created_at", T, nullable=False),
                sa.Column("revoked_at", T),
                sa.Column("last_used_at", T),
            ],
            [],
        ),
        (
            "conversations",
            [
                sa.Column("id", T, primary_key=True),
                sa.Column("owner", T),
                sa.Column("meta", T, nullable=False, server_default="{}"),
                sa.Column("created_at", T, nullable=False),
                sa.Column("updated_at", T, nullable=False),
            ],
            [],
        ),
        (
            "conversation_turns",
            [
                sa.Column("conversation_id", T, nullable=False),
                sa.Column("idx", Int, nullable=False, autoincrement=False),
                sa.Column("question", T, nullable=False),
                sa.Column("standalone", T, nullable=False),
                sa.Column("answer", T, nullable=False),
                sa.Column("short_answer", T),
                sa.Column("status", T, nullable=False),
                sa.Column("answer_json", T, nullable=False),
                sa.Column("created_at", T, nullable=False),
                sa.PrimaryKeyConstraint("conversation_id", "idx"),
                sa.ForeignKeyConstraint(
                    ["conversation_id"], ["conversations.id"], ondelete="CASCADE"
                ),
            ],
            [],
        ),
        (
            "ingest_jobs",
            [
                sa.Column("id", T, primary_key=True),
                sa.Column("kind", T, nullable=False),
                sa.Column("state", T, nullable=False),
                sa.Column("owner", T),
                sa.Column("process", T, nullable=False),
                sa.Column("articles_total", Int),
                sa.Column("articles_seen", Int, nullable=False, server_default="0"),
                sa.Column("chunks_embedded", Int, nullable=False, server_default="0"),
                sa.Column("report", T),
                sa.Column("error", T),
                sa.Column("created_at", T, nullable=False),
                sa.Column("started_at", T),
                sa.Column("finished_at", T),
            ],
            [("ingest_jobs_created", ["created_at"])],
        ),
        (
            "slack_events",
            [sa.Column("event_id", T, primary_key=True), sa.Column("seen", F, nullable=False)],
            [("slack_events_seen", ["seen"])],
        ),
        (
            "slack_answers",
            [
                sa.Column("id", T, primary_key=True),
                sa.Column("created", F, nullable=False),
                sa.Column("kind", T, nullable=False),
                sa.Column("team", T),
                sa.Column("channel", T),
                sa.Column("thread_ts", T),
                sa.Column("user", T),
                sa.Column("question", T, nullable=False),
                sa.Column("status", T, nullable=False),
                sa.Column("answer_json", T, nullable=False),
            ],
            [("slack_answers_created", ["created"])],
        ),
        (
            "slack_feedback",
            [
                sa.Column("answer_id", T, nullable=False),
                sa.Column("user", T, nullable=False),
                sa.Column("helpful", Int, nullable=False),
                sa.Column("created", F, nullable=False),
                sa.Column("updated", F, nullable=False),
                sa.Column("team", T),
                sa.Column("channel", T),
                sa.Column("question", T, nullable=False),
                sa.Column("answer", T, nullable=False),
                sa.Column("status", T, nullable=False),
                sa.Column("citations_json", T, nullable=False),
                sa.PrimaryKeyConstraint("answer_id", "user"),
            ],
            [("slack_feedback_updated", ["updated"])],
        ),
        (
            "slack_threads",
            [
                sa.Column("key", T, primary_key=True),
                sa.Column("conversation_id", T, nullable=False),
                sa.Column("followups", Int, nullable=False),
                sa.Column("created", F, nullable=False),
                sa.Column("updated", F, nullable=False),
            ],
            [],
        ),
        (
            "api_feedback",
            [
                sa.Column("conversation_id", T, nullable=False),
                sa.Column("turn", Int, nullable=False, autoincrement=False),
                sa.Column("via", T, nullable=False),
                sa.Column("key_name", T),
                sa.Column("helpful", Int, nullable=False),
                sa.Column("comment", T),
                sa.Column("created", F, nullable=False),
                sa.Column("updated", F, nullable=False),
                sa.Column("question", T, nullable=False),
                sa.Column("answer", T, nullable=False),
                sa.Column("status", T, nullable=False),
                sa.Column("citations_json", T, nullable=False),
                sa.PrimaryKeyConstraint("conversation_id", "turn"),
            ],
            [("api_feedback_updated", ["updated"])],
        ),
    ]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    for name, columns, indexes in _tables():
        have_indexes: set[str] = set()
        if name in existing:
            have_indexes = {i["name"] for i in inspector.get_indexes(name)}
        else:
            op.create_table(name, *columns)
        for index, cols in indexes:
            if index not in have_indexes:
                op.create_index(index, name, cols)


def downgrade() -> None:
    for name, _, _ in reversed(_tables()):
        op.drop_table(name)
