"""The reads: an order, a list of orders, an order's timeline, a payment.
Another applicant's order or payment is 404, never 403; staff read them all.

Each read takes several queries (the order, its payment, its timer), and a
webhook may commit between them: every read sees one snapshot
(UnitOfWork.read_one_snapshot), so an order is never shown still awaiting
payment beside its payment already authorised."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from common.auth import Identity
from common.errors import NotFound
from orders.models import Order, Payment, TimelineEntry
from orders.services.base import find_order, is_uuid
from orders.services.context import Context
from orders.services.views import (
    auto_confirm_timers,
    order_view,
    payment_view,
    timeline_view,
    view_of,
)


def get_order(ctx: Context, who: Identity, order_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        return view_of(uow, find_order(uow, order_id, who), for_staff=who.is_staff)


def list_orders(
    ctx: Context, who: Identity, status: str | None, limit: int
) -> list[dict[str, Any]]:
    """The caller's orders (staff: everyone's), newest first."""
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        query = select(Order).order_by(Order.created_at.desc(), Order.reference.desc()).limit(limit)
        if not who.is_staff:
            query = query.where(Order.applicant_id == who.subject)
        if status is not None:
            query = query.where(Order.status == status)
        orders = list(uow.session.scalars(query))
        payments = {
            payment.order_id: payment
            for payment in uow.session.scalars(
                select(Payment).where(Payment.order_id.in_([order.id for order in orders]))
            )
        }
        timers = auto_confirm_timers(uow, orders)
        now = uow.clock.now()
        return [
            order_view(order, payments.get(order.id), now, for_staff=who.is_staff,
                       auto_confirm=timers.get(order.id))
            for order in orders
        ]  # fmt: skip


def timeline(ctx: Context, who: Identity, order_id: str) -> list[dict[str, Any]]:
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        order = find_order(uow, order_id, who)
        entries = uow.session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.order_id == order.id)
            .order_by(TimelineEntry.id)
        )
        return [timeline_view(entry) for entry in entries]


def get_payment(ctx: Context, who: Identity, payment_id: str) -> dict[str, Any]:
    with ctx.uow() as uow:
        uow.read_one_snapshot()
        payment = uow.session.get(Payment, payment_id) if is_uuid(payment_id) else None
        order = uow.session.get(Order, payment.order_id) if payment else None
        if (
            payment is None
            or order is None
            or (not who.is_staff and order.applicant_id != who.subject)
        ):
            raise NotFound(f"There is no payment {payment_id}.")
        return payment_view(payment)
