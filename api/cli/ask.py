"""``newsrag ask`` and ``newsrag chat``: answers with numbered citations in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import DataDir, components_from, console, parse_date

app = typer.Typer()


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in plain language.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", "-f", help="Answer each line of this file.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="YYYY-MM-DD: ignore articles published after this date."),
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only search this source (repeatable).")
    ] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, max=50)] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the answer contract as JSON.")
    ] = False,
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
    c = components_from(data_dir)
    when = parse_date(as_of)
    for q in questions:
        answer = c.chain.ask(q, as_of=when, sources=source, top_k=top_k)
        if json_out:
            print(answer.model_dump_json(), flush=True)
        else:
            print_answer(answer, heading=q if file else None)


@app.command()
def chat(
    data_dir: DataDir = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
) -> None:
    """Ask questions interactively; follow-ups ("and at Timbuktu?") use the conversation."""
    from rag.answer.condense import Turn

    c = components_from(data_dir)
    when = parse_date(as_of)
    history: list[Turn] = []
    console.print("Ask about your articles (empty line or Ctrl-D to quit).", style="dim")
    while True:
        try:
            q = console.input("[bold cyan]? [/]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not q:
            break
        answer = c.chain.ask(q, as_of=when, history=history)
        print_answer(answer)
        history.append(Turn(q, answer.standalone_question or q, answer.answer))


def print_answer(answer, heading: str | None = None) -> None:
    if heading:
        console.rule(heading, style="dim")
    style = "bold" if answer.status == "answered" else "bold yellow"
    console.print(answer.answer, style=style, highlight=False)
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
            console.print(f"  ({note})", style="dim", highlight=False)
    console.print(f"  {answer.timings.get('total_ms', 0):.0f} ms", style="dim")
