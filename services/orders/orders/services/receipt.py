"""Receipt and completion: the applicant confirms receipt of a delivered
order, or the auto-confirm timer does it ORDERS_AUTO_CONFIRM_DAYS after the
delivery; either completes the order and publishes `orders.completed` (the
catalog counts the deal).

While a complaint about the order is open (ratings' `complaint_opened` …
`complaint_closed`) the timer is paused: it keeps the time it had left
(`timers.paused_left_seconds`; the sweep skips it) and is due that much after
the last open complaint closed (domain.receipt). A complaint's two events may
arrive in either order; a closing seen first means the opening pauses nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from common.auth import Identity
from common.db import UnitOfWork
from common.errors import Conflict, Forbidden
from common.events.consumer import StaleEvent
from orders import domain, events
from orders.domain import Action, Actor, Status
from orders.domain.timeline import Entry, iso, seconds
from orders.models import Order, OrderComplaint
from orders.services.base import (
    AUTO_CONFIRM,
    move,
    note,
    own_order,
    pending_timer,
    publish,
    set_timer,
)
from orders.services.context import SYSTEM_ACTOR, Context
from orders.services.views import view_of

CONFIRMED, AUTO = "confirmed", "auto"


def _complete(
    uow: UnitOfWork, order: Order, actor: Actor, who: str, how: str,
    code: Entry, params: dict[str, Any],
) -> None:  # fmt: skip
    move(uow, order, Action.CONFIRM, actor, who, code, params)
    timer = pending_timer(uow, order, AUTO_CONFIRM)
    if timer is not None:  # confirmed by the applicant: the timer has nothing left to do
        timer.fired_at, timer.paused_left_seconds = uow.clock.now(), None
    publish(uow, order, events.COMPLETED, {
        "order_id": order.id, "reference": order.reference, "item_code": order.item_code,
        "applicant_id": order.applicant_id, "completed_at": uow.clock.now(), "how": how,
    })  # fmt: skip


# --- the applicant ---------------------------------------------------------------------


def confirm_receipt(ctx: Context, who: Identity, order_id: str) -> dict[str, Any]:
    """delivered → completed, by the order's applicant; 409 naming the state otherwise."""
    if who.is_staff:
        raise Forbidden("Only the applicant confirms that the order was received.")
    with ctx.uow() as uow:
        order = own_order(uow, order_id, who)
        _check_delivered(order)
        _complete(uow, order, Actor.APPLICANT, who.subject, CONFIRMED,
                  Entry.RECEIPT_CONFIRMED, {})  # fmt: skip
        view = view_of(uow, order)
        uow.commit()
        return view


def _check_delivered(order: Order) -> None:
    """409 whose `errors.status` is the state itself (`shipped`), as the gateway and
    the applicant's API promise, so a client can say why without parsing a sentence."""
    try:
        domain.next_status(order.status, Action.CONFIRM, Actor.APPLICANT)
    except domain.IllegalTransition as error:
        raise Conflict(error.message, errors={"status": [order.status]}) from None


# --- the timer -------------------------------------------------------------------------


def _open_complaints(uow: UnitOfWork, order: Order) -> int:
    return int(
        uow.session.scalar(
            select(func.count()).where(
                OrderComplaint.order_id == order.id,
                OrderComplaint.opened_at.is_not(None),
                OrderComplaint.closed_at.is_(None),
            )
        )
        or 0
    )


def start_auto_confirm(
    uow: UnitOfWork, order: Order, delivered_at: datetime, period: timedelta
) -> None:
    """Due `period` after the delivery; paused from the start if a complaint is open."""
    set_timer(uow, order, AUTO_CONFIRM, domain.auto_confirm_due(delivered_at, period),
              {"delivered_at": delivered_at.isoformat()})  # fmt: skip
    if domain.is_paused(_open_complaints(uow, order)):
        timer = pending_timer(uow, order, AUTO_CONFIRM)
        assert timer is not None
        timer.paused_left_seconds = period.total_seconds()
        note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.AUTO_CONFIRM_PAUSED)


def auto_confirm(ctx: Context, uow: UnitOfWork, order: Order, _details: dict[str, Any]) -> bool:
    """The timer's work: completed, `how: auto`. False when the order left `delivered`
    (confirmed by the applicant, or cancelled by a supervisor)."""
    if order.status != Status.DELIVERED:
        return False
    _complete(uow, order, Actor.SYSTEM, SYSTEM_ACTOR, AUTO, Entry.RECEIPT_AUTO_CONFIRMED,
              {"after_seconds": seconds(ctx.auto_confirm)})  # fmt: skip
    return True


# --- rating --------------------------------------------------------------------------


def invited_to_rate(uow: UnitOfWork, order: Order, rate_by: datetime) -> None:
    """Ratings invited the applicant to rate the completed order: a timeline entry
    (the gateway links it to the rating page)."""
    if order.status != Status.COMPLETED:
        raise StaleEvent(f"a rating invitation for an order that is {order.status}")
    note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.RATING_INVITED, {"rate_by": iso(rate_by)})


# --- complaints ------------------------------------------------------------------------


def complaint_opened(uow: UnitOfWork, order: Order, complaint_id: str, at: datetime) -> None:
    """A complaint opened: the timer pauses with the time it has left at `at`."""
    complaint = uow.session.get(OrderComplaint, (order.id, complaint_id), with_for_update=True)
    if complaint is not None and complaint.opened_at is not None:
        raise StaleEvent(f"complaint {complaint_id} was already opened")
    if complaint is not None:  # its closing came first: nothing to pause
        complaint.opened_at = at
        return
    uow.session.add(OrderComplaint(order_id=order.id, complaint_id=complaint_id, opened_at=at))
    uow.session.flush()
    timer = pending_timer(uow, order, AUTO_CONFIRM)
    if timer is None or timer.paused_left_seconds is not None:
        note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.COMPLAINT_OPENED,
             {"complaint_id": complaint_id, "paused_left_seconds": None})  # fmt: skip
        return
    left = domain.time_left(timer.due_at, at)
    timer.paused_left_seconds = left.total_seconds()
    note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.COMPLAINT_OPENED,
         {"complaint_id": complaint_id, "paused_left_seconds": seconds(left)})  # fmt: skip


def complaint_closed(uow: UnitOfWork, order: Order, complaint_id: str, at: datetime) -> None:
    """A complaint closed: once none is open the timer is due what it had left after `at`."""
    complaint = uow.session.get(OrderComplaint, (order.id, complaint_id), with_for_update=True)
    if complaint is not None and complaint.closed_at is not None:
        raise StaleEvent(f"complaint {complaint_id} was already closed")
    if complaint is None:  # the opening is still on its way: it will pause nothing
        uow.session.add(OrderComplaint(order_id=order.id, complaint_id=complaint_id, closed_at=at))
        return
    complaint.closed_at = at
    uow.session.flush()
    timer = pending_timer(uow, order, AUTO_CONFIRM)
    if domain.is_paused(_open_complaints(uow, order)) or timer is None:
        note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.COMPLAINT_CLOSED,
             {"complaint_id": complaint_id, "resumed_left_seconds": None})  # fmt: skip
        return
    if timer.paused_left_seconds is not None:
        left = timedelta(seconds=timer.paused_left_seconds)
        timer.due_at, timer.paused_left_seconds = domain.resumed_due(left, at), None
        note(uow, order, SYSTEM_ACTOR, Actor.SYSTEM, Entry.COMPLAINT_CLOSED,
             {"complaint_id": complaint_id, "resumed_left_seconds": seconds(left)})  # fmt: skip
