"""The ratings worker's timers, each a sweep at `now` (an injectable clock):

invite_unrated    an order completed 3 days ago and still unrated is invited, once
expire_answered   an answered case its applicant left alone 7 days closes (no_response)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.worker import Timer
from ratings import complaints, invitations
from ratings.settings import Settings
from ratings.wiring import build_context


def timers(settings: Settings, engine: Engine, clock: Clock) -> list[Timer]:
    """Every timer of the ratings worker."""
    ctx = build_context(settings, engine, clock)
    interval = settings.timer_interval_seconds

    def invite_unrated(now: datetime) -> int:
        return invitations.invite_unrated(ctx, now)

    def expire_answered(now: datetime) -> int:
        return complaints.expire_answered(ctx, now)

    return [
        ("invite_unrated", invite_unrated, interval),
        ("expire_answered", expire_answered, interval),
    ]
