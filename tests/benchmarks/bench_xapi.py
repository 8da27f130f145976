"""xAPI benchmarks (on demand): validation throughput on one core, and a 1,000-statement batch end to end.

Run:  .venv/bin/python -m pytest tests/benchmarks/bench_xapi.py -s
  or: .venv/bin/python tests/benchmarks/bench_xapi.py            (validation only, no database)
Targets (issue 6): >= 5,000 validations/s on one core; 1,000 statements validated + stored + recommended < 2 s\n(median of three cold-cache runs, both through `run_intake` and through the Lambda handler with a JSON body).
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
from tests.xapi.test_api import LambdaContext

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
    print(
        f"\n[bench_xapi] validation: {rate:,.0f} statements/s on one core "
        f"({rate_with_parse:,.0f}/s including JSON parsing); target >= {VALIDATION_TARGET:,}"
    )
    assert rate >= VALIDATION_TARGET


if __name__ == "__main__":
    _pin_one_core()
    print(
        f"validation: {measure_validation():,.0f} statements/s; "
        f"with JSON parsing: {measure_validation(include_parse=True):,.0f}/s (target >= {VALIDATION_TARGET:,})"
    )


# -- end to end: 1,000 statements validated, stored (encrypted), mapped and recommended -----------------
BATCH_TARGET_S = 2.0
FULL_RELEASE = ROOT.parent / "shared" / "data" / "onet" / "db_29_0_text"


def _profiles(n: int) -> list[dict]:
    import random

    rng = random.Random(7)
    return [{x: rng.randint(0, 40) for x in "RIASEC"} for _ in range(n)]


def test_batch_of_1000_end_to_end(db_factory):
    import psycopg
    from moto import mock_aws
    from psycopg.rows import dict_row

    from skillforge import pii
    from skillforge.local.stack import provision
    from skillforge.xapi.service import clear_caches, run_intake
    from tests.xapi.conftest import IP_SHA256, SAMPLE, create_user, seed_reference
    from tests.xapi.statements import IP_ACTIVITY

    url = db_factory.new("sf_bench")
    folder = FULL_RELEASE if (FULL_RELEASE / "Interests.txt").exists() else SAMPLE
    with mock_aws():
        pii.reset_for_tests()
        provision("local")
        with psycopg.connect(url, row_factory=dict_row, autocommit=True) as conn:
            occupations = seed_reference(conn, folder)
            conn.execute(
                "INSERT INTO assessment_instruments (instrument_iri, version, sha256, assessment_type) "
                "VALUES (%s, '2.0', %s, 'interest_profiler')",
                (IP_ACTIVITY, IP_SHA256),
            )
            from skillforge.pathways import publish_directory

            publish_directory(conn, changed_by="bench")
        for i in range(500):
            create_user(url, email=f"learner{i}@example.com")

        def batch(run: int) -> list[dict]:
            return [
                interest_profiler(
                    email=f"learner{i}@example.com" if i % 2 == 0 else f"new{run}-{i}@example.com",
                    scores=profile,
                    checksum=IP_SHA256,
                    job_zone=(i % 5) + 1,
                )
                for i, profile in enumerate(_profiles(1000))
            ]

        figures = []
        for run in range(3):
            statements = batch(run)
            clear_caches()  # cold: registry and interest index loaded inside the timing
            start = time.perf_counter()
            result = run_intake(statements, channel="http", partner_code=None, atomic=True, url=url)
            elapsed = time.perf_counter() - start
            assert result.committed and all(o.ok for o in result.outcomes)
            figures.append(elapsed)

        # The same through the Lambda handler: API Gateway event, JSON body, auth, response.
        http_figures = []
        os.environ["DATABASE_URL"] = url
        from skillforge.api import statements
        from skillforge.config import get_settings

        get_settings.cache_clear()
        try:
            for run in range(3, 6):
                body = json.dumps(batch(run))
                event = {
                    "httpMethod": "POST",
                    "path": "/v1/xapi/statements",
                    "resource": "/v1/xapi/statements",
                    "headers": {"Content-Type": "application/json", "X-Experience-API-Version": "1.0.3"},
                    "multiValueHeaders": {},
                    "queryStringParameters": None,
                    "body": body,
                    "isBase64Encoded": False,
                    "requestContext": {
                        "authorizer": {"claims": {"sub": "bench", "custom:role": "platform_admin"}},
                        "requestId": f"bench-{run}",
                        "stage": "bench",
                    },
                }
                clear_caches()
                start = time.perf_counter()
                response = statements.lambda_handler(event, LambdaContext())
                http_figures.append(time.perf_counter() - start)
                assert response["statusCode"] == 200, response["body"][:500]
        finally:
            os.environ.pop("DATABASE_URL", None)
            get_settings.cache_clear()
        with psycopg.connect(url, row_factory=dict_row) as conn:
            counts = conn.execute(
                "SELECT count(*) FILTER (WHERE status = 'completed') AS completed, "
                "count(*) FILTER (WHERE status = 'pending_user') AS pending, "
                "count(*) FILTER (WHERE recommended_onet_code IS NOT NULL) AS recommended "
                "FROM assessments"
            ).fetchone()
        pii.reset_for_tests()
    median, http_median = sorted(figures)[1], sorted(http_figures)[1]
    print(
        f"\n[bench_xapi] 1,000 statements validated + stored (KMS-encrypted) + mapped + recommended against "
        f"{occupations} occupations ({folder.name}): median {median:.2f} s, runs "
        f"{', '.join(f'{f:.2f}' for f in figures)} s ({1000 / median:,.0f} statements/s); through the Lambda "
        f"handler (JSON body, auth): median {http_median:.2f} s, runs {', '.join(f'{f:.2f}' for f in http_figures)} s;"
        f" target < {BATCH_TARGET_S} s; assessments: {counts}"
    )
    assert median < BATCH_TARGET_S and http_median < BATCH_TARGET_S
