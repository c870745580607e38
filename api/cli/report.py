"""``newsrag eval … --report report.html``: the eval as a page to look at, not a table to read.

One self-contained HTML file (inline SVG, no script, nothing fetched): hit@k curves for
newsrag's hybrid retrieval against dense-only and BM25-only retrieval over the same store and
questions (computed here, cheaply: one search per question each), the answer metrics as bars,
and, with ``--baseline`` (a ``python -m bench.run --out FILE`` report), the naive LangChain
pipeline's figures from ``make bench``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from api.components import Components
    from rag.eval.evaluation import EvalQuestion

ReportFile = Annotated[
    Path | None,
    typer.Option(
        "--report",
        help="Also write a self-contained HTML report: hit@k curves (newsrag, dense only, "
        "BM25 only) and the answer metrics.",
        dir_okay=False,
    ),
]
BaselineFile = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="A `make bench` JSON (python -m bench.run --out FILE): adds the naive LangChain "
        "pipeline to the report.",
        exists=True,
        dir_okay=False,
    ),
]

K = 10  # the eval ranks the top 10 passages
COLORS = {"newsrag": "#1f6feb", "dense only": "#d29922", "BM25 only": "#8250df"}
BENCH_COLORS = ("#cf222e", "#2da44e", "#57606a")


# --- the figures -----------------------------------------------------------------------------


def baseline_ranks(
    components: Components, questions: Sequence[EvalQuestion]
) -> dict[str, list[int | None]]:
    """Rank of the first passage holding the answer, per question, for each retriever alone
    (the same store, filters and answer matcher as the eval's newsrag figures)."""
    from rag.eval.evaluation import AnswerMatcher

    store = components.store
    retriever = components.chain.retriever
    ranks: dict[str, list[int | None]] = {"dense only": [], "BM25 only": []}
    for q in questions:
        matcher = AnswerMatcher(q.answers)
        filters = retriever.filters(q.as_of)
        vector = components.embeddings.embed_query(q.question)
        found = {
            "dense only": [cid for cid, _ in store.dense_search(vector, filters, K)],
            "BM25 only": [cid for cid, _ in store.lexical_search(q.question, filters, K)],
        }
        for name, ids in found.items():
            rows = store.chunk_rows(ids)
            texts = [rows[cid].chunk.text for cid in ids if cid in rows]
            ranks[name].append(next((i + 1 for i, t in enumerate(texts) if matcher(t)), None))
    return ranks


def hit_curve(ranks: Sequence[int | None]) -> list[float]:
    n = len(ranks) or 1
    return [sum(1 for r in ranks if r is not None and r <= k) / n for k in range(1, K + 1)]


def bench_points(bench: dict[str, Any]) -> dict[str, dict[int, float]]:
    """hit@k figures of each ``make bench`` pipeline: {name: {k: hit}}."""
    points: dict[str, dict[int, float]] = {}
    for name, run in (bench.get("pipelines") or {}).items():
        metrics = (run or {}).get("metrics") or {}
        found = {
            int(key[4:]): float(v)
            for key, v in metrics.items()
            if key.startswith("hit@") and key[4:].isdigit() and isinstance(v, int | float)
        }
        if found:
            points[f"make bench: {name}"] = found
    return points


ANSWER_METRICS = (
    ("open_answer_accuracy", "open-answer accuracy"),
    ("short_answer_accuracy", "short-answer accuracy"),
    ("multiple_choice_accuracy", "multiple-choice accuracy"),
    ("citation_support", "citation support"),
    ("answered_right_given_top5", "answered right given top-5"),
    ("not_found_rate", "not_found rate"),
)


# --- SVG -------------------------------------------------------------------------------------

_W, _H, _L, _R, _T, _B = 640, 360, 56, 170, 20, 44


def _x(k: float) -> float:
    return _L + (k - 1) / (K - 1) * (_W - _L - _R)


def _y(v: float) -> float:
    return _T + (1 - v) * (_H - _T - _B)


def _axes(x_label: str) -> list[str]:
    out = [f'<rect x="0" y="0" width="{_W}" height="{_H}" fill="white"/>']
    for i in range(6):
        v = i / 5
        out.append(
            f'<line x1="{_L}" x2="{_W - _R}" y1="{_y(v):.1f}" y2="{_y(v):.1f}" stroke="#e6e6e6"/>'
            f'<text x="{_L - 8}" y="{_y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:.1f}</text>'
        )
    out.append(
        f'<text x="{(_L + _W - _R) / 2}" y="{_H - 8}" text-anchor="middle" font-size="12">'
        f"{html.escape(x_label)}</text>"
    )
    return out


def curves_svg(curves: dict[str, list[float]], points: dict[str, dict[int, float]]) -> str:
    parts = _axes("k (passages retrieved)")
    for k in range(1, K + 1):
        parts.append(
            f'<text x="{_x(k):.1f}" y="{_H - _B + 16}" text-anchor="middle" font-size="11">{k}</text>'
        )
    legend = []
    for name, curve in curves.items():
        color = COLORS.get(name, "#444")
        coords = " ".join(f"{_x(k):.1f},{_y(v):.1f}" for k, v in enumerate(curve, start=1))
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2.5"/>'
        )
        for k, v in enumerate(curve, start=1):
            parts.append(
                f'<circle cx="{_x(k):.1f}" cy="{_y(v):.1f}" r="3" fill="{color}">'
                f"<title>{html.escape(name)} hit@{k} = {v:.3f}</title></circle>"
            )
        legend.append((name, color, "line"))
    for (name, found), color in zip(points.items(), BENCH_COLORS, strict=False):
        for k, v in sorted(found.items()):
            if 1 <= k <= K:
                parts.append(
                    f'<rect x="{_x(k) - 5:.1f}" y="{_y(v) - 5:.1f}" width="10" height="10" '
                    f'fill="none" stroke="{color}" stroke-width="2">'
                    f"<title>{html.escape(name)} hit@{k} = {v:.3f}</title></rect>"
                )
        legend.append((name, color, "square"))
    for i, (name, color, kind) in enumerate(legend):
        y = _T + 14 + i * 20
        x = _W - _R + 14
        mark = (
            f'<line x1="{x}" x2="{x + 18}" y1="{y - 4}" y2="{y - 4}" stroke="{color}" '
            'stroke-width="2.5"/>'
            if kind == "line"
            else f'<rect x="{x + 4}" y="{y - 9}" width="10" height="10" fill="none" '
            f'stroke="{color}" stroke-width="2"/>'
        )
        parts.append(mark + f'<text x="{x + 24}" y="{y}" font-size="12">{html.escape(name)}</text>')
    return _svg(parts, "hit@k: share of questions with the answer in the top k passages")


