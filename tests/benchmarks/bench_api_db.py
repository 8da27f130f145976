"""Shared set-up for the API benchmarks: a database holding the FULL O*NET 29.0 release.

`BENCH_DATABASE_URL` names one that is ready; otherwise a database `sf_bench_onet_29_0` on the local server
(DATABASE_URL's server, else the embedded PostgreSQL) is created, migrated and loaded once with the real
importer from `../shared/data/onet/db_29_0_text` + `../shared/data/bls` (about 30 s), then reused.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
ONET = Path(os.environ.get("ONET_FULL_SOURCE", ROOT.parent / "shared" / "data" / "onet" / "db_29_0_text"))
BLS = Path(os.environ.get("BLS_SOURCE", ROOT.parent / "shared" / "data" / "bls"))
DB_NAME = "sf_bench_onet_29_0"

os.environ.setdefault("SKILLFORGE_HOME", str(ROOT / ".skillforge"))
os.environ.setdefault("SKILLFORGE_ENV", "local")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
sys.path.insert(0, str(ROOT))


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def full_release_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    import psycopg

    base = os.environ.get("DATABASE_URL")
    if base:
        server = _with_db(base, "postgres")
    else:
        from skillforge.db.local import LocalServer

        server = LocalServer(Path(os.environ["SKILLFORGE_HOME"])).up("postgres")
    url = _with_db(server, DB_NAME)
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    with psycopg.connect(url) as conn:
        ready = (
            conn.execute("SELECT to_regclass('public.onet_releases') IS NOT NULL AS ok").fetchone()[0]
            and conn.execute(
                "SELECT count(*) FROM onet_releases WHERE release = '29.0' AND status = 'current'"
            ).fetchone()[0]
            == 1
        )
    if not ready:
        from skillforge.db.migrate import upgrade
        from skillforge.onet.importer import import_release

        upgrade(url)
        started = time.perf_counter()
        result = import_release(ONET, bls=BLS, url=url)
        if result.outcome not in ("published", "unchanged"):
            raise SystemExit(f"could not import the full release: {result.message}")
        print(f"imported the full O*NET 29.0 release into {DB_NAME} in {time.perf_counter() - started:.1f} s")
    return url


def point_api_at(url: str) -> None:
    from skillforge.reference import connection, releases

    connection.configure(url)
    releases.clear_cache()
