"""The photos reminder: `NOTIFICATIONS_REMINDER_HOURS` before a resubmission
deadline, unless the photos came (verification.resubmitted) or the order ended
first. Reminders are rows with a due time, swept by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from common.db import UnitOfWork
from notifications import domain
from notifications.models import OrderSeen, Reminder
from notifications.services import Context, document_names, write_messages

BATCH = 100


def sweep_reminders(ctx: Context, now: datetime) -> int:
    """Write the reminders due at `now`; how many."""
    with ctx.uow() as uow:
        due = uow.session.scalars(
            select(Reminder)
            .where(Reminder.due_at <= now, Reminder.sent_at.is_(None),
                   Reminder.cancelled_at.is_(None))
            .order_by(Reminder.due_at).limit(BATCH).with_for_update(skip_locked=True)
        ).all()  # fmt: skip
        for reminder in due:
            _remind(ctx, uow, reminder)
            reminder.sent_at = now
        uow.commit()
        return len(due)


def _remind(ctx: Context, uow: UnitOfWork, reminder: Reminder) -> None:
    order = uow.session.get(OrderSeen, reminder.order_id)
    if order is None:
        return  # the account was deleted
    write_messages(
        ctx, uow, event_id=f"reminder:{reminder.order_id}:{reminder.round}",
        event_type="notifications.photos_reminder", template_key="photos_reminder", order=order,
        values=lambda language: {
            "reference": order.reference,
            "documents": document_names(reminder.documents, order, language),
            "deadline": domain.beijing_time(reminder.deadline, language),
        },
    )  # fmt: skip
