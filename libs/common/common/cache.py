"""A small per-process time-to-live cache for reads of another service.

Used where a read is far more frequent than the change it reflects and a few
seconds of staleness is acceptable (the gateway's public catalog reads, the
catalog item orders reads while a draft is edited). Each process keeps its own
entries; nothing is shared, so a change shows everywhere once the entries
expire. `seconds <= 0` turns the cache off (every read loads).
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

    @property
    def enabled(self) -> bool:
        return self._seconds > 0

    def get_or_load(self, key: str, load: Callable[[], T]) -> T:
        if self._seconds <= 0:
            return load()
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]  # type: ignore[no-any-return]
        value = load()  # outside the lock: a slow service must not serialise readers
        with self._lock:
            self._entries[key] = (now + self._seconds, value)
        return value

    def put(self, key: str, value: Any) -> None:
        """Remember a value read by other means (a fresh read) for the time to live."""
        if self._seconds <= 0:
            return
        expires = self._clock() + self._seconds
        with self._lock:
            self._entries[key] = (expires, value)

    def forget(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
