"""Ratings of answers given over the HTTP API (the widget's 👍/👎), beside the Slack feedback.

One vote per conversation turn: a conversation has one reader (a key, or one widget visitor),
so a second click changes the vote. Question, answer and citations are copied in, so
``newsrag feedback`` still shows what was rated after the conversation is deleted.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import sqlalchemy as sa

from api.state.appdb import AppDB
from api.state.schema import api_feedback
from rag.schema import Citation

F = api_feedback.c


def vote_counts(db: AppDB, table: sa.Table) -> dict[str, int]:
    """👍 and 👎 totals of a feedback table (widget/API or Slack: both keep a 0/1 ``helpful``)."""
    helpful = table.c.helpful
    with db.read() as conn:
        up, down = conn.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(helpful), 0),
                sa.func.coalesce(sa.func.sum(1 - helpful), 0),
            )
        ).one()
    return {"helpful": int(up), "not_helpful": int(down)}


@dataclass
class ApiFeedback:
    conversation_id: str
    turn: int
    via: str
    key_name: str | None
    helpful: bool
    comment: str | None
    created: float
    updated: float
    question: str
    answer: str
    status: str
    citations: list[dict]


class ApiFeedbackStore:
    def __init__(self, db: AppDB) -> None:
        self.db = db

    def record(
        self,
        *,
        conversation_id: str,
        turn: int,
        via: str,
        key_name: str | None,
        helpful: bool,
        comment: str | None,
        question: str,
        answer: str,
        status: str,
        citations: list[Citation],
    ) -> bool:
        """Store (or change) the vote on one turn; True if it is new."""
        now = time.time()
        cited = json.dumps(
            [c.model_dump(mode="json", exclude={"passage"}) for c in citations],
            ensure_ascii=False,
        )
        with self.db.write() as conn:
            existed = conn.execute(
                sa.select(F.turn).where(F.conversation_id == conversation_id, F.turn == turn)
            ).first()
            stmt = self.db.insert(api_feedback).values(
                conversation_id=conversation_id,
                turn=turn,
                via=via,
                key_name=key_name,
                helpful=int(helpful),
                comment=comment,
                created=now,
                updated=now,
                question=question,
                answer=answer,
                status=status,
                citations_json=cited,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[F.conversation_id, F.turn],
                    set_={
                        "helpful": stmt.excluded.helpful,
                        "comment": sa.func.coalesce(stmt.excluded.comment, F.comment),
                        "updated": stmt.excluded.updated,
                    },
                )
            )
        return existed is None

    def list(self, limit: int = 50, helpful: bool | None = None) -> list[ApiFeedback]:
        """Newest first."""
        query = sa.select(api_feedback).order_by(F.updated.desc()).limit(limit)
        if helpful is not None:
            query = query.where(F.helpful == int(helpful))
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            ApiFeedback(
                conversation_id=r["conversation_id"],
                turn=r["turn"],
                via=r["via"],
                key_name=r["key_name"],
                helpful=bool(r["helpful"]),
                comment=r["comment"],
                created=r["created"],
                updated=r["updated"],
                question=r["question"],
                answer=r["answer"],
                status=r["status"],
                citations=json.loads(r["citations_json"]),
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        return vote_counts(self.db, api_feedback)
