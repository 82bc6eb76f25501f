"""The statistics' cache keeps a value for its time to live and never more than
its limit of keys."""

from __future__ import annotations

from gateway.clients.stats_cache import BoundedTTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_kept_for_its_time_to_live_then_read_again() -> None:
    clock, loads = Clock(), []
    cache = BoundedTTLCache(5, clock=clock)
    for _ in range(3):
        assert cache.get_or_load("30d", lambda: loads.append(1) or len(loads)) == 1
    clock.now = 5.1
    assert cache.get_or_load("30d", lambda: loads.append(1) or len(loads)) == 2


def test_the_cache_never_holds_more_keys_than_its_limit() -> None:
    cache = BoundedTTLCache(60, limit=3, clock=Clock())
    for n in range(10):
        cache.get_or_load(f"item-{n}", lambda n=n: n)
        assert len(cache) <= 3


def test_zero_seconds_keeps_nothing() -> None:
    cache, loads = BoundedTTLCache(0), []
    for _ in range(2):
        cache.get_or_load("30d", lambda: loads.append(1))
    assert len(loads) == 2 and len(cache) == 0
