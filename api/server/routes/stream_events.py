"""The events of ``POST /v1/ask/stream``, as OpenAPI describes them: one schema per event name
(FastAPI alone would describe every event as a generic ``{event, data, id}``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

_REF = "#/components/schemas/{model}"


class Retrieving(BaseModel):
    stage: Literal["retrieving"]
    conversation_id: str = Field(description="Send it back with a follow-up.")
    standalone_question: str = Field(description="The question as searched (follow-ups rewritten).")


class Answering(BaseModel):
    stage: Literal["answering"]
    passages: int = Field(description="Passages retrieved and handed to the answerer.")


class Sentence(BaseModel):
    text: str = Field(description="One sentence of the answer, its [n] markers inside.")


class StreamError(BaseModel):
    message: str
    status: int


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=_REF)
    schema.pop("$defs", None)
    return schema


def _citations() -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": _REF.format(model="Citation")}}


def _done() -> dict[str, Any]:
    turn = {"turn": {"type": ["integer", "null"], "description": "The turn's index."}}
    return {"allOf": [{"$ref": _REF.format(model="Answer")}, {"properties": turn}]}


def event_schemas() -> dict[str, list[dict[str, Any]]]:
    """event name → the schemas its data may have (``status`` has two stages)."""
    return {
        "status": [_schema(Retrieving), _schema(Answering)],
        "sentence": [_schema(Sentence)],
        "citations": [_citations()],
        "done": [_done()],
        "error": [_schema(StreamError)],
    }


def item_schema() -> dict[str, Any]:
    """OpenAPI 3.1's ``itemSchema`` for ``text/event-stream``: one branch per event."""
    branches = []
    for name, datas in event_schemas().items():
        content = datas[0] if len(datas) == 1 else {"oneOf": datas}
        branches.append(
            {
                "type": "object",
                "required": ["event", "data", "id"],
                "properties": {
                    "event": {"const": name},
                    "data": {
                        "type": "string",
                        "contentMediaType": "application/json",
                        "contentSchema": content,
                    },
                    "id": {"type": "string", "description": "1, 2, 3… within the stream."},
                },
            }
        )
    return {"oneOf": branches}


def openapi_extra() -> dict[str, Any]:
    return {
        "responses": {
            "200": {
                "description": "The events, in order (see the description).",
                "content": {"text/event-stream": {"itemSchema": item_schema()}},
            }
        }
    }
