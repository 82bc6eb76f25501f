"""The read models: an order and its payment as the API answers them (a
staff member sees every ID number masked; verification reveals one to a
reviewer who gives a reason, and audits it), computed from the rows alone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from common.db import UnitOfWork
from orders import domain
from orders.domain import Status
from orders.models import Order, Payment, TimelineEntry, Timer
from orders.schemas import OrderOut, PaymentOut
from orders.services.base import AUTO_CONFIRM, payment_of
from orders.services.snapshot import fee_now

# One instance each, made once: a schema instance is only read while dumping
# (safe to share between threads), and building one deep-copies every field
# and nested schema, which cost more than the dump itself on every request.
ORDER_OUT = OrderOut()
PAYMENT_OUT = PaymentOut()


def payment_view(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "status": payment.status,
        "amount_fen": payment.amount_fen,
        "captured_fen": payment.captured_fen,
        "refunded_fen": payment.refunded_fen,
        "failure_reason": payment.failure_reason,
        "card_last4": payment.card_last4,
        "method": payment.method,
        "paid_at_once": domain.paid_at_once(payment.method),
        "wallet": None
        if payment.wallet_link is None
        else {
            "cashier_url"
            if payment.method == domain.PaymentMethod.WALLET_PAGE
            else "qr_payload": payment.wallet_link,
            "opened_at": payment.wallet_opened_at,
        },
        "updated_at": payment.updated_at,
    }


def blockers(order: Order, now: datetime) -> dict[str, list[str]]:
    """What stops the draft's submission now, by kind (answers, documents, delivery)."""
    return domain.submission_blockers(
        order.form_fields,
        order.answers,
        order.delivery_options,
        order.delivery,
        [] if order.documents_complete else order.documents_missing,
        domain.reference_day(now),
    )


def _price_view(order: Order, now: datetime) -> dict[str, Any] | None:
    if order.locked_price is not None:
        return order.locked_price
    if order.delivery is None:
        return None
    fee = fee_now(order, now)
    return None if fee is None else domain.quote(fee, order.delivery["kind"]).as_dict(locked=False)


def _delivery_view(delivery: dict[str, Any] | None) -> dict[str, Any] | None:
    if delivery is None:
        return None
    return {key: value for key, value in delivery.items() if key != "option_code"}


def receipt_view(timer: Timer | None) -> dict[str, Any] | None:
    """When a delivered order confirms itself: `auto_confirm_at`, or, while a
    complaint is open, `paused` with the seconds left."""
    if timer is None or timer.fired_at is not None:
        return None
    left = timer.paused_left_seconds
    return {
        "auto_confirm_at": timer.due_at if left is None else None,
        "paused": left is not None,
        "left_seconds": None if left is None else int(left),
    }


def auto_confirm_timers(uow: UnitOfWork, orders: list[Order]) -> dict[str, Timer]:
    """The pending auto-confirm timers of the delivered ones among `orders`."""
    delivered = [order.id for order in orders if order.status == Status.DELIVERED]
    if not delivered:
        return {}
    query = select(Timer).where(Timer.order_id.in_(delivered), Timer.kind == AUTO_CONFIRM)
    return {timer.order_id: timer for timer in uow.session.scalars(query)}


def order_view(
    order: Order,
    payment: Payment | None,
    now: datetime,
    *,
    for_staff: bool = False,
    auto_confirm: Timer | None = None,
) -> dict[str, Any]:
    """The order as answered; staff see its ID numbers masked."""
    ready = order.status == Status.DRAFT and not any(blockers(order, now).values())
    payable = payment is not None and domain.takes_card(payment.status)
    return {
        "id": order.id,
        "reference": order.reference,
        "item_code": order.item_code,
        "item_title": order.item_title,
        "applicant_id": order.applicant_id,
        "status": order.status,
        "answers": domain.masked_answers(order.form_fields, order.answers)
        if for_staff
        else order.answers,
        "missing_answers": domain.missing_answers(order.form_fields, order.answers),
        "delivery": _delivery_view(order.delivery),
        "required_documents": order.required_documents,
        "documents": {
            "complete": order.documents_complete,
            "missing": [] if order.documents_complete else order.documents_missing,
        },
        "price": _price_view(order, now),
        "payment": payment_view(payment) if payment is not None else None,
        "allowed_actions": domain.allowed_actions(
            order.status, ready_to_submit=ready, payable=payable
        ),
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "submitted_at": order.submitted_at,
        "pay_by": order.pay_by,
        "expected_completion": domain.expected_completion(
            order.status, order.submitted_at, order.sla_working_days
        ),
        "receipt": receipt_view(auto_confirm) if order.status == Status.DELIVERED else None,
    }


def timeline_view(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "actor": entry.actor,
        "actor_kind": entry.actor_kind,
        "code": entry.code,
        "params": entry.params,
    }


_LOOK_UP = object()


def view_of(
    uow: UnitOfWork, order: Order, payment: Any = _LOOK_UP, *, for_staff: bool = False
) -> dict[str, Any]:
    """The order as answered; `payment` when the caller already knows it (None:
    the order has none), which spares a query."""
    uow.session.flush()
    if payment is _LOOK_UP:
        payment = payment_of(uow, order)
    timer = auto_confirm_timers(uow, [order]).get(order.id)
    return order_view(order, payment, uow.clock.now(), for_staff=for_staff, auto_confirm=timer)


def current_view(uow: UnitOfWork, resource: str) -> dict[str, Any]:
    """An idempotent answer's resource ("order:<id>" or "payment:<id>") as it is now:
    what a retried request is shown (idempotency.replay)."""
    kind, _, resource_id = resource.partition(":")
    if kind == "payment":
        payment = uow.session.get(Payment, resource_id)
        if payment is not None:
            return PAYMENT_OUT.dump(payment_view(payment))  # type: ignore[no-any-return]
    elif kind == "order":
        order = uow.session.get(Order, resource_id)
        if order is not None:
            return ORDER_OUT.dump(view_of(uow, order))  # type: ignore[no-any-return]
    raise LookupError(f"an idempotency key names {resource!r}, which no longer exists")
