"""``newsrag ask``/``chat`` against a running server: the same answer contract over HTTP."""

from __future__ import annotations

import os
from datetime import date

import httpx
import typer

from api.cli.common import err
from rag.schema import Answer

KEY_VARIABLE = "NEWSRAG_API_KEY"  # a key for a server that requires one


class RemoteAsker:
    def __init__(self, url: str, api_key: str | None = None, timeout: float = 300) -> None:
        self.url = url.rstrip("/")
        key = api_key or os.environ.get(KEY_VARIABLE)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def ask(
        self,
        question: str,
        *,
        as_of: date | None = None,
        sources: list[str] | None = None,
        top_k: int | None = None,
        conversation_id: str | None = None,
    ) -> Answer:
        body: dict = {"question": question}
        if as_of:
            body["as_of"] = as_of.isoformat()
        if sources:
            body["sources"] = sources
        if top_k:
            body["top_k"] = top_k
        if conversation_id:
            body["conversation_id"] = conversation_id
        try:
            r = self.http.post("/v1/ask", json=body)
        except httpx.HTTPError as e:
            err.print(f"[red]the server at {self.url} did not answer:[/] {e}", highlight=False)
            raise typer.Exit(1) from None
        if r.status_code != 200:
            try:
                message = r.json().get("message") or r.text
            except ValueError:
                message = r.text[:300]
            hint = f" (set {KEY_VARIABLE}, or --local)" if r.status_code in (401, 403) else ""
            err.print(
                f"[red]{self.url} answered {r.status_code}:[/] {message}{hint}", highlight=False
            )
            raise typer.Exit(1)
        return Answer.model_validate(r.json())

    def close(self) -> None:
        self.http.close()
