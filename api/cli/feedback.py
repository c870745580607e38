"""``newsrag feedback``: what people said about the answers (helpful / not), from Slack's buttons
and from the widget's 👍/👎 (``POST /v1/feedback``), newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from api.cli.common import DataDir, console, settings_from

app = typer.Typer()


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M")


@dataclass
class _Row:
    """One vote, whichever way it came in."""

    via: str  # slack | widget | api
    updated: float
    helpful: bool
    who: str
    question: str
    answer: str
    status: str
    citations: list[dict]
    extra: dict[str, Any]


def _rows(settings, helpful: bool | None, limit: int) -> tuple[list[_Row], dict[str, int]]:
    from api.slack.db import slack_db
    from api.slack.feedback import FeedbackStore
    from api.state.appdb import AppDB
    from api.state.feedback import ApiFeedbackStore

    db = slack_db(AppDB.for_settings(settings))
    slack, api = FeedbackStore(db), ApiFeedbackStore(db)
    rows = [
        _Row(
            "slack",
            r.updated,
            r.helpful,
            f"{r.user}\n{r.channel or ''}",
            r.question,
            r.answer,
            r.status,
            r.citations,
            {"user": r.user, "team": r.team, "channel": r.channel, "answer_id": r.answer_id},
        )
        for r in slack.list(limit=limit, helpful=helpful)
    ] + [
        _Row(
            r.via,
            r.updated,
            r.helpful,
            r.key_name or "local",
            r.question,
            r.answer,
            r.status,
            r.citations,
            {
                "key": r.key_name,
                "conversation_id": r.conversation_id,
                "turn": r.turn,
                "comment": r.comment,
            },
        )
        for r in api.list(limit=limit, helpful=helpful)
    ]
    rows.sort(key=lambda r: r.updated, reverse=True)
    slack_counts, api_counts = slack.counts(), api.counts()
    counts = {k: slack_counts[k] + api_counts[k] for k in ("helpful", "not_helpful")}
    return rows[:limit], counts


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
    """List recorded feedback (Slack and widget): the vote, who gave it, the question, the
    answer and its sources."""
    if rating not in (None, "helpful", "not-helpful"):
        raise typer.BadParameter("--rating is 'helpful' or 'not-helpful'")
    from api.state.config import StateSettings

    settings = settings_from(data_dir)
    if not settings.app_db_path.exists() and not StateSettings().database_url:
        if not json_out:
            console.print(f"no feedback recorded yet ({settings.app_db_path} does not exist)")
        return
    helpful = None if rating is None else rating == "helpful"
    rows, counts = _rows(settings, helpful, limit)
    if json_out:
        for r in rows:
            record = {
                "when": datetime.fromtimestamp(r.updated, UTC).isoformat(timespec="seconds"),
                "via": r.via,
                "rating": "helpful" if r.helpful else "not_helpful",
                **r.extra,
                "question": r.question,
                "answer": r.answer,
                "status": r.status,
                "citations": r.citations,
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
        return
    console.print(
        f"{counts['helpful']} helpful, {counts['not_helpful']} not helpful"
        f" — showing {len(rows)} newest",
        highlight=False,
    )
    if not rows:
        return
    table = Table(show_lines=True)
    for column in ("when (UTC)", "via", "vote", "who", "question", "answer", "sources"):
        table.add_column(column, overflow="fold")
    for r in rows:
        sources = "\n".join(
            f"[{c.get('marker')}] {c.get('title')} ({c.get('source') or 'unknown source'})"
            for c in r.citations
        )
        answer = r.answer if len(r.answer) <= 300 else r.answer[:299] + "…"
        comment = r.extra.get("comment")
        # Text(): article titles, answers and comments are data, never rich markup.
        table.add_row(
            _when(r.updated),
            r.via,
            "helpful" if r.helpful else "NOT helpful",
            Text(r.who),
            Text(r.question + (f"\n“{comment}”" if comment else "")),
            Text(answer),
            Text(sources or "—"),
        )
    console.print(table)
