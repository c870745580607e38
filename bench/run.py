"""``make bench``: newsrag, the naive LangChain pipeline and BM25 alone, side by side.

One run, one sample of RealTime QA articles and questions (``rag.eval.rtqa.sample_rtqa``),
each pipeline in its own process (``bench.worker``) so that its peak RSS is its own. Prints:
ingest throughput next to the raw encoder on the same chunks, hit@5, query latency p50/p95
(retrieval only and end to end), peak RSS, ratios newsrag/naive; then query latency as the
store grows (random unit vectors for the size sweep, real texts and BM25).

    python -m bench.run                       # ~25 min on 2 cores, sized by the defaults
    python -m bench.run --questions 60 --distractors 200 --sizes 1000,10000,50000,200000
    python -m bench.run --only '' --no-naive --sizes 1000,10000,50000,200000   # the sweep alone
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rag.eval.metrics import hardware, hardware_line, now_utc
from rag.eval.rtqa import default_rtqa_dir, sample_rtqa, write_corpus

# Wide enough for the tables when the output goes to a log file rather than a terminal.
console = Console(width=None if sys.stdout.isatty() else 180)

DEFAULT_QUESTIONS = 20
DEFAULT_DISTRACTORS = 20
DEFAULT_SEED = 5
DEFAULT_SIZES = "1000,10000,50000"


def write_questions(questions, path: Path) -> None:
    with path.open("w", encoding="utf-8") as f:
        for q in questions:
            record = {
                "id": q.id,
                "question": q.question,
                "answer": q.answers,
                "as_of": q.as_of.isoformat() if q.as_of else None,
                "choices": q.choices,
                "answer_index": q.answer_index,
            }
            f.write(json.dumps(record) + "\n")


def run_worker(name: str, work: Path, extra: list[str]) -> dict[str, Any]:
    console.print(f"[bold]{name}[/] …", highlight=False)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "bench.worker", name, str(work), *extra],
        cwd=Path(__file__).resolve().parent.parent,
    )
    if proc.returncode != 0:
        raise SystemExit(f"bench worker {name} failed with exit code {proc.returncode}")
    result = json.loads((work / f"{name}.json").read_text())
    console.print(f"  done in {time.perf_counter() - t0:.0f} s", style="dim")
    return result


def _ms(x: dict[str, float]) -> str:
    return f"{x['p50_ms']:.0f} / {x['p95_ms']:.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{a / b:.2f}×"


def print_tables(report: dict[str, Any]) -> None:
    rows = report["pipelines"]
    table = Table(title=f"make bench — {report['title']}", title_justify="left")
    for col in (
        "pipeline", "articles", "chunks", "ingest chunks/s", "articles/s", "raw encoder chunks/s",
        "hit@5", "hit@10", "MRR@10", "retrieval p50/p95 ms", "end-to-end p50/p95 ms", "peak RSS MB",
    ):  # fmt: skip
        table.add_column(col, justify="left" if col == "pipeline" else "right")
    for name, r in rows.items():
        raw = r.get("raw_chunks_per_s")
        table.add_row(
            {"naive": "naive LangChain", "bm25": "BM25 alone"}.get(name, name),
            str(r["articles"]),
            str(r["chunks"]),
            f"{r['chunks'] / r['ingest_s']:.2f}",
            f"{r['articles'] / r['ingest_s']:.2f}",
            f"{raw:.2f}" if raw else "–",
            f"{r['metrics']['hit@5']:.3f}",
            f"{r['metrics']['hit@10']:.3f}",
            f"{r['metrics']['mrr@10']:.3f}",
            _ms(r["retrieval"]),
            _ms(r["end_to_end"]),
            f"{r['peak_rss_mb']:.0f}",
        )
    naive = rows["naive"]
    if "metrics_with_as_of" in naive:
        m = naive["metrics_with_as_of"]
        table.add_row(
            "naive + as_of filter", "", "", "", "", "",
            f"{m['hit@5']:.3f}", f"{m['hit@10']:.3f}", f"{m['mrr@10']:.3f}", "", "", "",
        )  # fmt: skip
    console.print(table)
    n = rows["newsrag"]
    # Bigger chunks hold more text, so at equal k they find the answer more easily: also show
    # the naive pipeline at newsrag's text budget (as many of its chunks as 5 of newsrag's).
    budget = round(5 * n["chars_per_chunk"] / naive["chars_per_chunk"])
    if 5 < budget <= 10:
        at_budget = sum(r is not None and r <= budget for r in naive["ranks"]) / len(naive["ranks"])
        console.print(
            f"naive at newsrag's top-5 text budget (its top {budget}, "
            f"{naive['chars_per_chunk']:.0f} vs {n['chars_per_chunk']:.0f} chars per chunk): "
            f"hit {at_budget:.3f}",
            highlight=False,
        )
        report["naive_hit_at_text_budget"] = {"k": budget, "hit": at_budget}
    console.print(
        "newsrag / naive: "
        f"hit@5 {_ratio(n['metrics']['hit@5'], naive['metrics']['hit@5'])}, "
        f"ingest chunks/s {_ratio(n['chunks'] / n['ingest_s'], naive['chunks'] / naive['ingest_s'])}, "
        f"articles/s {_ratio(n['articles'] / n['ingest_s'], naive['articles'] / naive['ingest_s'])}, "
        f"retrieval p50 {_ratio(n['retrieval']['p50_ms'], naive['retrieval']['p50_ms'])}, "
        f"end-to-end p50 {_ratio(n['end_to_end']['p50_ms'], naive['end_to_end']['p50_ms'])}, "
        f"peak RSS {_ratio(n['peak_rss_mb'], naive['peak_rss_mb'])}",
        highlight=False,
    )
    for name in ("newsrag", "naive"):
        r = rows[name]
        console.print(
            f"{name}: ingest {r['chunks'] / r['ingest_s']:.2f} chunks/s = "
            f"{r['chunks'] / r['ingest_s'] / r['raw_chunks_per_s']:.0%} of the raw encoder on "
            f"{r['raw_chunks']} of its own chunks ({r['chars_per_chunk']:.0f} chars/chunk); "
            f"end to end = {r['end_to_end_is']}",
            style="dim",
            highlight=False,
        )
    console.print(
        "BM25 alone = newsrag's SQLite FTS5 index over newsrag's chunks, as_of filter on; "
        "naive = no date filter (as the tutorials), hit@k over its top-k similarity search.",
        style="dim",
    )


def print_sweep(report: dict[str, Any]) -> None:
    sweep = report.get("sweep")
    if sweep:
        t = Table(
            title="query latency as the store grows (random unit vectors; real texts, dates "
            f"and BM25; {sweep['queries']} queries, ms p50 / p95)",
            title_justify="left",
        )
        for col in ("chunks", "newsrag retrieval", "  dense (Chroma)", "  BM25 (FTS5)",
                    "BM25 unpruned", "naive top-4", "build s", "load"):  # fmt: skip
            t.add_column(col, justify="right")
        for row in sweep["rows"]:
            t.add_row(
                f"{row['chunks']:,}",
                _ms(row["newsrag_retrieval"]),
                _ms(row["newsrag_dense"]),
                _ms(row["newsrag_bm25"]),
                _ms(row["bm25_unpruned"]) if "bm25_unpruned" in row else "–",
                _ms(row["naive_retrieval"]) if "naive_retrieval" in row else "–",
                f"{row['build_s']:.0f}",
                f"{row.get('load_average', 0):.1f}",
            )
        console.print(t)
        console.print(
            "retrieval includes embedding the query (MiniLM, ~10–30 ms); both stores hold the "
            "same chunks; random vectors are a worst case for the HNSW graph.",
            style="dim",
        )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=DEFAULT_QUESTIONS)
    ap.add_argument("--distractors", type=int, default=DEFAULT_DISTRACTORS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument(
        "--sizes", default=DEFAULT_SIZES, help="store sizes for the latency sweep; '' skips it"
    )
    ap.add_argument(
        "--raw", type=int, default=200, help="chunks encoded for the raw encoder figure"
    )
    ap.add_argument("--rtqa-dir", type=Path, default=None)
    ap.add_argument("--workdir", type=Path, default=None, help="kept after the run when given")
    ap.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    ap.add_argument("--only", default="newsrag,naive,bm25", help="comma-separated pipelines")
    ap.add_argument("--no-naive", action="store_true", help="the sweep without the naive store")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    rtqa = args.rtqa_dir or default_rtqa_dir()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsrag-bench-"))
    if work.exists() and any(work.iterdir()):
        shutil.rmtree(work)  # every run ingests from scratch: ingest throughput is measured
    work.mkdir(parents=True, exist_ok=True)
    sample = sample_rtqa(rtqa, args.questions, args.distractors, args.seed)
    articles = write_corpus(rtqa, sample.article_ids, work / "corpus.jsonl.gz")
    write_questions(sample.questions, work / "questions.jsonl")
    title = (
        f"python -m bench.run --questions {args.questions} --distractors {args.distractors} "
        f"--seed {args.seed}: {articles} rtqa articles, {len(sample.questions)} questions"
    )
    console.print(title, highlight=False)
    pipelines: dict[str, Any] = {}
    for name in filter(None, args.only.split(",")):  # --only '' runs the sweep alone
        pipelines[name] = run_worker(name, work, ["--raw", str(args.raw)])
    sweep = None
    if args.sizes.strip():
        extra = ["--sizes", args.sizes, "--rtqa-dir", str(rtqa)]
        extra += ["--no-naive"] if args.no_naive else []
        sweep = run_worker("sweep", work, extra)
    report = {
        "title": title,
        "params": vars(args) | {"rtqa_dir": str(rtqa), "workdir": str(work)},
        "date": now_utc(),
        "hardware": hardware(),
        "pipelines": pipelines,
        "sweep": sweep,
        "wall_s": time.perf_counter() - started,
    }
    if {"newsrag", "naive"} <= pipelines.keys():
        print_tables(report)
    print_sweep(report)
    console.print(f"hardware: {hardware_line(report['hardware'])}", highlight=False)
    console.print(
        f"date: {report['date']}; {report['wall_s'] / 60:.1f} min in all", highlight=False
    )
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1, default=str))
        console.print(f"report: {args.out}", style="dim")
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return report


if __name__ == "__main__":
    main()
