"""A small time-to-live cache for the catalog's public reads.

The store front is read far more often than it changes, and every read would
otherwise cost an HTTP hop to the catalog. Each gateway process keeps what it
read for a few seconds (GATEWAY_CATALOG_CACHE_SECONDS); a staff change made
through a process clears that process's cache at once, and other processes
show it when their entries expire. Staff reads never go through the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class TTLCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: str, load: Callable[[], T]) -> T:
        if self._seconds <= 0:
            return load()
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]  # type: ignore[no-any-return]
        value = load()  # outside the lock: a slow catalog must not serialise readers
        with self._lock:
            self._entries[key] = (now + self._seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
