"""Search relevance on the FULL O*NET 29.0 release: the set in docs/search-relevance.md (query -> expected
occupation in top 1 or top 3), run through the real handler. Prints hit rates per category and the misses.

Run: .venv/bin/python tests/benchmarks/bench_search_relevance.py
"""

from __future__ import annotations

import json
import random
import statistics
import string
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api_db import ROOT, full_release_url, point_api_at

DOC = ROOT / "docs" / "search-relevance.md"


def relevance_set() -> list[dict[str, str]]:
    rows, in_table = [], False
    for line in DOC.read_text().splitlines():
        if line.startswith("| query |"):
            in_table = True
            continue
        if in_table and line.startswith("| ---"):
            continue
        if in_table and line.startswith("|"):
            query, expected, where, category = [c.strip() for c in line.strip("|").split("|")]
            rows.append({"query": query, "expected": expected, "in": where, "category": category})
        elif in_table:
            break
    return rows


def typo(query: str, rng: random.Random) -> str:
    """One random typing slip (drop, swap of neighbours, wrong letter, extra letter) in one word of five
    letters or more."""
    words = query.split()
    long_words = [i for i, w in enumerate(words) if len(w) >= 5]
    i = rng.choice(long_words)
    w, k = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.choice(("drop", "swap", "wrong", "extra"))
    if kind == "drop":
        w = w[:k] + w[k + 1 :]
    elif kind == "swap":
        w = w[:k] + w[k + 1] + w[k] + w[k + 2 :]
    elif kind == "wrong":
        w = w[:k] + rng.choice([c for c in string.ascii_lowercase if c != w[k]]) + w[k + 1 :]
    else:
        w = w[:k] + rng.choice(string.ascii_lowercase) + w[k:]
    return " ".join(words[:i] + [w] + words[i + 1 :])


def generated_typos(cases: list[dict[str, str]], per_query: int = 3, seed: int = 29) -> list[dict[str, str]]:
    """Held out from tuning: random slips in the correctly spelt queries of the set, expected in the top 3."""
    rng = random.Random(seed)
    out = []
    for case in cases:
        if case["category"] in ("official", "alternate", "colloquial") and any(
            len(w) >= 5 for w in case["query"].split()
        ):
            for _ in range(per_query):
                out.append(
                    {**case, "query": typo(case["query"], rng), "in": "top3", "category": "generated typo"}
                )
    return out


def main() -> None:
    point_api_at(full_release_url())
    from skillforge.api.app import lambda_handler
    from skillforge.api.local_server import LocalContext, to_proxy_event

    cases = relevance_set()
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    misses = []
    top1 = top3 = passed = 0
    for case in cases:
        event = to_proxy_event("GET", f"/v1/occupations?q={quote(case['query'])}&limit=10", {}, None)
        result = lambda_handler(event, LocalContext())
        codes = [i["onet_code"] for i in json.loads(result["body"])["items"]]
        rank = codes.index(case["expected"]) + 1 if case["expected"] in codes else None
        ok = rank is not None and rank <= (1 if case["in"] == "top1" else 3)
        top1 += rank == 1
        top3 += rank is not None and rank <= 3
        passed += ok
        stats = by_cat[case["category"].split(",")[0].split(" ")[0]]
        stats[0] += 1
        stats[1] += rank == 1
        stats[2] += ok
        if not ok:
            misses.append(
                f"  {case['query']!r}: expected {case['expected']} in {case['in']}, got rank {rank}; "
                f"top 3 = {codes[:3]}"
            )
    n = len(cases)
    print(
        f"{n} queries: top-1 {top1 / n:.1%}, top-3 {top3 / n:.1%}, meeting their own target {passed / n:.1%}"
    )
    for cat, (count, first, ok) in sorted(by_cat.items()):
        print(f"  {cat:<13} {count:>3} queries  top-1 {first / count:>6.1%}  target met {ok / count:>6.1%}")
    if misses:
        print("misses:")
        print("\n".join(misses))

    held_out = generated_typos(cases)
    hits1 = hits3 = 0
    latencies, missed = [], []
    for case in held_out:
        event = to_proxy_event("GET", f"/v1/occupations?q={quote(case['query'])}&limit=10", {}, None)
        started = time.perf_counter()
        result = lambda_handler(event, LocalContext())
        latencies.append((time.perf_counter() - started) * 1000)
        codes = [i["onet_code"] for i in json.loads(result["body"])["items"]]
        hits1 += codes[:1] == [case["expected"]]
        hits3 += case["expected"] in codes[:3]
        if case["expected"] not in codes[:3]:
            missed.append(case["query"])
    n = len(held_out)
    print(
        f"{n} generated one-slip typos of the set's official, alternate and colloquial queries (seeded, "
        f"held out from tuning): top-1 {hits1 / n:.1%}, top-3 {hits3 / n:.1%}; first run per query "
        f"median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms"
    )
    if missed:
        print("  not in the top 3: " + ", ".join(repr(q) for q in missed))


if __name__ == "__main__":
    main()
