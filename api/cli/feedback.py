"""``newsrag feedback``: what people said about the bot's answers in Slack (helpful / not)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from api.cli.common import DataDir, console, settings_from

app = typer.Typer()


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


@app.command()
def feedback(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Rows to show.")] = 50,
    rating: Annotated[
        str | None,
        typer.Option("--rating", help="Only 'helpful' or 'not-helpful' votes."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List recorded feedback: the vote, who gave it, the question, the answer and its sources."""
    from api.slack.db import slack_db
    from api.slack.feedback import FeedbackStore

    if rating not in (None, "helpful", "not-helpful"):
        raise typer.BadParameter("--rating is 'helpful' or 'not-helpful'")
    settings = settings_from(data_dir)
    if not settings.app_db_path.exists():
        if not json_out:
            console.print(f"no feedback recorded yet ({settings.app_db_path} does not exist)")
        return
    store = FeedbackStore(slack_db(settings.app_db_path))
    helpful = None if rating is None else rating == "helpful"
    rows = store.list(limit=limit, helpful=helpful)
    if json_out:
        for r in rows:
            record = {
                "when": datetime.fromtimestamp(r.updated, UTC).isoformat(timespec="seconds"),
                "rating": "helpful" if r.helpful else "not_helpful",
                "user": r.user,
                "team": r.team,
                "channel": r.channel,
                "answer_id": r.answer_id,
                "question": r.question,
                "answer": r.answer,
                "status": r.status,
                "citations": r.citations,
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
        return
    counts = store.counts()
    console.print(
        f"{counts['helpful']} helpful, {counts['not_helpful']} not helpful"
        f" — showing {len(rows)} newest",
        highlight=False,
    )
    if not rows:
        return
    table = Table(show_lines=True)
    for column in ("when (UTC)", "vote", "user", "question", "answer", "sources"):
        table.add_column(column, overflow="fold")
    for r in rows:
        sources = "\n".join(
            f"[{c.get('marker')}] {c.get('title')} ({c.get('source') or 'unknown source'})"
            for c in r.citations
        )
        answer = r.answer if len(r.answer) <= 300 else r.answer[:299] + "…"
        # Text(): article titles and answers are data, never rich markup.
        table.add_row(
            _when(r.updated),
            "helpful" if r.helpful else "NOT helpful",
            Text(f"{r.user}\n{r.channel or ''}"),
            Text(r.question),
            Text(answer),
            Text(sources or "—"),
        )
    console.print(table)
