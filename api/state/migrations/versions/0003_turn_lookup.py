"""A turn can be found by its question and answer: what an OpenAI-compatible client replays.

Such clients send the earlier messages back, not newsrag's conversation id; the short answer
that follow-up rewriting needs is found through ``answer_key`` (a hash: an index on the texts
themselves would outgrow PostgreSQL's index entry limit). Turns recorded before have none.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_turns") as batch:
        batch.add_column(sa.Column("answer_key", sa.Text))
    op.create_index("conversation_turns_answer_key", "conversation_turns", ["answer_key"])


def downgrade() -> None:
    op.drop_index("conversation_turns_answer_key", "conversation_turns")
    with op.batch_alter_table("conversation_turns") as batch:
        batch.drop_column("answer_key")
