"""The notifications worker's timers, each a sweep at `now` (an injectable clock):

send_due_messages         SMS and email due (new, retried, released after quiet hours)
sweep_photo_reminders     the reminder a day before a resubmission deadline
deliver_sandbox_receipts  the sandbox providers post their delivery receipts
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from common.clock import Clock
from common.worker import Timer
from notifications import reminders, sending
from notifications.settings import Settings
from notifications.wiring import build_context, build_receipt_sender


def timers(settings: Settings, engine: Engine, clock: Clock) -> list[Timer]:
    """Every timer of notifications' worker."""
    context = build_context(settings, engine, clock)
    sender = build_receipt_sender(settings, engine)
    interval = settings.timer_interval_seconds

    def send_due_messages(now: datetime) -> int:
        return sending.send_due(context, now)

    def sweep_photo_reminders(now: datetime) -> int:
        return reminders.sweep_reminders(context, now)

    def deliver_sandbox_receipts(now: datetime) -> int:
        return len(sender.deliver_due(now))

    return [
        ("send_due_messages", send_due_messages, interval),
        ("sweep_photo_reminders", sweep_photo_reminders, interval),
        ("deliver_sandbox_receipts", deliver_sandbox_receipts, interval),
    ]
