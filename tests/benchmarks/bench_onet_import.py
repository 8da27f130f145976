"""Benchmark: the full O*NET 29.0 release + BLS, validated, loaded, indexed and made current.

    .venv/bin/python tests/benchmarks/bench_onet_import.py            # or
    .venv/bin/python -m pytest tests/benchmarks/bench_onet_import.py -s

Uses DATABASE_URL, else the local embedded PostgreSQL (`skillforge.db.database_url()`), and works in a scratch
database that it creates, migrates and drops. Prints: wall time of `skillforge onet import` (a subprocess, so
its peak RSS is its own), the importer's stage timings, rows/s, the time of a second (identical) import, and
PostgreSQL's own COPY rate for the same rows into bare tables (no indexes, no constraints) as the baseline.
Targets (issue 3): under 60 s and under 1 GB peak RSS.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
ONET = Path(os.environ.get("ONET_SOURCE", ROOT.parent / "shared" / "data" / "onet" / "db_29_0_text"))
BLS = Path(os.environ.get("BLS_SOURCE", ROOT.parent / "shared" / "data" / "bls"))
TARGET_SECONDS = 60
TARGET_RSS_MB = 1024


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def _server_url() -> str:
    os.environ.setdefault("SKILLFORGE_HOME", str(ROOT / ".skillforge"))
    from skillforge.db import database_url

    return database_url()


def _cli_import(url: str) -> tuple[dict, float, float]:
    env = {**os.environ, "DATABASE_URL": url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "skillforge"),
            "onet",
            "import",
            str(ONET),
            "--bls",
            str(BLS),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise RuntimeError(f"import failed ({done.returncode}): {done.stdout[-3000:]} {done.stderr[-3000:]}")
    return json.loads(done.stdout), wall, max(peak, before) / 1024


# PostgreSQL COPY text format, written in ~1 MB chunks: the baseline feeds the server pre-formatted text so it
# measures PostgreSQL's own COPY rate, not Python formatting (the importer itself uses psycopg's write_row).
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
CHUNK = 1 << 20


def _array(values: list) -> str:
    items = []
    for v in values:
        s = str(v).replace("\\", "\\\\").replace('"', '\\"')
        items.append(f'"{s}"')
    return "{" + ",".join(items) + "}"


def _field(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return _array(list(value)).translate(_ESCAPES)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _chunks(rows: Iterable[tuple]) -> Iterator[str]:
    buf: list[str] = []
    size = 0
    for row in rows:
        line = "\t".join([_field(v) for v in row]) + "\n"
        buf.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)


def _baseline_copy(url: str) -> tuple[int, float]:
    """PostgreSQL's own COPY rate: the importer's normalised rows, pre-formatted, into bare tables."""
    from skillforge.onet.bls import read_bls
    from skillforge.onet.normalise import normalise
    from skillforge.onet.parse import parse_release, read_inputs
    from skillforge.onet.report import Report
    from skillforge.onet.source import BlsFiles, ReleaseSource

    report = Report()
    parsed = parse_release(read_inputs(ReleaseSource.open(ONET)), str(ONET), report)
    files = BlsFiles.find(BLS)
    norm = normalise(parsed, read_bls(files.oews, files.ep, report))
    payloads = {t: list(_chunks(rows)) for t, rows in norm.tables.items()}
    total = sum(len(rows) for rows in norm.tables.values())
    with psycopg.connect(url) as conn:
        conn.execute("CREATE SCHEMA bench_raw")
        conn.execute(
            "SELECT sf_onet_create_tables('onet_bench_types')"
        )  # same column types, then bare copies
        for table in norm.tables:
            conn.execute(f"CREATE TABLE bench_raw.{table} (LIKE onet_bench_types.{table})")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur:
            for table, cols in norm.columns.items():
                with cur.copy(f"COPY bench_raw.{table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for chunk in payloads[table]:
                        copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - start
    return total, seconds


def run_benchmark() -> dict:
    server = _server_url()
    name = f"bench_onet_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_with_db(server, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(server, name)
    try:
        from skillforge.db.migrate import upgrade

        upgrade(url)
        result, wall, peak_mb = _cli_import(url)
        second, second_wall, _ = _cli_import(url)
        rows, copy_seconds = _baseline_copy(url)
    finally:
        with psycopg.connect(_with_db(server, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    figures = {
        "source": str(ONET),
        "bls": str(BLS),
        "outcome": result["outcome"],
        "second_outcome": second["outcome"],
        "rows": result["total_rows"],
        "wall_seconds": round(wall, 2),
        "importer_seconds": result["timings"]["total"],
        "stages": result["timings"],
        "peak_rss_mb": round(peak_mb, 1),
        "rows_per_second": round(result["total_rows"] / wall),
        "second_import_seconds": round(second_wall, 2),
        "baseline_copy_rows": rows,
        "baseline_copy_seconds": round(copy_seconds, 2),
        "baseline_copy_rows_per_second": round(rows / copy_seconds),
        "copy_stage_rows_per_second": round(result["total_rows"] / result["timings"]["copy"]),
    }
    return figures


def print_figures(f: dict) -> None:
    print(f"\nO*NET import benchmark ({f['source']} + {f['bls']})")
    print(
        f"  outcome: {f['outcome']}; second identical import: {f['second_outcome']} in {f['second_import_seconds']} s"
    )
    print(f"  rows loaded: {f['rows']:,}")
    print(
        f"  wall time (CLI, incl. interpreter start): {f['wall_seconds']} s   (target < {TARGET_SECONDS} s)"
    )
    print(
        f"  importer total: {f['importer_seconds']} s; stages: "
        + ", ".join(f"{k} {v}s" for k, v in f["stages"].items() if k != "total")
    )
    print(f"  peak RSS of the import process: {f['peak_rss_mb']} MB   (target < {TARGET_RSS_MB} MB)")
    print(
        f"  end-to-end rate: {f['rows_per_second']:,} rows/s (validate + normalise + COPY + index + checks + swap)"
    )
    print(f"  COPY stage rate: {f['copy_stage_rows_per_second']:,} rows/s (incl. Python formatting)")
    print(
        f"  PostgreSQL COPY baseline, same rows into bare tables: {f['baseline_copy_rows_per_second']:,} rows/s "
        f"({f['baseline_copy_rows']:,} rows in {f['baseline_copy_seconds']} s)"
    )
    print(
        f"  end to end = {f['rows_per_second'] / f['baseline_copy_rows_per_second']:.0%} of the raw COPY rate"
    )


@pytest.mark.benchmark
def test_full_release_import_meets_targets():
    if not ONET.is_dir():
        pytest.skip(f"{ONET} not present")
    figures = run_benchmark()
    print_figures(figures)
    assert figures["outcome"] == "published" and figures["second_outcome"] == "unchanged"
    assert figures["wall_seconds"] < TARGET_SECONDS
    assert figures["peak_rss_mb"] < TARGET_RSS_MB


if __name__ == "__main__":
    f = run_benchmark()
    print_figures(f)
    print(json.dumps(f))
