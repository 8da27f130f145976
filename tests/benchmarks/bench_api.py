"""Career API speed on the FULL O*NET 29.0 release: the in-process Lambda handler (API Gateway proxy events
in, proxy responses out) on real PostgreSQL. Targets (p95): search < 15 ms, detail < 10 ms, match < 50 ms;
cold start (importing the handler module) < 400 ms.

Prints p50/p95/p99 and requests per second for 1, 4 and 16 concurrent clients. A client is a process with
its own handler and connection, as a Lambda instance is (the resolver serves one request at a time). Detail is measured with the in-Lambda response cache OFF (every
request reads the database) and, separately, ON.

Search also reports what a new instance pays on its first searches (loading the release's title vocabulary
for spelling correction, then its deletion index at the first unknown word).

Run: .venv/bin/python tests/benchmarks/bench_api.py [--requests 400] [--only search]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api_db import ROOT, full_release_url, point_api_at


def cold_start(runs: int = 7) -> list[float]:
    code = (
        "import sys, time; sys.path.insert(0, 'functions/career_api'); t = time.perf_counter(); "
        "import handler; print((time.perf_counter() - t) * 1000)"
    )
    out = []
    for _ in range(runs):
        res = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        )
        out.append(float(res.stdout.strip().splitlines()[-1]))
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _worker(args) -> dict:
    """One simulated Lambda instance: its own process, handler module and database connection."""
    url, workload, requests, seed, cache_items, start_at = args
    point_api_at(url)
    from skillforge.api.app import lambda_handler
    from skillforge.api.local_server import LocalContext
    from skillforge.api.routes.reference import _detail_cache, _search_cache

    _detail_cache.max_items = _search_cache.max_items = cache_items
    make = workloads(random.Random(seed))[workload]
    events = [make() for _ in range(requests)]
    for event in events[: max(20, requests // 10)]:  # warm: connection, matrix
        lambda_handler(event, LocalContext())
    if cache_items and workload == "detail":  # a long-warm instance: every occupation already in its cache
        from skillforge.api.local_server import to_proxy_event
        from skillforge.matching.matrix import matrix_for
        from skillforge.reference.releases import current_release

        for code in matrix_for(current_release()).codes:
            lambda_handler(to_proxy_event("GET", f"/v1/occupations/{code}", {}, None), LocalContext())
    while time.time() < start_at:
        time.sleep(0.001)
    latencies, errors = [], []
    began = time.time()
    for event in events:
        t = time.perf_counter()
        result = lambda_handler(event, LocalContext())
        latencies.append((time.perf_counter() - t) * 1000)
        if result["statusCode"] != 200:
            errors.append(result["body"][:200])
    return {"latencies": latencies, "began": began, "ended": time.time(), "errors": errors}


def workloads(rng: random.Random) -> dict:
    from bench_search_relevance import relevance_set

    from skillforge.api.local_server import to_proxy_event
    from skillforge.matching.matrix import matrix_for
    from skillforge.reference.releases import current_release

    matrix = matrix_for(current_release())
    codes = matrix.codes
    queries = [c["query"] for c in relevance_set()] + [
        "manager",
        "nurse",
        "engineer",
        "teacher",
        "driver",
        "analyst",
        "technician",
        "assistant",
        "operator",
    ]
    sk = [j for j, e in enumerate(matrix.element_ids) if e[:3] in ("2.A", "2.B", "2.C")]
    rows = [r for r in range(len(codes)) if matrix.critical[r, sk].any()]

    def search():
        return to_proxy_event("GET", f"/v1/occupations?q={quote(rng.choice(queries))}&limit=20", {}, None)

    def detail():
        return to_proxy_event("GET", f"/v1/occupations/{rng.choice(codes)}", {}, None)

    def match():
        row = rng.choice(rows)
        required = [j for j in sk if matrix.critical[row, j]]
        chosen = rng.sample(required, max(1, int(0.7 * len(required))))
        skills = [
            {
                "element_id": matrix.element_ids[j],
                "level": round(min(7.0, max(0.0, float(matrix.level[row, j]) + rng.uniform(-1, 1))), 2),
            }
            for j in chosen
        ]
        return to_proxy_event(
            "POST",
            "/v1/match",
            {"Content-Type": "application/json"},
            json.dumps({"skills": skills, "limit": 20}).encode(),
        )

    return {"search": search, "detail": detail, "match": match}


def _first_search(url: str) -> dict:
    """A new instance (fresh process, connection already open): its first search loads the release's title
    vocabulary, its first query with an unknown word builds the spelling index; the next ones are warm."""
    point_api_at(url)
    from skillforge.api.app import lambda_handler
    from skillforge.api.local_server import LocalContext, to_proxy_event
    from skillforge.reference.releases import current_release

    current_release()  # the connection and the release lookup are not the search's cost
    out = {}
    for label, q in (
        ("first search", "nurse"),
        ("second search", "teacher"),
        ("first query with a typo", "sofware developer"),
        ("second query with a typo", "plumer"),
    ):
        started = time.perf_counter()
        result = lambda_handler(
            to_proxy_event("GET", f"/v1/occupations?q={quote(q)}", {}, None), LocalContext()
        )
        out[label] = (time.perf_counter() - started) * 1000
        assert result["statusCode"] == 200, result["body"][:200]
    return out


def first_search(url: str, runs: int = 5) -> dict[str, float]:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        with ctx.Pool(1) as pool:
            for label, ms in pool.apply(_first_search, (url,)).items():
                samples.setdefault(label, []).append(ms)
    return {label: statistics.median(values) for label, values in samples.items()}


def run(url: str, workload: str, clients: int, total: int, cache_items: int) -> dict:
    import multiprocessing

    per_client = max(1, total // clients)
    start_at = (
        time.time() + 6 + clients * (1.5 if cache_items else 0.4)
    )  # every instance imported and warmed before the clock starts
    ctx = multiprocessing.get_context("spawn")  # no psycopg connection crosses a fork
    with ctx.Pool(clients) as pool:
        results = pool.map(
            _worker,
            [(url, workload, per_client, 1000 * clients + i, cache_items, start_at) for i in range(clients)],
        )
    errors = [e for r in results for e in r["errors"]]
    if errors:
        raise SystemExit(f"{len(errors)} requests failed, e.g. {errors[0]}")
    latencies = [x for r in results for x in r["latencies"]]
    wall = max(r["ended"] for r in results) - min(r["began"] for r in results)
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "rps": len(latencies) / wall,
        "n": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="requests per workload and concurrency")
    parser.add_argument(
        "--only",
        choices=("search", "detail", "match"),
        action="append",
        help="run only these workloads (repeatable); default all",
    )
    args = parser.parse_args()

    cold = cold_start()
    print(
        f"cold start: importing the handler module: median {statistics.median(cold):.0f} ms, "
        f"max {max(cold):.0f} ms over {len(cold)} fresh interpreters"
    )

    url = full_release_url()
    point_api_at(url)
    from skillforge.matching.matrix import matrix_for
    from skillforge.reference.releases import current_release

    started = time.perf_counter()
    matrix_for(current_release())
    print(
        f"first match on a new instance loads the release matrix: {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    if not args.only or "search" in args.only:
        costs = first_search(url)
        print(
            "search on a new instance (median of 5 fresh processes): "
            + ", ".join(f"{label} {ms:.1f} ms" for label, ms in costs.items())
        )
    print(
        f"{'workload':<22} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}  "
        f"(clients = processes, each one Lambda instance; {os.cpu_count()} CPUs shared with PostgreSQL)"
    )
    for label, workload, cache_items in (
        ("search (cache off)", "search", 0),
        ("search (cache on)", "search", 4096),
        ("detail (cache off)", "detail", 0),
        ("detail (cache on)", "detail", 4096),
        ("match", "match", 0),
    ):
        if args.only and workload not in args.only:
            continue
        for clients in (1, 4, 16):
            r = run(url, workload, clients, args.requests, cache_items)
            print(
                f"{label:<22} {clients:>7} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['p99']:>8.2f} {r['rps']:>8.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
