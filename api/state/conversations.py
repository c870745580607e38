"""Conversations and their turns in the app database (``api.state.appdb``: the SQLite file of
the data dir, or the PostgreSQL every worker shares), so they survive a restart and a follow-up
may land on any API worker. The rewriting of follow-ups lives in rag/answer/condense.py.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from api.state.appdb import AppDB
from api.state.schema import conversation_turns as turns_t
from api.state.schema import conversations as conversations_t
from rag.answer.condense import Turn
from rag.schema import Answer, Citation


def turn_key(question: str, answer: str) -> str:
    """What identifies a turn by its texts, whitespace aside (a streamed answer comes back with
    its sentences joined by spaces)."""
    text = " ".join(question.split()) + "\x00" + " ".join(answer.split())
    return hashlib.sha256(text.encode()).hexdigest()


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
    """Conversations and their turns (safe across threads, processes and machines).

    ``owner`` is whoever may read a conversation back (an API key id, "slack", …; None = anyone
    the caller lets in): the store records it, the caller enforces it.
    """

    def __init__(self, db: AppDB | Path | str) -> None:
        self.db = db if isinstance(db, AppDB) else AppDB(db)

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
        with self.db.write() as conn:
            conn.execute(
                sa.insert(conversations_t).values(
                    id=cid, owner=owner, meta=json.dumps(meta or {}), created_at=now, updated_at=now
                )
            )
        return cid

    def ensure(self, conversation_id: str, owner: str | None = None, **meta: Any) -> str:
        """Create the conversation with this id if it does not exist (e.g. a Slack thread)."""
        now = _now()
        with self.db.write() as conn:
            self.db.insert_ignore(
                conn,
                conversations_t,
                id=conversation_id,
                owner=owner,
                meta=json.dumps(meta),
                created_at=now,
                updated_at=now,
            )
        return conversation_id

    def add_turn(self, conversation_id: str, answer: Answer) -> int:
        """Record a question and its answer; returns the turn's index."""
        now = _now()
        c = conversations_t.c
        with self.db.write() as conn:
            # The conversation's row lock orders concurrent turns (PostgreSQL; SQLite's write
            # lock already does): two workers never pick the same index.
            conn.execute(sa.select(c.id).where(c.id == conversation_id).with_for_update())
            idx = conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(turns_t.c.idx), -1) + 1).where(
                    turns_t.c.conversation_id == conversation_id
                )
            ).scalar_one()
            conn.execute(
                sa.insert(turns_t).values(
                    conversation_id=conversation_id,
                    idx=idx,
                    question=answer.question,
                    standalone=answer.standalone_question or answer.question,
                    answer=answer.answer,
                    short_answer=answer.short_answer,
                    status=answer.status,
                    answer_json=answer.model_dump_json(),
                    created_at=now,
                    answer_key=turn_key(answer.question, answer.answer),
                )
            )
            conn.execute(
                sa.update(conversations_t).where(c.id == conversation_id).values(updated_at=now)
            )
        return idx

    def delete(self, conversation_id: str) -> bool:
        with self.db.write() as conn:
            conn.execute(sa.delete(turns_t).where(turns_t.c.conversation_id == conversation_id))
            cur = conn.execute(
                sa.delete(conversations_t).where(conversations_t.c.id == conversation_id)
            )
            return cur.rowcount > 0

    # --- reads -----------------------------------------------------------------------------
    def exists(self, conversation_id: str) -> bool:
        return self.head(conversation_id) is not None

    def head(self, conversation_id: str) -> Conversation | None:
        """The conversation without its turns (cheap: for existence and owner checks)."""
        with self.db.read() as conn:
            row = (
                conn.execute(
                    sa.select(conversations_t).where(conversations_t.c.id == conversation_id)
                )
                .mappings()
                .first()
            )
        return _conversation(row) if row else None

    def history(self, conversation_id: str, limit: int = 10) -> list[Turn]:
        """The last ``limit`` turns, oldest first, as ``condense_question`` wants them."""
        t = turns_t.c
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(t.question, t.standalone, t.answer, t.short_answer)
                .where(t.conversation_id == conversation_id)
                .order_by(t.idx.desc())
                .limit(limit)
            ).all()
        return [Turn(r[0], r[1], r[2], r[3]) for r in reversed(rows)]

    def find_turn(self, question: str, answer: str, owner: str | None) -> Turn | None:
        """The latest turn of ``owner``'s conversations that asked ``question`` and answered
        ``answer`` (an OpenAI-compatible client's replayed messages), or None."""
        t, c = turns_t.c, conversations_t.c
        same_owner = c.owner.is_(None) if owner is None else c.owner == owner
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(t.question, t.standalone, t.answer, t.short_answer)
                .join(conversations_t, c.id == t.conversation_id)
                .where(t.answer_key == turn_key(question, answer), same_owner)
                .order_by(t.created_at.desc())
                .limit(1)
            ).first()
        return Turn(row[0], row[1], row[2], row[3]) if row else None

    def get(self, conversation_id: str) -> Conversation | None:
        # One transaction: on SQLite one snapshot of the conversation and all of its turns;
        # on PostgreSQL turns are only ever appended, so a later one at most is missing.
        with self.db.read() as conn:
            head = (
                conn.execute(
                    sa.select(conversations_t).where(conversations_t.c.id == conversation_id)
                )
                .mappings()
                .first()
            )
            rows = (
                conn.execute(
                    sa.select(turns_t)
                    .where(turns_t.c.conversation_id == conversation_id)
                    .order_by(turns_t.c.idx)
                )
                .mappings()
                .all()
            )
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


def _conversation(row) -> Conversation:
    return Conversation(
        id=row["id"],
        owner=row["owner"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        meta=json.loads(row["meta"] or "{}"),
    )
