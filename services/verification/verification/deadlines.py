"""The resubmission deadline as one of the worker's timers: every sweep rejects
the cases whose applicant let the deadline pass (resubmission.reject_missed_deadlines)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.db import UnitOfWork, make_session_factory
from common.worker import Timer
from verification.resubmission import reject_missed_deadlines
from verification.settings import SERVICE, Settings


def deadline_timer(settings: Settings, engine: Engine, clock: Clock) -> Timer:
    sessions = make_session_factory(engine)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions, SERVICE, clock)

    def sweep(now: datetime) -> int:
        return reject_missed_deadlines(uow_factory, now)

    return ("resubmission_deadlines", sweep, settings.timer_interval_seconds)
