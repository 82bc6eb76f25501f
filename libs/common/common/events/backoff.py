"""Exponential backoff with jitter, shared by every reconnecting loop."""

from __future__ import annotations

import random


class Backoff:
    """Delays that double after each failure, up to a ceiling, reset on success.

    Jitter keeps a fleet of workers that lost the broker together from
    reconnecting in lockstep.
    """

    def __init__(self, first: float = 0.1, ceiling: float = 10.0) -> None:
        self._first = first
        self._ceiling = ceiling
        self._next = first

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * 2, self._ceiling)
        return delay * random.uniform(0.8, 1.2)

    def reset(self) -> None:
        self._next = self._first
