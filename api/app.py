"""The FastAPI app factory (the full API grows here; see issue #4)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from api.components import Components
from rag.schema import Answer
from rag.settings import Settings


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=2000)
    as_of: date | None = None
    sources: list[str] | None = None
    top_k: int | None = Field(None, ge=1, le=50)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    components = Components(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        components.chain.warm_up()
        yield

    app = FastAPI(title="newsrag", lifespan=lifespan)
    app.state.components = components

    @app.post("/v1/ask", response_model=Answer)
    def ask(body: AskRequest, request: Request) -> Answer:
        return components.chain.ask(
            body.question, as_of=body.as_of, sources=body.sources, top_k=body.top_k
        )

    return app
