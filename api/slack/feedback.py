"""Answers the bot delivered, and what people said about them.

Every answer posted to Slack is logged with an id; the buttons under it carry that id, so a
click on "Share in channel" or "Helpful" finds the question, the answer and its citations.
Feedback copies them, so ``newsrag feedback`` still shows what was rated after the answer log
is pruned.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from api.state.appdb import AppDB
from api.state.feedback import vote_counts
from api.state.schema import slack_answers, slack_feedback
from rag.schema import Answer

ANSWER_RETENTION_DAYS = 90
A, F = slack_answers.c, slack_feedback.c


@dataclass
class StoredAnswer:
    id: str
    created: float
    kind: str
    team: str | None
    channel: str | None
    thread_ts: str | None
    user: str | None
    answer: Answer


@dataclass
class Feedback:
    answer_id: str
    user: str
    helpful: bool
    created: float
    updated: float
    team: str | None
    channel: str | None
    question: str
    answer: str
    status: str
    citations: list[dict]


class FeedbackStore:
    def __init__(self, db: AppDB, retention_days: float = ANSWER_RETENTION_DAYS) -> None:
        self.db = db
        self.retention = retention_days * 86400

    # --- answers ------------------------------------------------------------------------------
    def save_answer(
        self,
        answer: Answer,
        *,
        kind: str,
        team: str | None = None,
        channel: str | None = None,
        thread_ts: str | None = None,
        user: str | None = None,
    ) -> str:
        answer_id = secrets.token_hex(8)
        now = time.time()
        with self.db.write() as conn:
            conn.execute(
                sa.insert(slack_answers).values(
                    id=answer_id,
                    created=now,
                    kind=kind,
                    team=team,
                    channel=channel,
                    thread_ts=thread_ts,
                    user=user,
                    question=answer.question,
                    status=answer.status,
                    answer_json=answer.model_dump_json(),
                )
            )
        return answer_id

    def get_answer(self, answer_id: str) -> StoredAnswer | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(slack_answers).where(A.id == answer_id)).mappings().first()
        if row is None:
            return None
        return StoredAnswer(
            id=row["id"],
            created=row["created"],
            kind=row["kind"],
            team=row["team"],
            channel=row["channel"],
            thread_ts=row["thread_ts"],
            user=row["user"],
            answer=Answer.model_validate_json(row["answer_json"]),
        )

    def prune(self) -> int:
        """Forget answers older than the retention (their buttons then say so)."""
        with self.db.write() as conn:
            cur = conn.execute(
                sa.delete(slack_answers).where(A.created < time.time() - self.retention)
            )
        return cur.rowcount

    # --- feedback -----------------------------------------------------------------------------
    def record(self, stored: StoredAnswer, user: str, helpful: bool) -> bool:
        """One vote per person and answer; a second click changes it. True if it is new."""
        a = stored.answer
        now = time.time()
        citations = json.dumps(
            [c.model_dump(mode="json", exclude={"passage"}) for c in a.citations],
            ensure_ascii=False,
        )
        with self.db.write() as conn:
            existed = conn.execute(
                sa.select(F.answer_id).where(F.answer_id == stored.id, F.user == user)
            ).first()
            stmt = self.db.insert(slack_feedback).values(
                answer_id=stored.id,
                user=user,
                helpful=int(helpful),
                created=now,
                updated=now,
                team=stored.team,
                channel=stored.channel,
                question=a.question,
                answer=a.answer,
                status=a.status,
                citations_json=citations,
            )
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[F.answer_id, F.user],
                    set_={"helpful": stmt.excluded.helpful, "updated": stmt.excluded.updated},
                )
            )
        return existed is None

    def list(
        self, limit: int = 50, helpful: bool | None = None, since: float | None = None
    ) -> list[Feedback]:
        """Newest first."""
        query = sa.select(slack_feedback).order_by(F.updated.desc()).limit(limit)
        if helpful is not None:
            query = query.where(F.helpful == int(helpful))
        if since is not None:
            query = query.where(F.updated >= since)
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            Feedback(
                answer_id=r["answer_id"],
                user=r["user"],
                helpful=bool(r["helpful"]),
                created=r["created"],
                updated=r["updated"],
                team=r["team"],
                channel=r["channel"],
                question=r["question"],
                answer=r["answer"],
                status=r["status"],
                citations=json.loads(r["citations_json"]),
            )
            for r in rows
        ]

    def counts(self) -> dict[str, int]:
        return vote_counts(self.db, slack_feedback)
