"""Slack threads as conversations: the earlier turns of a thread are the history that turns
"and at Timbuktu?" into a standalone question.

A thread (``slack:TEAM:CHANNEL:THREAD_TS``) maps to one conversation of the shared
``ConversationStore`` (owner ``slack``), where its turns are kept with the rest of newsrag's
conversations. Top-level direct messages have no thread: the DM channel (``…:dm``) is one
conversation until it has been idle for a while, then the next question starts a new one.

A thread started by a question to the bot is *open*: replies without a mention are follow-ups
(unless settings require a mention). A human thread the bot was pulled into only answers
further mentions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa

from api.state.appdb import AppDB
from api.state.conversations import ConversationStore
from api.state.schema import slack_threads
from rag.answer.condense import Turn

MAX_TURNS = 10
T = slack_threads.c


@dataclass
class ThreadInfo:
    key: str
    conversation_id: str
    followups: bool
    updated: float


def thread_key(team: str | None, channel: str, thread_ts: str | None) -> str:
    return f"slack:{team or '-'}:{channel}:{thread_ts or 'dm'}"


class ThreadMemory:
    def __init__(
        self, db: AppDB, conversations: ConversationStore, max_turns: int = MAX_TURNS
    ) -> None:
        self.db = db
        self.conversations = conversations
        self.max_turns = max_turns

    def conversation(self, key: str, *, followups: bool, idle: float | None = None) -> str:
        """The conversation id of a Slack thread, created on first use. ``followups=True`` is
        sticky; with ``idle`` (seconds) a thread quiet for longer starts a new conversation."""
        now = time.time()
        with self.db.write() as conn:
            row = (
                conn.execute(sa.select(slack_threads).where(T.key == key).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                cid = key
                conn.execute(
                    sa.insert(slack_threads).values(
                        key=key,
                        conversation_id=cid,
                        followups=int(followups),
                        created=now,
                        updated=now,
                    )
                )
            else:
                cid = row["conversation_id"]
                if idle is not None and now - row["updated"] > idle:
                    cid = f"{key}:{now:.0f}"
                conn.execute(
                    sa.update(slack_threads)
                    .where(T.key == key)
                    .values(
                        conversation_id=cid,
                        updated=now,
                        followups=max(row["followups"], int(followups)),
                    )
                )
        _, team, channel, thread_ts = (key.split(":", 3) + ["", "", ""])[:4]
        self.conversations.ensure(
            cid, owner="slack", team=team, channel=channel, thread_ts=thread_ts
        )
        return cid

    def alias(self, key: str, conversation_id: str) -> None:
        """Make thread ``key`` (e.g. the thread under a top-level answer) continue an existing
        conversation; follow-ups there need no mention."""
        now = time.time()
        with self.db.write() as conn:
            self.db.insert_ignore(
                conn,
                slack_threads,
                key=key,
                conversation_id=conversation_id,
                followups=1,
                created=now,
                updated=now,
            )

    def get(self, key: str) -> ThreadInfo | None:
        with self.db.read() as conn:
            row = conn.execute(sa.select(slack_threads).where(T.key == key)).mappings().first()
        if row is None:
            return None
        return ThreadInfo(
            row["key"], row["conversation_id"], bool(row["followups"]), row["updated"]
        )

    def history(self, conversation_id: str) -> list[Turn]:
        return self.conversations.history(conversation_id, limit=self.max_turns)

    def touch(self, key: str) -> None:
        """Note activity in the thread (the DM idle window counts from the last answer)."""
        with self.db.write() as conn:
            conn.execute(sa.update(slack_threads).where(T.key == key).values(updated=time.time()))
