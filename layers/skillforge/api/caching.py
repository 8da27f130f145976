"""HTTP caching keyed by release: reference data never changes inside a release, so a response's ETag
is a hash of (release fingerprint, route, normalised query) and can be checked before any query runs.

Lifetimes are the seed's: occupation details 24 h, skill hierarchies 7 days, search results 1 h.
`stale-while-revalidate` lets CDNs and clients serve while they refresh; API Gateway's stage cache uses
the same Cache-Control. A new release changes every ETag at once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

DETAIL_MAX_AGE = 24 * 3600
HIERARCHY_MAX_AGE = 7 * 24 * 3600
SEARCH_MAX_AGE = 3600
# Bump when a response's shape changes so clients do not keep an old representation under a valid ETag.
REPRESENTATION_VERSION = "1"


def cache_control(max_age: int) -> str:
    return f"public, max-age={max_age}, stale-while-revalidate=60"


def etag_for(release, route: str, params: dict[str, Any] | None = None) -> str:
    items = sorted((k, str(v)) for k, v in (params or {}).items() if v is not None)
    key = "|".join([REPRESENTATION_VERSION, release.release, release.fingerprint, route, repr(items)])
    return f'"{release.release}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"'


def if_none_match_matches(header_value: str | None, etag: str) -> bool:
    if not header_value:
        return False
    if header_value.strip() == "*":
        return True
    weak_free = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == weak_free for tag in header_value.split(","))


class LruCache:
    """A small in-Lambda cache of finished response bodies (bounded; thread-safe for the local server)."""

    def __init__(self, max_items: int = 2048):
        self.max_items = max_items
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
