"""Conversations and their turns in the app database (SQLite), so they survive a restart and
can be shared by several API workers. The rewriting of follow-ups lives in rag/answer/condense.py.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.answer.condense import Turn
from rag.schema import Answer, Citation
from rag.store import sqlite

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id          TEXT PRIMARY KEY,
    owner       TEXT,
    meta        TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversation_turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    idx             INTEGER NOT NULL,
    question        TEXT NOT NULL,
    standalone      TEXT NOT NULL,
    answer          TEXT NOT NULL,
    short_answer    TEXT,
    status          TEXT NOT NULL,
    answer_json     TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (conversation_id, idx)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class StoredTurn:
    index: int
    question: str
    standalone_question: str
    answer: str
    short_answer: str | None
    status: str
    citations: list[Citation]
    created_at: str


@dataclass
class Conversation:
    id: str
    owner: str | None
    created_at: str
    updated_at: str
    meta: dict[str, Any] = field(default_factory=dict)
    turns: list[StoredTurn] = field(default_factory=list)


class ConversationStore:
    """Conversations and their turns in SQLite (WAL; safe across threads and processes).

    ``owner`` is whoever may read a conversation back (an API key id, "slack", …; None = anyone
    the caller lets in): the store records it, the caller enforces it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def _connect(self):
        return sqlite.connect(self.path)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db, sqlite.transaction(db):
            yield db

    # --- writes ----------------------------------------------------------------------------
    def create(
        self,
        owner: str | None = None,
        *,
        conversation_id: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> str:
        """A new conversation; its id is random (unguessable) unless one is given."""
        cid = conversation_id or secrets.token_urlsafe(16)
        now = _now()
        with self._tx() as db:
            db.execute(
                "INSERT INTO conversations (id, owner, meta, created_at, updated_at) "
                "VALUES (?,?,?,?,?)",
                (cid, owner, json.dumps(meta or {}), now, now),
            )
        return cid

    def ensure(self, conversation_id: str, owner: str | None = None, **meta: Any) -> str:
        """Create the conversation with this id if it does not exist (e.g. a Slack thread)."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO conversations (id, owner, meta, created_at, updated_at) "
                "VALUES (?,?,?,?,?)",
                (conversation_id, owner, json.dumps(meta), now, now),
            )
        return conversation_id

    def add_turn(self, conversation_id: str, answer: Answer) -> int:
        """Record a question and its answer; returns the turn's index."""
        now = _now()
        with self._tx() as db:
            row = db.execute(
                "SELECT coalesce(max(idx), -1) + 1 FROM conversation_turns "
                "WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            idx = row[0]
            db.execute(
                "INSERT INTO conversation_turns (conversation_id, idx, question, standalone, "
                "answer, short_answer, status, answer_json, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    conversation_id,
                    idx,
                    answer.question,
                    answer.standalone_question or answer.question,
                    answer.answer,
                    answer.short_answer,
                    answer.status,
                    answer.model_dump_json(),
                    now,
                ),
            )
            db.execute("UPDATE conversations SET updated_at=? WHERE id=?", (now, conversation_id))
        return idx

    def delete(self, conversation_id: str) -> bool:
        with self._tx() as db:
            db.execute("DELETE FROM conversation_turns WHERE conversation_id=?", (conversation_id,))
            cur = db.execute("DELETE FROM conversations WHERE id=?", (conversation_id,))
            return cur.rowcount > 0

    # --- reads -----------------------------------------------------------------------------
    def exists(self, conversation_id: str) -> bool:
        return self.head(conversation_id) is not None

    def head(self, conversation_id: str) -> Conversation | None:
        """The conversation without its turns (cheap: for existence and owner checks)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM conversations WHERE id=?", (conversation_id,)
            ).fetchone()
        return _conversation(row) if row else None

    def history(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        """The last ``limit`` turns, oldest first, as ``condense_question`` wants them."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, standalone, answer, short_answer FROM conversation_turns "
                "WHERE conversation_id=? ORDER BY idx DESC LIMIT ?",
                (conversation_id, limit),
            ).fetchall()
        return [Turn(r[0], r[1], r[2], r[3]) for r in reversed(rows)]

    def get(self, conversation_id: str) -> Conversation | None:
        with self._connect() as db:
            db.execute("BEGIN")  # one snapshot: the conversation and all of its turns
            try:
                head = db.execute(
                    "SELECT * FROM conversations WHERE id=?", (conversation_id,)
                ).fetchone()
                rows = db.execute(
                    "SELECT * FROM conversation_turns WHERE conversation_id=? ORDER BY idx",
                    (conversation_id,),
                ).fetchall()
            finally:
                db.execute("COMMIT")
        if head is None:
            return None
        turns = []
        for r in rows:
            stored = Answer.model_validate_json(r["answer_json"])
            turns.append(
                StoredTurn(
                    index=r["idx"],
                    question=r["question"],
                    standalone_question=r["standalone"],
                    answer=r["answer"],
                    short_answer=r["short_answer"],
                    status=r["status"],
                    citations=stored.citations,
                    created_at=r["created_at"],
                )
            )
        conversation = _conversation(head)
        conversation.turns = turns
        return conversation


def _conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        owner=row["owner"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        meta=json.loads(row["meta"] or "{}"),
    )
