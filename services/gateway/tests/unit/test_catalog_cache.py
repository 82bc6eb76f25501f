import contextlib

from gateway.clients.cache import TTLCache


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _counting_loader():
    calls = []

    def load():
        calls.append(1)
        return len(calls)

    return load, calls


def test_a_read_within_the_time_to_live_is_served_from_the_cache():
    clock = _Clock()
    cache = TTLCache(2.0, clock=clock)
    load, calls = _counting_loader()
    assert cache.get_or_load("items", load) == 1
    clock.now += 1.9
    assert cache.get_or_load("items", load) == 1
    assert len(calls) == 1


def test_an_expired_entry_is_read_again():
    clock = _Clock()
    cache = TTLCache(2.0, clock=clock)
    load, _calls = _counting_loader()
    cache.get_or_load("items", load)
    clock.now += 2.1
    assert cache.get_or_load("items", load) == 2


def test_clearing_forgets_every_entry():
    cache = TTLCache(60.0)
    load, calls = _counting_loader()
    cache.get_or_load("items", load)
    cache.clear()
    cache.get_or_load("items", load)
    assert len(calls) == 2


def test_a_time_to_live_of_zero_turns_the_cache_off():
    cache = TTLCache(0)
    load, calls = _counting_loader()
    cache.get_or_load("items", load)
    cache.get_or_load("items", load)
    assert len(calls) == 2


def test_a_failed_load_is_not_cached():
    cache = TTLCache(60.0)
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("catalog down")
        return "items"

    with contextlib.suppress(ConnectionError):
        cache.get_or_load("items", flaky)
    assert cache.get_or_load("items", flaky) == "items"
