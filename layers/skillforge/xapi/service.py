"""What the HTTP and SQS entry points share: a database connection scoped for intake and the per-process
caches of the instrument registry and the interest index (both small, refreshed every few minutes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from skillforge.xapi.instruments import Registry
from skillforge.xapi.intake import Attachments, IntakeResult, ingest
from skillforge.xapi.recommendations import InterestIndex

CACHE_TTL_S = 300.0
_cache: dict[str, tuple[float, Any]] = {}


def _cached(name: str, conn, loader: Callable[[Any], Any]) -> Any:
    hit = _cache.get(name)
    if hit and time.monotonic() - hit[0] < CACHE_TTL_S:
        return hit[1]
    value = loader(conn)
    _cache[name] = (time.monotonic(), value)
    return value


def clear_caches() -> None:
    _cache.clear()


def _instrument_keys(statements: list) -> set[tuple[Any, Any]]:
    from skillforge.xapi.vocabulary import EXT_INSTRUMENT_VERSION

    keys = set()
    for s in statements:
        if isinstance(s, dict) and isinstance(s.get("object"), dict) and isinstance(s.get("context"), dict):
            extensions = s["context"].get("extensions")
            if isinstance(extensions, dict):
                keys.add((s["object"].get("id"), extensions.get(EXT_INSTRUMENT_VERSION)))
    return keys


def run_intake(
    statements: list,
    *,
    channel: str,
    partner_code: str | None,
    atomic: bool,
    attachment_hashes: Attachments = None,
    url: str | None = None,
) -> IntakeResult:
    from skillforge.db import connect, database_url

    url = url or database_url()
    # The caller's own tenant: row-level security keeps intake inside it (and every write names it too).
    with connect(url, tenant=partner_code or "direct") as conn:
        registry = _cached(f"registry:{url}", conn, Registry.load)
        if not all(registry.knows(iri, version) for iri, version in _instrument_keys(statements)):
            _cache.pop(f"registry:{url}", None)  # a version registered since the cache was filled
            registry = _cached(f"registry:{url}", conn, Registry.load)
        # Loading the index costs one query; batches without results never need it.
        needs_index = any(isinstance(s, dict) and "result" in s for s in statements)
        index = _cached(f"interest_index:{url}", conn, InterestIndex.load) if needs_index else None
        result = ingest(
            conn,
            statements,
            channel=channel,
            partner_code=partner_code,
            atomic=atomic,
            attachment_hashes=attachment_hashes,
            registry=registry,
            interest_index=index,
        )
        conn.commit()
    return result
