"""An OpenAI-compatible embeddings server for the tests: MiniLM (the local model) behind
``POST /v1/embeddings``, on 127.0.0.1, with faults to order (503s, a batch limit, a wrong size).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.servers import free_port, wait_for


@dataclass
class Faults:
    fail_next: list[int] = field(default_factory=list)  # statuses to answer before serving
    max_batch: int | None = None  # more inputs than this: 413, as TEI's --max-client-batch-size
    dimension: int | None = None  # cut vectors to this size: "another model"
    requests: list[dict] = field(default_factory=list)  # what came in: sizes, auth, model


def embedding_app(embeddings, faults: Faults) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/embeddings")
    async def embed(request: Request):
        body = await request.json()
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        faults.requests.append(
            {
                "n": len(inputs),
                "model": body.get("model"),
                "authorization": request.headers.get("authorization"),
            }
        )
        if faults.fail_next:
            status = faults.fail_next.pop(0)
            return JSONResponse({"error": "busy"}, status, headers={"Retry-After": "0"})
        if faults.max_batch is not None and len(inputs) > faults.max_batch:
            return JSONResponse({"error": "batch too large"}, 413)
        vectors = embeddings.encode(inputs)
        if faults.dimension is not None:
            vectors = [v[: faults.dimension] for v in vectors]
        # Out of order on purpose: clients must sort by index.
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        return {"object": "list", "model": body.get("model"), "data": data[::-1]}

    return app


class EmbeddingServer:
    """uvicorn in a thread; ``url`` is the base URL NEWSRAG_EMBEDDING_URL takes."""

    def __init__(self, embeddings) -> None:
        self.faults = Faults()
        self.port = free_port()
        config = uvicorn.Config(
            embedding_app(embeddings, self.faults),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> EmbeddingServer:
        self._thread.start()
        wait_for(lambda: self._server.started, 30, "the embeddings server")
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(10)
