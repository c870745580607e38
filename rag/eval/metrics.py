"""The report's figures: retrieval hit@k and MRR, answer accuracies, refusals, latency.

Besides the README's metrics, two measure refusal precision both ways:

- answered right given top-5: open-answer accuracy among the questions whose answer string is
  in a top-5 passage (retrieval did its part; did the answerer say it?);
- false-answer rate: on the absent sample (``rag/eval/rtqa.py``: each question's sources
  removed from the corpus), the share of questions answered instead of ``not_found``.
"""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.eval.evaluation import FREQUENT_SHARE, HIT_KS, QuestionResult


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    return _mean([r is not None and r <= k for r in ranks])


def mrr_at(ranks: Sequence[int | None], k: int = 10) -> float:
    return _mean([1.0 / r if r is not None and r <= k else 0.0 for r in ranks])


def percentile(values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 100]."""
    if not values:
        return math.nan
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _mean(values: Iterable[float | bool]) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values) if values else math.nan


def retrieval_metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    out = {f"hit@{k}": hit_at(ranks, k) for k in HIT_KS}
    out["mrr@10"] = mrr_at(ranks, 10)
    return out


def summarize(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """The report's figures (JSON-ready; NaN where a metric has no question to count)."""
    ranks = [r.hit_rank for r in results]
    rare = [r for r in results if (r.answer_chunk_share or 0.0) <= FREQUENT_SHARE]
    answered = [r for r in results if r.status == "answered"]
    cited = [r for r in answered if r.cited]
    with_options = [r for r in results if r.mc_correct is not None]
    top5 = [r for r in results if r.hit_rank is not None and r.hit_rank <= 5]
    latencies = [r.latency_s for r in results]
    retrievals = [r.retrieval_s for r in results]
    return {
        "questions": len(results),
        "retrieval": retrieval_metrics(ranks),
        "retrieval_without_frequent_answers": {
            "questions": len(rare),
            **retrieval_metrics([r.hit_rank for r in rare]),
        },
        "open_answer_accuracy": _mean(bool(r.open_correct) for r in results),
        "short_answer_accuracy": _mean(bool(r.short_correct) for r in results),
        "multiple_choice_accuracy": _mean(bool(r.mc_correct) for r in with_options),
        "multiple_choice_questions": len(with_options),
        "multiple_choice_guesses": sum(bool(r.mc_guess) for r in with_options),
        "citation_support": _mean(r.citation_supported for r in cited),
        "top5_questions": len(top5),
        "answered_right_given_top5": _mean(bool(r.open_correct) for r in top5),
        "answered": len(answered),
        "not_found_rate": _mean(r.status == "not_found" for r in results),
        "latency_s": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95)},
        "retrieval_latency_s": {
            "p50": percentile(retrievals, 50),
            "p95": percentile(retrievals, 95),
        },
        "multiple_choice_latency_s": {
            "p50": percentile([r.mc_s for r in with_options if r.mc_s is not None], 50),
            "p95": percentile([r.mc_s for r in with_options if r.mc_s is not None], 95),
        },
    }


def summarize_absent(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Figures of the absent sample: every answer there is a false answer."""
    answered = [r for r in results if r.status == "answered"]
    return {
        "questions": len(results),
        "answered": len(answered),
        "false_answer_rate": _mean(r.status == "answered" for r in results),
        "not_found_rate": _mean(r.status == "not_found" for r in results),
        "latency_s": {
            "p50": percentile([r.latency_s for r in results], 50),
            "p95": percentile([r.latency_s for r in results], 95),
        },
    }


def hardware() -> dict[str, Any]:
    """Cores, CPU model and memory, for the report's hardware line."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu": model,
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
        info["load_avg_1m"] = round(os.getloadavg()[0], 2)
    except (ImportError, OSError):
        pass
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        pass
    return info


def hardware_line(hw: dict[str, Any]) -> str:
    parts = [f"{hw.get('cores')} cores", str(hw.get("cpu"))]
    if "memory_gb" in hw:
        parts.append(f"{hw['memory_gb']} GB RAM")
    if "load_avg_1m" in hw:
        parts.append(f"load avg {hw['load_avg_1m']} at the end")
    return ", ".join(parts) + f"; Python {hw.get('python')}"


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def results_as_dicts(results: Sequence[QuestionResult]) -> list[dict]:
    return [asdict(r) for r in results]
