"""One database connection per thread, kept across warm Lambda invocations and re-opened after a failure.

Lambda runs one request at a time per instance, so this is one connection per instance; the local server
and the concurrency benchmarks run several threads, each with its own connection. Reference reads are
idempotent, so a call that fails on a dead connection is retried once on a new one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()
_url_override: str | None = None


def configure(url: str | None) -> None:
    """Point every thread at another database (tests, benchmarks); closes nothing that is in use."""
    global _url_override
    _url_override = url
    reset()


def reset() -> None:
    conn = getattr(_local, "conn", None)
    _local.conn = None
    if conn is not None:
        with contextlib.suppress(Exception):  # a dead connection may fail to close; it is gone either way
            conn.close()


def _open():
    from skillforge.db import connect

    # autocommit: every read is its own statement, so a warm connection never idles inside a transaction.
    return connect(_url_override, autocommit=True)


def target() -> tuple[str | None, str | None]:
    """Which database the connections point at: the configured override, else DATABASE_URL (else the AWS or local
    default). A thread's connection follows a change (tests point the code at one database after another)."""
    from skillforge.config import get_settings

    return _url_override, get_settings().database_url


def get_connection():
    conn = getattr(_local, "conn", None)
    where = target()
    if conn is not None and getattr(_local, "target", None) != where:
        reset()
        conn = None
    if conn is None or conn.closed:
        conn = _local.conn = _open()
        _local.target = where
    return conn


def run(work: Callable[[Any], T]) -> T:
    """Run `work(conn)`; on a broken connection, reconnect and try once more."""
    import psycopg

    conn = get_connection()
    try:
        return work(conn)
    except (psycopg.OperationalError, psycopg.InterfaceError):
        if not conn.closed and not conn.broken:
            raise
        reset()
        return work(get_connection())


def fetch_all(sql: str, params: Any = None) -> list[dict[str, Any]]:
    return run(lambda conn: conn.execute(sql, params).fetchall())


def fetch_one(sql: str, params: Any = None) -> dict[str, Any] | None:
    return run(lambda conn: conn.execute(sql, params).fetchone())
