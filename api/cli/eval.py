"""``newsrag eval``: measure retrieval and answers on RealTime QA or on your own questions."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from api.cli.common import DataDir, settings_from
from api.cli.report import BaselineFile, ReportFile, write_report

eval_app = typer.Typer(
    help="Measure retrieval and answers on questions with known answers.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, soft_wrap=True)

# Sized to take about 20 minutes here, first ingest included (MiniLM: ~7 chunks/s on 2 cores).
DEFAULT_QUESTIONS = 60
DEFAULT_DISTRACTORS = 100
DEFAULT_SEED = 11
DEFAULT_ABSENT = 40  # ~200 articles of their weeks: ~6 min to embed once, then cached
CHUNKS_PER_SECOND = 7.0  # this machine's encoder limit, for the time estimate
SECONDS_PER_QUESTION = 2.0


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsrag" / "eval"


def _progress(disable: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=disable or not err.is_terminal,
    )


def estimate_chunks(rtqa_dir: Path, article_ids: list[str], settings) -> int:
    """Chunks the sample will make (chunking is cheap; embedding them is what takes time)."""
    from ingest.chunking import chunk_article
    from rag.eval.rtqa import iter_article_records
    from rag.schema import Article

    wanted, total = set(article_ids), 0
    for r in iter_article_records(rtqa_dir / "articles.jsonl.gz"):
        if r["id"] in wanted:
            article = Article(id=r["id"], title=r["title"] or "", text=r["text"] or "")
            total += len(chunk_article(article, settings.chunk_words, settings.chunk_overlap_words))
    return total


def prepare_rtqa(
    rtqa_dir: Path,
    questions: int,
    distractors: int,
    seed: int,
    cache_dir: Path,
    quiet: bool = False,
    settings_overrides: dict[str, Any] | None = None,
    years: tuple[int, ...] = (),
):
    """The sample, and a store holding its corpus (built once, then reused from the cache).

    Returns (sample, components, ingest info). The cache folder is keyed by the sample's
    parameters and by everything that changes the stored chunks or vectors.
    """
    from rag.eval.rtqa import sample_rtqa

    sample = sample_rtqa(rtqa_dir, questions, distractors, seed, years=years)
    components, info = _prepare_store(
        rtqa_dir, sample.key, sample, cache_dir, quiet, settings_overrides
    )
    return sample, components, info


def prepare_absent(
    rtqa_dir: Path,
    questions: int,
    seed: int,
    cache_dir: Path,
    quiet: bool = False,
    settings_overrides: dict[str, Any] | None = None,
    years: tuple[int, ...] = (),
):
    """The absent sample (questions over a corpus without their answer) and its own store.

    Drawing it reads every article (tens of seconds): the draw is cached beside the store.
    """
    from ingest.chunking import index_fingerprint
    from rag.eval.evaluation import question_from_record
    from rag.eval.rtqa import (
        ABSENT_PER_QUESTION,
        AbsentSample,
        absent_key,
        load_rtqa_records,
        sample_absent,
    )
    from rag.settings import Settings

    key = absent_key(questions, ABSENT_PER_QUESTION, seed, years)
    folder = cache_dir / f"{key}-{index_fingerprint(Settings(**(settings_overrides or {})))}"
    manifest = folder / "sample.json"
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        by_id = {r["id"]: r for r in load_rtqa_records(rtqa_dir)}
        picked = [question_from_record(by_id[i], f"rtqa:{i}") for i in saved["questions"]]
        sample = AbsentSample(
            picked, saved["articles"], questions, ABSENT_PER_QUESTION, seed, years
        )
    else:
        sample = sample_absent(rtqa_dir, questions, seed, years=years)
    components, info = _prepare_store(rtqa_dir, key, sample, cache_dir, quiet, settings_overrides)
    return sample, components, info


def _prepare_store(
    rtqa_dir: Path,
    key: str,
    sample,
    cache_dir: Path,
    quiet: bool,
    settings_overrides: dict[str, Any] | None,
):
    from api.components import Components
    from ingest.chunking import index_fingerprint
    from rag.eval.rtqa import write_corpus
    from rag.settings import Settings

    probe = Settings(**(settings_overrides or {}))
    folder = cache_dir / f"{key}-{index_fingerprint(probe)}"
    settings = Settings(
        **{**(settings_overrides or {}), "data_dir": folder / "data", "collection": "rtqa"}
    )
    components = Components(settings)
    corpus = folder / "corpus.jsonl.gz"
    manifest = folder / "sample.json"
    info: dict[str, Any] = {"cache": str(folder), "articles": len(sample.article_ids)}
    if not corpus.exists():
        write_corpus(rtqa_dir, sample.article_ids, corpus)
        manifest.write_text(
            json.dumps(
                {
                    "key": key,
                    "questions": [q.id for q in sample.questions],
                    "articles": sample.article_ids,
                },
                indent=1,
            )
        )
    stats = components.store.stats()
    if stats["articles"] >= len(sample.article_ids):
        info.update(cached=True, chunks=stats["chunks"])
        if not quiet:
            err.print(
                f"store: {stats['articles']} articles, {stats['chunks']} chunks (cached in {folder})"
            )
        return components, info
    expected = estimate_chunks(rtqa_dir, sample.article_ids, settings)
    todo = max(0, expected - stats["chunks"])
    if not quiet:
        err.print(
            f"building the store: {len(sample.article_ids)} articles, ~{expected} chunks "
            f"({todo} to embed) ≈ {todo / CHUNKS_PER_SECOND / 60:.0f} min at "
            f"{CHUNKS_PER_SECOND:.0f} chunks/s, plus ~{len(sample.questions) * SECONDS_PER_QUESTION / 60:.0f} "
            f"min for the questions; cached in {folder}"
        )
    t0 = time.perf_counter()
    with _progress(quiet) as bar:
        task = bar.add_task("ingest", total=expected, info="", completed=stats["chunks"])

        def progress(articles: int, chunks: int) -> None:
            bar.update(task, completed=stats["chunks"] + chunks, info=f"{articles} articles read")

        report = components.ingestor.ingest([str(corpus)], progress=progress)
    seconds = time.perf_counter() - t0
    if report.rejected:
        err.print(f"[yellow]{len(report.rejected)} articles rejected[/], e.g. {report.rejected[0]}")
    info.update(
        cached=False,
        chunks=components.store.stats()["chunks"],
        chunks_added=report.chunks_added,
        ingest_s=round(seconds, 1),
        chunks_per_s=round(report.chunks_added / seconds, 2) if seconds else None,
    )
    return components, info


def _run(components, questions, json_out: bool, with_mc: bool = True):
    from rag.eval.evaluation import run_evaluation
    from rag.eval.multiple_choice import ChoicePicker

    chain = components.chain
    chain.warm_up()
    picker = ChoicePicker(chain.retriever) if with_mc else None
    with _progress(json_out) as bar:
        task = bar.add_task("questions", total=len(questions), info="")
        hits = 0

        def progress(i: int, r) -> None:
            nonlocal hits
            hits += r.hit_rank is not None and r.hit_rank <= 5
            bar.update(task, completed=i, info=f"hit@5 so far {hits / i:.2f}")

        return run_evaluation(chain, questions, picker, progress)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_report(report: dict[str, Any], title: str) -> None:
    s = report["summary"]
    r, rare = s["retrieval"], s["retrieval_without_frequent_answers"]
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    table.add_column(f"all ({s['questions']})", justify="right")
    table.add_column(f"answer in ≤1% of chunks ({rare['questions']})", justify="right")
    for key in ("hit@1", "hit@5", "hit@10", "mrr@10"):
        table.add_row(f"retrieval {key}", _fmt(r[key]), _fmt(rare[key]))
    table.add_row("open-answer accuracy", _fmt(s["open_answer_accuracy"]), "")
    table.add_row("short-answer accuracy", _fmt(s["short_answer_accuracy"]), "")
    table.add_row(
        f"multiple-choice accuracy ({s['multiple_choice_questions']} q, "
        f"{s['multiple_choice_guesses']} guesses)",
        _fmt(s["multiple_choice_accuracy"]),
        "",
    )
    table.add_row(f"citation support ({s['answered']} answered)", _fmt(s["citation_support"]), "")
    table.add_row(
        f"answered right given top-5 ({s['top5_questions']} q)",
        _fmt(s["answered_right_given_top5"]),
        "",
    )
    table.add_row("not_found rate", _fmt(s["not_found_rate"]), "")
    absent = report.get("absent", {}).get("summary")
    if absent:
        table.add_row(
            f"false-answer rate, answer absent ({absent['questions']} q)",
            _fmt(absent["false_answer_rate"]),
            "",
        )
    lat, ret = s["latency_s"], s["retrieval_latency_s"]
    table.add_row(
        "latency per question p50 / p95 (s)", f"{_fmt(lat['p50'], 2)} / {_fmt(lat['p95'], 2)}", ""
    )
    table.add_row(
        "retrieval only p50 / p95 (s)", f"{_fmt(ret['p50'], 3)} / {_fmt(ret['p95'], 3)}", ""
    )
    mc = s["multiple_choice_latency_s"]
    table.add_row(
        "multiple choice p50 / p95 (s)", f"{_fmt(mc['p50'], 2)} / {_fmt(mc['p95'], 2)}", ""
    )
    console.print(table)
    from rag.eval.metrics import hardware_line

    console.print(f"hardware: {hardware_line(report['hardware'])}", highlight=False)
    console.print(f"date: {report['date']}", highlight=False)
    for line in report.get("notes", []):
        console.print(f"note: {line}", style="dim", highlight=False)


def _report(kind: str, params: dict, results, extra: dict) -> dict[str, Any]:
    from rag.eval.metrics import hardware, now_utc, results_as_dicts, summarize

    return {
        "kind": kind,
        "params": params,
        "date": now_utc(),
        "hardware": hardware(),
        **extra,
        "summary": summarize(results),
        "questions": results_as_dicts(results),
    }


def _emit(report: dict, json_out: bool, out: Path | None, title: str) -> None:
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=1, default=str))
    if json_out:
        print(json.dumps(report, indent=1, default=str))
    else:
        print_report(report, title)


JsonOut = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]
OutFile = Annotated[
    Path | None,
    typer.Option("--out", help="Also write the JSON report (with every question) here."),
]


@eval_app.command("rtqa")
def rtqa(
    questions: Annotated[
        int, typer.Option("--questions", min=1, help="answer_in_corpus dev questions to sample.")
    ] = DEFAULT_QUESTIONS,
    distractors: Annotated[
        int, typer.Option("--distractors", min=0, help="Random other articles added to the corpus.")
    ] = DEFAULT_DISTRACTORS,
    seed: Annotated[int, typer.Option("--seed")] = DEFAULT_SEED,
    cache_dir: Annotated[
        Path | None,
        typer.Option(
            "--cache-dir", help="Where sample stores are kept (default ~/.cache/newsrag/eval)."
        ),
    ] = None,
    rtqa_dir: Annotated[
        Path | None,
        typer.Option(
            "--rtqa-dir", help="The rtqa data (default NEWSRAG_RTQA_DIR or ../shared/eval/rtqa)."
        ),
    ] = None,
    no_mc: Annotated[bool, typer.Option("--no-mc", help="Skip multiple choice.")] = False,
    absent: Annotated[
        int,
        typer.Option(
            "--absent",
            min=0,
            help="Questions asked over a corpus without their answer (their sources removed; "
            "articles of the same week kept): the false-answer rate. 0 skips.",
        ),
    ] = DEFAULT_ABSENT,
    year: Annotated[
        list[int] | None,
        typer.Option(
            "--year", help="Only questions dated in this year (repeatable), e.g. --year 2022."
        ),
    ] = None,
    json_out: JsonOut = False,
    out: OutFile = None,
    html_report: ReportFile = None,
    baseline: BaselineFile = None,
) -> None:
    """RealTime QA: a seeded sample of questions over the pooled articles of their searches."""
    from rag.eval.metrics import results_as_dicts, summarize_absent
    from rag.eval.rtqa import default_rtqa_dir

    rtqa_dir = rtqa_dir or default_rtqa_dir()
    if not (rtqa_dir / "questions-dev.jsonl").exists():
        err.print(f"no rtqa data in {rtqa_dir} (set --rtqa-dir or NEWSRAG_RTQA_DIR)")
        raise typer.Exit(2)
    years = tuple(sorted(set(year or ())))
    cache = cache_dir or default_cache_dir()
    sample, components, info = prepare_rtqa(
        rtqa_dir, questions, distractors, seed, cache, quiet=json_out, years=years
    )
    results = _run(components, sample.questions, json_out, with_mc=not no_mc)
    params = {"questions": questions, "distractors": distractors, "seed": seed}
    params.update({"absent": absent, "years": list(years)})
    report = _report("rtqa", params, results, {"store": info, "settings": _settings(components)})
    report["notes"] = [
        f"corpus: {info['articles']} articles ({info['chunks']} chunks): the pools of the "
        f"{len(sample.questions)} questions + {distractors} random other articles"
        + (f"; questions and distractors of {', '.join(map(str, years))}" if years else ""),
        "as_of = each question's date; published baselines (multiple choice, the README of the "
        "data): GPT-3 + Google search 0.730 (2022), 0.579 (2023), random 0.25",
    ]
    if absent:
        a_sample, a_components, a_info = prepare_absent(
            rtqa_dir, absent, seed, cache, quiet=json_out, years=years
        )
        a_results = _run(a_components, a_sample.questions, json_out, with_mc=False)
        report["absent"] = {
            "store": a_info,
            "summary": summarize_absent(a_results),
            "questions": results_as_dicts(a_results),
        }
        report["notes"].append(
            f"absent: {len(a_sample.questions)} other questions over {a_info['articles']} "
            "articles of their weeks in which none of their answers occurs (their own pools "
            "removed); any answer there is a false answer"
        )
    title = f"newsrag eval rtqa --questions {questions} --distractors {distractors} --seed {seed}"
    title += f" --absent {absent}" + "".join(f" --year {y}" for y in years)
    if html_report:
        write_report(html_report, report, components, sample.questions, title, baseline)
    _emit(report, json_out, out, title)


@eval_app.command("file")
def file(
    questions_file: Annotated[
        Path,
        typer.Argument(
            # Rich reads [..] as markup: escaped, or the optional fields vanish from --help.
            help="JSONL: {question, answer (string or list), \\[choices, answer_index], "
            "\\[as_of], \\[id]}",
            exists=True,
            dir_okay=False,
        ),
    ],
    data_dir: DataDir = None,
    no_mc: Annotated[bool, typer.Option("--no-mc", help="Skip multiple choice.")] = False,
    json_out: JsonOut = False,
    out: OutFile = None,
    html_report: ReportFile = None,
    baseline: BaselineFile = None,
) -> None:
    """Your own questions with expected answers, against your own store; same metrics."""
    from api.components import Components
    from rag.eval.evaluation import QuestionFileError, load_questions

    try:
        questions = load_questions(questions_file)
    except QuestionFileError as e:
        err.print(str(e), style="red", markup=False, soft_wrap=True)
        raise typer.Exit(2) from None
    settings = settings_from(data_dir)
    components = Components(settings)
    if components.store.stats()["chunks"] == 0:
        err.print(
            f"the store in {settings.data_dir} is empty: `newsrag ingest` your articles first"
        )
        raise typer.Exit(2)
    results = _run(components, questions, json_out, with_mc=not no_mc)
    report = _report(
        "file",
        {"questions_file": str(questions_file)},
        results,
        {"store": components.store.stats(), "settings": _settings(components)},
    )
    title = f"newsrag eval file {questions_file}"
    if html_report:
        write_report(html_report, report, components, questions, title, baseline)
    _emit(report, json_out, out, title)


def _settings(components) -> dict[str, Any]:
    s = components.settings
    keys = (
        "embedding_model", "chunk_words", "chunk_overlap_words", "candidates", "top_k", "rrf_k",
        "dense_weight", "lexical_weight", "as_of_include_undated", "answer_backend",
    )  # fmt: skip
    return {k: getattr(s, k) for k in keys}
