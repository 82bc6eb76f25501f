"""Receipt: the auto-confirm timer after delivery, and its pause while a
complaint about the order is open. Pure arithmetic on times.

The timer is due `period` after delivery. A complaint pauses it: what was left
is kept and the due time is forgotten; when the last open complaint closes it
is due again that much after the closing. Several complaints: paused while
any is open, resumed once, when none is left.
"""

from __future__ import annotations

from datetime import datetime, timedelta

ZERO = timedelta(0)


def auto_confirm_due(delivered_at: datetime, period: timedelta) -> datetime:
    return delivered_at + period


def time_left(due_at: datetime, paused_at: datetime) -> timedelta:
    """What a timer due at `due_at` has left when paused at `paused_at` (never negative)."""
    return max(due_at - paused_at, ZERO)


def resumed_due(left: timedelta, resumed_at: datetime) -> datetime:
    return resumed_at + left


def is_paused(open_complaints: int) -> bool:
    return open_complaints > 0
