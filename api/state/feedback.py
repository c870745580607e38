"""Ratings of answers given over the HTTP API (the widget's 👍/👎), beside the Slack feedback.

One vote per conversation turn: a conversation has one reader (a key, or one widget visitor),
so a second click changes the vote. Question, answer and citations are copied in, so
``newsrag feedback`` still shows what was rated after the conversation is deleted.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from api.state.appdb import AppDB
from rag.schema import Citation

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_feedback (
    conversation_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    via TEXT NOT NULL,                -- widget | api
    key_name TEXT,
    helpful INTEGER NOT NULL,
    comment TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    status TEXT NOT NULL,
    citations_json TEXT NOT NULL,
    PRIMARY KEY (conversation_id, turn)
);
CREATE INDEX IF NOT EXISTS api_feedback_updated ON api_feedback(updated);
"""


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
        db.ensure_schema(SCHEMA)

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
        with self.db.transaction() as db:
            existed = db.execute(
                "SELECT 1 FROM api_feedback WHERE conversation_id = ? AND turn = ?",
                (conversation_id, turn),
            ).fetchone()
            db.execute(
                "INSERT INTO api_feedback(conversation_id, turn, via, key_name, helpful, comment,"
                " created, updated, question, answer, status, citations_json)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(conversation_id, turn) DO UPDATE SET helpful = excluded.helpful,"
                " comment = coalesce(excluded.comment, api_feedback.comment),"
                " updated = excluded.updated",
                (
                    conversation_id,
                    turn,
                    via,
                    key_name,
                    int(helpful),
                    comment,
                    now,
                    now,
                    question,
                    answer,
                    status,
                    cited,
                ),
            )
        return existed is None

    def list(self, limit: int = 50, helpful: bool | None = None) -> list[ApiFeedback]:
        """Newest first."""
        sql, args = "SELECT * FROM api_feedback", []
        if helpful is not None:
            sql += " WHERE helpful = ?"
            args.append(int(helpful))
        sql += " ORDER BY updated DESC LIMIT ?"
        args.append(limit)
        with self.db.connect() as db:
            rows = db.execute(sql, args).fetchall()
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
        with self.db.connect() as db:
            row = db.execute(
                "SELECT COALESCE(SUM(helpful), 0) AS up, COALESCE(SUM(1 - helpful), 0) AS down"
                " FROM api_feedback"
            ).fetchone()
        return {"helpful": row["up"], "not_helpful": row["down"]}
