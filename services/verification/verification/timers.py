"""The worker's timers: what verification does on the clock rather than on an
event. Each is a `(name, sweep, interval)` for common.worker, its sweep run
every VERIFICATION_TIMER_INTERVAL_SECONDS with the worker's clock:

- `resubmission_deadlines`: rejects the cases whose applicant let the
  deadline for new photos pass (resubmission.reject_missed_deadlines);
- `purge_pictures`: deletes the pictures of the cases whose order has been
  final for longer than VERIFICATION_RETENTION_DAYS (retention.purge_sweep);
- `sweep_orphan_pictures`: hourly, deletes encrypted files no document row
  names, left by an upload that never committed (orphans.sweep_orphans).

The rules live in those modules; this one only wires them to the worker.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.db import unit_of_work_factory
from common.worker import Timer
from verification.orphans import SWEEP_EVERY_SECONDS, sweep_orphans
from verification.resubmission import reject_missed_deadlines
from verification.retention import purge_sweep
from verification.settings import SERVICE, Settings
from verification.storage import open_store


def timers(settings: Settings, engine: Engine, clock: Clock) -> list[Timer]:
    """Every timer of verification's worker."""
    return [
        purge_timer(settings, engine, clock),
        deadline_timer(settings, engine, clock),
        orphan_timer(settings, engine, clock),
    ]


def deadline_timer(settings: Settings, engine: Engine, clock: Clock) -> Timer:
    uow_factory = unit_of_work_factory(engine, SERVICE, clock)

    def sweep(now: datetime) -> int:
        return reject_missed_deadlines(uow_factory, now)

    return ("resubmission_deadlines", sweep, settings.timer_interval_seconds)


def purge_timer(settings: Settings, engine: Engine, clock: Clock) -> Timer:
    sweep = purge_sweep(
        unit_of_work_factory(engine, SERVICE, clock), open_store(settings), settings.retention
    )
    return ("purge_pictures", sweep, settings.timer_interval_seconds)


def orphan_timer(settings: Settings, engine: Engine, clock: Clock) -> Timer:
    uow_factory = unit_of_work_factory(engine, SERVICE, clock)
    store = open_store(settings)

    def sweep(_now: datetime) -> int:
        return sweep_orphans(uow_factory, store, time.time())

    return ("sweep_orphan_pictures", sweep, SWEEP_EVERY_SECONDS)
