"""POST /v1/feedback: 👍/👎 on one answer of a conversation (the widget's buttons)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.auth import Principal
from api.errors import NotFound
from api.server.deps import get_asker, get_conversations, get_feedback, require_ask
from api.server.routes.common import ERROR_RESPONSES
from api.services.ask import AskService
from api.state.conversations import ConversationStore
from api.state.feedback import ApiFeedbackStore

router = APIRouter(tags=["ask"])


class FeedbackIn(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=200)
    turn: int = Field(
        ge=0, le=100_000, description="The answer's turn index (`turn` of the stream's `done`)."
    )
    helpful: bool
    comment: str | None = Field(None, max_length=2000, description="Optional, free text.")


class FeedbackOut(BaseModel):
    recorded: bool = True
    new: bool = Field(description="False when this changed an earlier vote on the same answer.")


_NOT_FOUND = {404: {"description": "No such conversation or turn (or another reader's)"}}


@router.post(
    "/v1/feedback",
    response_model=FeedbackOut,
    summary="Rate an answer as helpful or not",
    responses={**ERROR_RESPONSES, **_NOT_FOUND},
)
def post_feedback(
    body: FeedbackIn,
    principal: Principal = Depends(require_ask),
    asker: AskService = Depends(get_asker),
    conversations: ConversationStore = Depends(get_conversations),
    store: ApiFeedbackStore = Depends(get_feedback),
) -> FeedbackOut:
    # Same rule as reading the conversation: another reader's id is "not found".
    asker.check_access(principal, body.conversation_id)
    conversation = conversations.get(body.conversation_id)
    turns = {t.index: t for t in conversation.turns} if conversation else {}
    turn = turns.get(body.turn)
    if turn is None:
        raise NotFound(f"conversation {body.conversation_id!r} has no turn {body.turn}")
    comment = " ".join(body.comment.split()) if body.comment else None
    new = store.record(
        conversation_id=body.conversation_id,
        turn=body.turn,
        via="widget" if principal.scope == "widget" else "api",
        key_name=principal.key_name,
        helpful=body.helpful,
        comment=comment or None,
        question=turn.question,
        answer=turn.answer,
        status=turn.status,
        citations=turn.citations,
    )
    return FeedbackOut(new=new)
