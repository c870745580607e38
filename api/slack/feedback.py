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

from api.state.appdb import AppDB
from rag.schema import Answer

ANSWER_RETENTION_DAYS = 90


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
        with self.db.connect() as db:
            db.execute(
                "INSERT INTO slack_answers(id, created, kind, team, channel, thread_ts, user,"
                " question, status, answer_json) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    answer_id,
                    now,
                    kind,
                    team,
                    channel,
                    thread_ts,
                    user,
                    answer.question,
                    answer.status,
                    answer.model_dump_json(),
                ),
            )
        return answer_id

    def get_answer(self, answer_id: str) -> StoredAnswer | None:
        with self.db.connect() as db:
            row = db.execute("SELECT * FROM slack_answers WHERE id = ?", (answer_id,)).fetchone()
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
        with self.db.connect() as db:
            cur = db.execute(
                "DELETE FROM slack_answers WHERE created < ?", (time.time() - self.retention,)
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
        with self.db.transaction() as db:
            existed = db.execute(
                "SELECT 1 FROM slack_feedback WHERE answer_id = ? AND user = ?",
                (stored.id, user),
            ).fetchone()
            db.execute(
                "INSERT INTO slack_feedback(answer_id, user, helpful, created, updated, team,"
                " channel, question, answer, status, citations_json)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(answer_id, user) DO UPDATE SET helpful = excluded.helpful,"
                " updated = excluded.updated",
                (
                    stored.id,
                    user,
                    int(helpful),
                    now,
                    now,
                    stored.team,
                    stored.channel,
                    a.question,
                    a.answer,
                    a.status,
                    citations,
                ),
            )
        return existed is None

    def list(
        self, limit: int = 50, helpful: bool | None = None, since: float | None = None
    ) -> list[Feedback]:
        """Newest first."""
        where, args = [], []
        if helpful is not None:
            where.append("helpful = ?")
            args.append(int(helpful))
        if since is not None:
            where.append("updated >= ?")
            args.append(since)
        sql = "SELECT * FROM slack_feedback"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY updated DESC LIMIT ?"
        args.append(limit)
        with self.db.connect() as db:
            rows = db.execute(sql, args).fetchall()
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
        with self.db.connect() as db:
            row = db.execute(
                "SELECT COALESCE(SUM(helpful), 0) AS up, COALESCE(SUM(1 - helpful), 0) AS down"
                " FROM slack_feedback"
            ).fetchone()
        return {"helpful": row["up"], "not_helpful": row["down"]}
