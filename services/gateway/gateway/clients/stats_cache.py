"""The public statistics kept for a few seconds in each gateway process.

Ratings' figures are counts of whole days, the same for every visitor, and
the /stats page is opened far more often than they change; each process keeps
ratings' answer, and the page it built for a visitor not signed in, for
GATEWAY_STATS_CACHE_SECONDS (5 s by default; 0 turns both off). Keys come
from what a caller sends (an item code, the Host header), so the cache holds
at most `limit` of them: when full it starts again empty rather than grow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from common.cache import TTLCache

T = TypeVar("T")
LIMIT = 256


class BoundedTTLCache(TTLCache):
    def __init__(
        self, seconds: float, limit: int = LIMIT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(seconds, clock)
        self._limit = limit

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get_or_load(self, key: str, load: Callable[[], T]) -> T:
        if self.enabled and len(self) >= self._limit:
            self.clear()
        return super().get_or_load(key, load)
