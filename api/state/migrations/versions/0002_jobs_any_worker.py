"""Jobs any worker can run: what to run (payload), who holds it (lease), cancel from anywhere.

Jobs that old code left queued or running carry no payload; the job runner marks them failed.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_jobs") as batch:
        batch.add_column(sa.Column("payload", sa.Text))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("lease_until", sa.Float))
        batch.add_column(
            sa.Column("cancel_requested", sa.Integer, nullable=False, server_default="0")
        )
    op.create_index("ingest_jobs_state", "ingest_jobs", ["state", "created_at"])


def downgrade() -> None:
    op.drop_index("ingest_jobs_state", "ingest_jobs")
    with op.batch_alter_table("ingest_jobs") as batch:
        for column in ("cancel_requested", "lease_until", "attempts", "payload"):
            batch.drop_column(column)
