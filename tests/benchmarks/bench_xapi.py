"""xAPI benchmarks (on demand): validation throughput on one core, and a 1,000-statement batch end to end.

Run:  .venv/bin/python -m pytest tests/benchmarks/bench_xapi.py -s
  or: .venv/bin/python tests/benchmarks/bench_xapi.py            (validation only, no database)
Targets (issue 6): >= 5,000 validations/s on one core; 1,000 statements validated + stored + recommended < 2 s.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from skillforge.xapi.payload import parse_statements
from skillforge.xapi.validator import validate_statement

from tests.xapi.statements import full, interest_profiler, minimal, substatement

VALIDATION_TARGET = 5_000


def _pin_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        except OSError:
            pass


def corpus(n: int) -> list[dict]:
    makers = [minimal, full, substatement, interest_profiler]
    return [makers[i % len(makers)]() for i in range(n)]


def measure_validation(n: int = 20_000, *, include_parse: bool = False) -> float:
    statements = corpus(n)
    body = json.dumps(statements)
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        batch = parse_statements(body)[0] if include_parse else statements
        for statement in batch:
            validate_statement(statement)
        best = max(best, n / (time.perf_counter() - start))
    return best


def test_validation_throughput():
    _pin_one_core()
    rate = measure_validation()
    rate_with_parse = measure_validation(include_parse=True)
    print(f"\n[bench_xapi] validation: {rate:,.0f} statements/s on one core "
          f"({rate_with_parse:,.0f}/s including JSON parsing); target >= {VALIDATION_TARGET:,}")
    assert rate >= VALIDATION_TARGET


if __name__ == "__main__":
    _pin_one_core()
    print(f"validation: {measure_validation():,.0f} statements/s; "
          f"with JSON parsing: {measure_validation(include_parse=True):,.0f}/s (target >= {VALIDATION_TARGET:,})")
