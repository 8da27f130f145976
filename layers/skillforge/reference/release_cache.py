"""An in-memory value derived from one release (matching matrix, search vocabulary), built once per process.

Only the latest release asked for is kept: a warm Lambda serves the current release, and a request pinned to
an older one rebuilds on demand rather than holding two copies in memory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class LatestReleaseCache(Generic[T]):
    def __init__(self) -> None:
        # One (key, value) tuple, replaced whole, so a lock-free reader never pairs a key with another value.
        self._entry: tuple[Hashable, T] | None = None
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        entry = self._entry
        if entry is not None and entry[0] == key:
            return entry[1]
        with self._lock:
            entry = self._entry
            if entry is None or entry[0] != key:
                entry = (key, build())
                self._entry = entry
            return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entry = None
