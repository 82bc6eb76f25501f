"""Encrypted files that no document row names (an upload that wrote its files
and never committed) are swept once they are older than the grace period;
referenced files, and orphans still within the grace, stay. Real files, real
PostgreSQL."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from verification.orphans import sweep_orphans
from verification.storage import open_store
from verification.timers import orphan_timer

from .conftest import make_settings, stored_files

HOUR = 3600.0


def _age(store, name: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(store.root / name[:2] / name, (then, then))


def test_orphans_older_than_the_grace_are_deleted_and_referenced_files_stay(
    orders, uploads, photo, uow_factory, database_url, storage_dir
) -> None:
    order_id = orders.draft()
    uploads.uploaded(order_id, "id_card_front", photo(1))
    store = open_store(make_settings(database_url, storage_dir))
    referenced = stored_files(storage_dir)
    for name in store.names():
        _age(store, name, 5 * HOUR)  # old, but a row names them
    crashed = store.put(b"an ID card whose row never committed")
    in_flight = store.put(b"an upload committing right now")
    _age(store, crashed, 2 * HOUR)

    assert sweep_orphans(uow_factory, store, time.time(), grace=timedelta(hours=1)) == 1

    assert not store.exists(crashed)
    assert store.exists(in_flight)
    left = stored_files(storage_dir)
    assert set(referenced) <= set(left) and len(left) == len(referenced) + 1


def test_the_workers_timer_ages_files_by_the_real_time_not_its_clock(
    db, clock, database_url, storage_dir
) -> None:
    settings = make_settings(database_url, storage_dir)
    name, sweep, interval = orphan_timer(settings, db, clock)
    store = open_store(settings)
    in_flight = store.put(b"an upload committing right now")
    clock.advance(timedelta(days=10))  # a test's or an operator's clock moved ahead
    assert sweep(clock.now()) == 0
    assert store.exists(in_flight)
    assert (name, interval) == ("sweep_orphan_pictures", 3600.0)