def bars_svg(rows: list[tuple[str, float | None]]) -> str:
    height = 30 + 28 * len(rows)
    left, width = 210, 360
    parts = [f'<rect x="0" y="0" width="{left + width + 80}" height="{height}" fill="white"/>']
    for i, (label, value) in enumerate(rows):
        y = 14 + i * 28
        parts.append(
            f'<text x="{left - 10}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{html.escape(label)}</text>"
            f'<rect x="{left}" y="{y}" width="{width}" height="18" fill="#f0f0f0"/>'
        )
        if value is not None:
            parts.append(
                f'<rect x="{left}" y="{y}" width="{value * width:.1f}" height="18" '
                f'fill="{COLORS["newsrag"]}"/>'
                f'<text x="{left + width + 8}" y="{y + 14}" font-size="12">{value:.3f}</text>'
            )
        else:
            parts.append(f'<text x="{left + width + 8}" y="{y + 14}" font-size="12">–</text>')
    return _svg(parts, "answer metrics", width=left + width + 80, height=height)


def _svg(parts: list[str], title: str, width: int = _W, height: int = _H) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}" '
        'font-family="system-ui, sans-serif">' + "".join(parts) + "</svg>"
    )


# --- the page --------------------------------------------------------------------------------


def render(
    report: dict[str, Any],
    title: str,
    ranks: dict[str, list[int | None]],
    bench: dict[str, Any] | None = None,
) -> str:
    summary = report["summary"]
    curves = {name: hit_curve(r) for name, r in ranks.items()}
    points = bench_points(bench) if bench else {}
    table_rows = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f"<td>{curve[k - 1]:.3f}</td>" for k in (1, 3, 5, 10))
        + "</tr>"
        for name, curve in curves.items()
    )
    for name, found in points.items():
        cells = "".join(
            f"<td>{found[k]:.3f}</td>" if k in found else "<td>–</td>" for k in (1, 3, 5, 10)
        )
        table_rows += f"<tr><td>{html.escape(name)}</td>{cells}</tr>"
    answers = [(label, _number(summary.get(key))) for key, label in ANSWER_METRICS]
    absent = (report.get("absent") or {}).get("summary")
    if absent:
        answers.append(("false-answer rate, answer absent", _number(absent["false_answer_rate"])))
    notes = "".join(f"<li>{html.escape(str(n))}</li>" for n in report.get("notes", []))
    notes += (
        "<li>dense only and BM25 only: each retriever alone over the same store, questions, "
        "as_of filters and answer matcher as newsrag's hybrid retrieval (no fusion, no recency "
        "rule).</li>"
    )
    if bench:
        notes += (
            f"<li>make bench: {html.escape(str(bench.get('title', '')))} "
            f"({html.escape(str(bench.get('date', '')))}), its own sample of questions.</li>"
        )
    else:
        notes += (
            "<li>The naive LangChain pipeline: run <code>python -m bench.run --out bench.json"
            "</code> (<code>make bench</code>) and add <code>--baseline bench.json</code>.</li>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 860px; margin: 2em auto; padding: 0 1em;
       color: #1f2328; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 4px 12px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.meta {{ color: #57606a; font-size: 0.9em; }}
svg {{ max-width: 100%; height: auto; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="meta">{summary.get("questions")} questions · {html.escape(str(report.get("date", "")))}</p>
<h2>Retrieval: hit@k</h2>
{curves_svg(curves, points)}
<table><tr><th>retrieval</th><th>hit@1</th><th>hit@3</th><th>hit@5</th><th>hit@10</th></tr>
{table_rows}</table>
<h2>Answers (newsrag)</h2>
{bars_svg(answers)}
<h2>Notes</h2><ul>{notes}</ul>
</body></html>
"""


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and value == value:  # NaN: no such questions
        return float(value)
    return None


def write_report(
    path: Path,
    report: dict[str, Any],
    components: Components,
    questions: Sequence[EvalQuestion],
    title: str,
    baseline: Path | None = None,
) -> None:
    """Compute the single-retriever baselines and write the page."""
    ranks: dict[str, list[int | None]] = {
        "newsrag": [q.get("hit_rank") for q in report.get("questions", [])]
    }
    ranks.update(baseline_ranks(components, questions))
    bench = json.loads(baseline.read_text(encoding="utf-8")) if baseline else None
    report.setdefault("baselines", {})["hit_at_k"] = {
        name: hit_curve(r) for name, r in ranks.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, title, ranks, bench), encoding="utf-8")
