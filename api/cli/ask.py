"""``newsrag ask`` and ``newsrag chat``: answers with numbered citations in the terminal.

When ``newsrag serve`` runs on the same data dir (it leaves ``server.json`` there), or with
``--server URL``, the question goes to that server, whose models are loaded already; otherwise
the models load here, once, and the timings say which part took what.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli.common import DataDir, console, err, parse_date, settings_from

if TYPE_CHECKING:
    from api.components import Components
    from rag.answer.condense import Turn
    from rag.schema import Answer

app = typer.Typer()

AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="YYYY-MM-DD: ignore articles published after this date."),
]
Server = Annotated[
    str | None,
    typer.Option(
        "--server",
        help="Ask this newsrag server (http://host:port) instead of loading the models here. "
        "Default: the server running on this data dir, if any. A key: NEWSRAG_API_KEY.",
    ),
]
Local = Annotated[
    bool, typer.Option("--local", help="Load the models here even when a server runs.")
]


class Answerer:
    """Answers in this process (models loaded on the first question) or through a server."""

    def __init__(self, data_dir: Path | None, server: str | None, local: bool) -> None:
        from api.cli import discovery

        self.settings = settings_from(data_dir)
        self.url = None if local else (server or discovery.running_server(self.settings.data_dir))
        self.remote = None
        self.components: Components | None = None
        self.load_seconds: float | None = None
        if self.url:
            from api.cli.remote import RemoteAsker

            self.remote = RemoteAsker(self.url, None if server else self._local_token())
        else:
            self._check_store()

    def _local_token(self) -> str | None:
        """The token the server on this data dir accepts from this machine (with API keys)."""
        import os

        from api.cli import instance

        if os.environ.get("NEWSRAG_API_KEY"):
            return None  # the user's own key wins
        running = instance.running_server(self.settings.data_dir)
        return running.token if running else None

    def _check_store(self) -> None:
        # Opening the store would create an empty one, and every answer would be not_found.
        # With a Chroma server, an empty data dir is a new machine: it catches up on open.
        if not self.settings.chroma_url and not self.settings.catalog_path.exists():
            err.print(
                f"[red]no newsrag store in {self.settings.data_dir}[/] (no "
                f"{self.settings.catalog_path.name}). Ingest articles first: newsrag ingest "
                f"PATH --data-dir {self.settings.data_dir}",
                highlight=False,
            )
            raise typer.Exit(2)

    def _load(self) -> Components:
        if self.components is None:
            from api.components import Components

            started = time.perf_counter()
            with err.status("loading the models (once per process)…", spinner="dots"):
                self.components = Components(self.settings)
                self.components.chain.warm_up()
            self.load_seconds = time.perf_counter() - started
        return self.components

    def ask(
        self,
        question: str,
        *,
        as_of: date | None = None,
        sources: list[str] | None = None,
        top_k: int | None = None,
        history: list[Turn] | None = None,
        conversation_id: str | None = None,
    ) -> Answer:
        if self.remote is not None:
            return self.remote.ask(
                question,
                as_of=as_of,
                sources=sources,
                top_k=top_k,
                conversation_id=conversation_id,
            )
        from api.errors import Invalid
        from api.services.sources import check_sources

        c = self._load()
        try:
            sources = check_sources(c, sources)
        except Invalid as e:
            raise typer.BadParameter(e.message, param_hint="--source") from None
        return c.chain.ask(question, as_of=as_of, sources=sources, top_k=top_k, history=history)

    def timings(self, answer: Answer) -> str:
        """ "retrieval 25 ms, answer 340 ms", and where the time not spent answering went."""
        t = answer.timings
        parts = [
            f"{label} {t[key]:.0f} ms"
            for label, key in (("retrieval", "retrieval_ms"), ("answer", "answer_ms"))
            if key in t
        ]
        if not parts and "total_ms" in t:
            parts.append(f"total {t['total_ms']:.0f} ms")
        if self.url:
            parts.append(f"via {self.url}")
        elif self.load_seconds is not None:
            parts.append(f"models loaded in {self.load_seconds:.1f} s")
            self.load_seconds = None  # said once
        return ", ".join(parts)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in plain language.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Answer each line of this file.")
    ] = None,
    as_of: AsOf = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only search this source (repeatable).")
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option("--top-k", min=1, max=50, help="Passages handed to the answerer (default 6)."),
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the answer contract as JSON.")
    ] = False,
    server: Server = None,
    local: Local = False,
    data_dir: DataDir = None,
) -> None:
    """Answer a question with numbered citations (or every line of --file)."""
    if (question is None) == (file is None):
        raise typer.BadParameter("give a QUESTION or --file QUESTIONS.txt (not both)")
    if question is not None:
        if not question.strip():
            raise typer.BadParameter("the question is empty")
        questions = [question]
    else:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise typer.BadParameter(f"cannot read {file} as UTF-8 text: {e}") from None
        questions = [line.strip() for line in lines if line.strip()]
    # A command-line argument that is not UTF-8 arrives with surrogates; they are not text.
    questions = [q.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for q in questions]
    when = parse_date(as_of)
    answerer = Answerer(data_dir, server, local)
    for q in questions:
        answer = answerer.ask(q, as_of=when, sources=source, top_k=top_k)
        if json_out:
            print(answer.model_dump_json(), flush=True)
        else:
            print_answer(answer, answerer.timings(answer), heading=q if file else None)


@app.command()
def chat(
    data_dir: DataDir = None,
    as_of: AsOf = None,
    server: Server = None,
    local: Local = False,
) -> None:
    """Ask questions interactively; follow-ups ("and at Timbuktu?") use the conversation."""
    from rag.answer.condense import Turn

    when = parse_date(as_of)
    answerer = Answerer(data_dir, server, local)
    history: list[Turn] = []
    conversation_id: str | None = None
    console.print("Ask about your articles (empty line or Ctrl-D to quit).", style="dim")
    while True:
        try:
            q = console.input("[bold cyan]? [/]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not q:
            break
        answer = answerer.ask(q, as_of=when, history=history, conversation_id=conversation_id)
        print_answer(answer, answerer.timings(answer))
        conversation_id = answer.conversation_id
        history.append(Turn(q, answer.standalone_question or q, answer.answer, answer.short_answer))


def print_answer(answer, timings: str, heading: str | None = None) -> None:
    if heading:
        console.rule(heading, style="dim")
    style = "bold" if answer.status == "answered" else "bold yellow"
    console.print(answer.answer, style=style, highlight=False, markup=False)
    for c in answer.citations:
        when = c.published.isoformat() if c.published else "undated"
        where = f" — {c.url}" if c.url else ""
        console.print(
            f"  [{c.marker}] {c.title} ({c.source or 'unknown source'}, {when}){where}",
            highlight=False,
            markup=False,
        )
        console.print(
            f"      “{c.quote}” (chars {c.start}–{c.end})",
            style="dim",
            highlight=False,
            markup=False,
        )
    if answer.status != "answered":
        for note in answer.notes:
            console.print(f"  ({note})", style="dim", highlight=False, markup=False)
    console.print(f"  {timings}", style="dim", highlight=False)
