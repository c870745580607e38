"""Load test for ``POST /v1/ask``: N concurrent clients for a while; prints latency percentiles.

Against a running server with the samples ingested, e.g.::

    NEWSRAG_RATE_LIMIT_PER_MINUTE=100000 newsrag serve --data-dir /tmp/nr-bench \\
        --ingest examples/articles --port 8765 &
    python -m bench.api_load --url http://127.0.0.1:8765 --clients 10 --duration 30

(In local-only mode every loopback client shares one rate-limit bucket: raise the limit, or
pass --key with a key per run.) Not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections import Counter

import httpx

QUESTIONS = [
    "How many soldiers died at Dioura?",
    "How many attackers were killed at Timbuktu?",
    "Who claimed the attack on the Boulikessi base?",
    "What did the army say about the Timbuktu camp attack?",
    "When did the Reserve Bank of Norland cut its rate?",
    "How long is the Port Alder tram line?",
    "Who won the national cup final?",
    "How many soldiers died in the Sahel in May?",
    "When did the UN mission leave Mali?",
    "What did the Langley report warn coastal states about?",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--duration", type=float, default=30.0, help="Seconds of load.")
    parser.add_argument("--key", help="API key (not needed in local-only mode).")
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = parser.parse_args()

    headers = {"Authorization": f"Bearer {args.key}"} if args.key else {}
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    lock = threading.Lock()
    with httpx.Client(base_url=args.url, headers=headers, timeout=120) as warm:
        warm.post("/v1/ask", json={"question": QUESTIONS[0]}).raise_for_status()
    start = time.perf_counter()
    stop_at = start + args.duration

    def client(n: int) -> None:
        with httpx.Client(base_url=args.url, headers=headers, timeout=120) as http:
            i = n
            while time.perf_counter() < stop_at:
                question = QUESTIONS[i % len(QUESTIONS)]
                i += 1
                t0 = time.perf_counter()
                try:
                    r = http.post("/v1/ask", json={"question": question})
                    status = str(r.status_code)
                except httpx.HTTPError as e:
                    status = type(e).__name__
                elapsed = time.perf_counter() - t0
                with lock:
                    statuses[status] += 1
                    if status == "200":
                        latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    if not latencies:
        raise SystemExit(f"no successful request: {dict(statuses)}")
    figures = {
        "clients": args.clients,
        "seconds": round(wall, 1),
        "requests_ok": len(latencies),
        "statuses": dict(statuses),
        "throughput_rps": round(len(latencies) / wall, 2),
        "p50_ms": round(percentile(latencies, 0.50) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "p99_ms": round(percentile(latencies, 0.99) * 1000),
        "mean_ms": round(statistics.fmean(latencies) * 1000),
        "max_ms": round(max(latencies) * 1000),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"{figures['requests_ok']} answers from {args.clients} clients in {figures['seconds']} s "
        f"({figures['throughput_rps']} answers/s); statuses {figures['statuses']}"
    )
    print(
        f"latency p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms, "
        f"p99 {figures['p99_ms']} ms, mean {figures['mean_ms']} ms, max {figures['max_ms']} ms"
    )


if __name__ == "__main__":
    main()
