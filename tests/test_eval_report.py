"""``newsrag eval file … --report report.html``: a self-contained page with the hit@k curves of
newsrag, dense-only and BM25-only retrieval, the answer metrics and a `make bench` baseline."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from api.cli import app
from api.cli.report import bench_points, hit_curve

runner = CliRunner()


def test_hit_curve_and_bench_points():
    assert hit_curve([1, 3, None, 10])[:3] == [0.25, 0.25, 0.5]
    assert hit_curve([1, 3, None, 10])[-1] == 0.75
    bench = {"pipelines": {"naive": {"metrics": {"hit@5": 0.4, "hit@10": 0.5, "mrr@10": 0.3}}}}
    assert bench_points(bench) == {"make bench: naive": {5: 0.4, 10: 0.5}}


def test_eval_file_writes_a_self_contained_html_report(sample_data_dir, tmp_path):
    questions = tmp_path / "q.jsonl"
    records = [
        {"question": "How many soldiers died at Dioura?", "answer": "40"},
        {"question": "How many attackers were killed at Timbuktu?", "answer": "13"},
        {"question": "Which team won the cup final?", "answer": ["Northgate Rovers", "Northgate"]},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    bench = tmp_path / "bench.json"
    bench.write_text(
        json.dumps(
            {
                "title": "python -m bench.run",
                "date": "2026-01-01",
                "pipelines": {"naive": {"metrics": {"hit@5": 0.4, "hit@10": 0.5}}},
            }
        ),
        encoding="utf-8",
    )
    page, out = tmp_path / "report.html", tmp_path / "report.json"
    args = ["eval", "file", str(questions), "--data-dir", str(sample_data_dir), "--no-mc"]
    args += ["--report", str(page), "--baseline", str(bench), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and text.count("<svg") == 2
    for series in ("newsrag", "dense only", "BM25 only", "make bench: naive"):
        assert series in text
    assert "open-answer accuracy" in text and "citation support" in text
    # Nothing to fetch: no scripts, stylesheets, images or frames from anywhere.
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|url\(", text)
    # The JSON report carries the same curves.
    curves = json.loads(out.read_text())["baselines"]["hit_at_k"]
    assert set(curves) == {"newsrag", "dense only", "BM25 only"}
    assert all(len(c) == 10 and c == sorted(c) for c in curves.values())
