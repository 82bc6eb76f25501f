"""Inviting the applicant to rate: once, `invite_after` after completion, only
while the order is unrated and its window is open (never default-positive:
an order nobody rates adds nothing to any figure)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ratings import events
from ratings.models import Order
from ratings.services import Context


def invite_unrated(ctx: Context, now: datetime, limit: int = 200) -> int:
    with ctx.uow() as uow:
        orders = uow.session.scalars(
            select(Order)
            .where(Order.completed_at <= now - ctx.invite_after)
            .where(Order.completed_at > now - ctx.window)
            .where(Order.invited_at.is_(None), Order.rated.is_(False))
            .where(Order.applicant_id.is_not(None), Order.item_code.is_not(None))
            .order_by(Order.completed_at).limit(limit).with_for_update(skip_locked=True)
        ).all()  # fmt: skip
        for order in orders:
            assert order.completed_at is not None and order.applicant_id and order.item_code
            order.invited_at = now
            uow.publish(events.RATING_INVITED, events.payload(events.RATING_INVITED, {
                "order_id": order.order_id, "applicant_id": order.applicant_id,
                "item_code": order.item_code, "rate_by": order.completed_at + ctx.window,
                "occurred_at": now,
            }), correlation_id=order.order_id)  # fmt: skip
        uow.commit()
        return len(orders)
