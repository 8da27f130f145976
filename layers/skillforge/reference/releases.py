"""Which O*NET release a request reads, and the schema that holds it.

The current release is looked up at most every few seconds per process: a publish flips it in one
transaction, and a reader that sees the old one for a few more seconds still reads one consistent release
(every query names the release's own schema, never a mix of views and tables).

A release named by a request (`?release=29.0`) is looked up on every request, not cached: `onet prune` drops
the schemas of old releases, and a cached look-up would keep pointing a process at a dropped schema (a 500 for
as long as the process lives). The look-up is one indexed row plus a catalog check, and pinned reads are rare.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from skillforge.errors import InvalidInput, NotFound, Unavailable
from skillforge.reference import connection

RELEASE_RE = re.compile(r"^[0-9]{1,3}\.[0-9]{1,2}$")
SCHEMA_RE = re.compile(r"^onet_r[0-9_]+$")
CURRENT_TTL_SECONDS = 5.0
READABLE = ("current", "validated", "retired")


@dataclass(frozen=True)
class Release:
    release: str
    schema: str
    fingerprint: str
    status: str

    def table(self, name: str) -> str:
        """Qualified name of one of this release's tables. `name` is always a literal from our code."""
        return f'"{self.schema}".{name}'


_lock = threading.Lock()
_current: tuple[float, Release] | None = None


def clear_cache() -> None:
    global _current
    with _lock:
        _current = None


def _row_to_release(row) -> Release:
    schema = row["schema_name"]
    if not SCHEMA_RE.match(schema):  # the table's CHECK says the same; identifiers are never taken on trust
        raise Unavailable(f"release {row['release']} has an invalid schema name")
    return Release(
        release=row["release"], schema=schema, fingerprint=row["fingerprint"], status=str(row["status"])
    )


def current_release() -> Release:
    global _current
    now = time.monotonic()
    cached = _current
    if cached and now - cached[0] < CURRENT_TTL_SECONDS:
        return cached[1]
    row = connection.fetch_one(
        "SELECT release, schema_name, fingerprint, status::text AS status FROM onet_releases "
        "WHERE status = 'current'"
    )
    if row is None:
        raise Unavailable("no O*NET release is loaded yet: run `skillforge onet import`")
    release = _row_to_release(row)
    with _lock:
        _current = (now, release)
    return release


def resolve(release: str | None) -> Release:
    """The current release, or the named one (which must be loaded, readable and still retained)."""
    if release is None:
        return current_release()
    if not RELEASE_RE.match(release):
        raise InvalidInput(
            "release must look like '29.0'",
            [{"field": "query.release", "rule": "pattern", "message": "expected e.g. 29.0"}],
        )
    row = connection.fetch_one(
        "SELECT release, schema_name, fingerprint, status::text AS status, "
        "EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.schema_name) AS retained "
        "FROM onet_releases r WHERE release = %s",
        (release,),
    )
    if row is None or row["status"] not in READABLE:
        raise NotFound(
            f"O*NET release {release} is not available",
            [{"field": "query.release", "rule": "known_release", "message": f"{release} is not loaded"}],
        )
    if not row["retained"]:
        raise NotFound(
            f"O*NET release {release} is no longer retained (its schema was pruned)",
            [{"field": "query.release", "rule": "retained_release", "message": f"{release} was pruned"}],
        )
    return _row_to_release(row)


def list_releases() -> list[dict]:
    return connection.fetch_all(
        "SELECT release, status::text AS status, loaded_at, made_current_at FROM onet_releases r "
        "WHERE status IN ('current', 'validated', 'retired') "
        "AND EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.schema_name) "
        "ORDER BY made_current_at DESC NULLS LAST, release DESC"
    )
