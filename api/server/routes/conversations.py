"""GET/DELETE /v1/conversations/{id}."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.auth import Principal
from api.errors import NotFound
from api.server.deps import get_asker, get_conversations, require_ask
from api.server.routes.common import ERROR_RESPONSES, Deleted
from api.services.ask import AskService
from api.state.conversations import ConversationStore
from rag.schema import Citation

router = APIRouter(tags=["conversations"])


class TurnOut(BaseModel):
    index: int
    question: str
    standalone_question: str
    answer: str
    short_answer: str | None = None
    status: str
    citations: list[Citation]
    created_at: str


class ConversationOut(BaseModel):
    id: str
    created_at: str
    updated_at: str
    turns: list[TurnOut]


_NOT_FOUND = {404: {"description": "No such conversation (or another key's)"}}


@router.get(
    "/v1/conversations/{conversation_id}",
    response_model=ConversationOut,
    summary="A conversation's turns: questions, rewritten questions, answers, citations",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def get_conversation(
    conversation_id: str,
    principal: Principal = Depends(require_ask),
    asker: AskService = Depends(get_asker),
    conversations: ConversationStore = Depends(get_conversations),
) -> ConversationOut:
    asker.check_access(principal, conversation_id)
    conversation = conversations.get(conversation_id)
    if conversation is None:  # deleted in between
        raise NotFound(f"no conversation with id {conversation_id!r}")
    return ConversationOut(
        id=conversation.id,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        turns=[TurnOut(**asdict(t)) for t in conversation.turns],
    )


@router.delete(
    "/v1/conversations/{conversation_id}",
    response_model=Deleted,
    summary="Delete a conversation and its history",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def delete_conversation(
    conversation_id: str,
    principal: Principal = Depends(require_ask),
    asker: AskService = Depends(get_asker),
    conversations: ConversationStore = Depends(get_conversations),
) -> Deleted:
    asker.check_access(principal, conversation_id)
    if not conversations.delete(conversation_id):
        raise NotFound(f"no conversation with id {conversation_id!r}")
    return Deleted(id=conversation_id)
