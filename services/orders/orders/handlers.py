"""Events orders acts on: from verification, whether an order's document set
is complete and each step of its review (orders.services.review has the
reactions); from fulfillment, each step of production and delivery
(orders.services.delivery); from ratings, complaints opened and closed, which
pause the auto-confirm timer, and the invitation to rate, a timeline entry
(orders.services.receipt).

Verification publishes a verdict after every change to a case, each with a
growing `revision`. Orders keeps the latest revision's verdict on the order;
competing consumers may deliver an older one late, and it is then recorded
as stale and ignored. The Dispatcher's inbox already skips a redelivered
event id. A payload missing a field read here fails validation and is
dead-lettered.

A handler here is `handler(event, uow)`, wired in HANDLERS. No handler calls
the payment provider: an approval and a rejection record, as a timer due at
once, what must happen to the money, and the worker's sweep (orders.timers)
calls the provider outside the consumer's transaction. What orders reads of
each event is in orders.schemas.consumed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from marshmallow import Schema

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from orders import domain
from orders.models import Order
from orders.schemas.consumed import (
    APPROVED,
    COMPLAINT_CLOSED,
    COMPLAINT_OPENED,
    CONSUMED,
    DELIVERED,
    DELIVERY_ATTEMPT_FAILED,
    DELIVERY_EXCEPTION,
    DISPATCHED,
    DOCUMENT_SET_COMPLETED,
    DOCUMENT_SET_INCOMPLETE,
    PICKUP_REMINDER_DUE,
    PRODUCED,
    PRODUCTION_STARTED,
    RATING_INVITED,
    READY_FOR_PICKUP,
    REJECTED,
    RESUBMISSION_REQUESTED,
    RESUBMITTED,
    REVIEW_STARTED,
    TRACKING_UPDATED,
    Approved,
    ComplaintClosed,
    ComplaintOpened,
    Delivered,
    DeliveryAttemptFailed,
    DeliveryException,
    Dispatched,
    DocumentSetCompleted,
    DocumentSetIncomplete,
    PickupReminderDue,
    Produced,
    ProductionStarted,
    RatingInvited,
    ReadyForPickup,
    Rejected,
    ResubmissionRequested,
    Resubmitted,
    ReviewStarted,
    TrackingUpdated,
)
from orders.services import delivery, receipt, review

log = logging.getLogger("orders.handlers")


def start_review(event: Envelope, uow: UnitOfWork) -> None:
    data = ReviewStarted().load(event.data)
    review.start_review(uow, review.order_under_review(uow, data["order_id"]), data["reviewer_id"])


def approve(event: Envelope, uow: UnitOfWork) -> None:
    data = Approved().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    review.approve(uow, order, data["reviewer_id"], data["approved_at"])


def ask_for_new_photos(event: Envelope, uow: UnitOfWork) -> None:
    data = ResubmissionRequested().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    review.ask_for_new_photos(uow, order, data, data["reviewer_id"])


def back_in_review(event: Envelope, uow: UnitOfWork) -> None:
    data = Resubmitted().load(event.data)
    review.photos_resubmitted(uow, review.order_under_review(uow, data["order_id"]), data["round"])


def reject(event: Envelope, uow: UnitOfWork) -> None:
    data = Rejected().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    review.reject(uow, order, data["reason_code"], data["note"], data["rejected_by"])


def record_documents_complete(event: Envelope, uow: UnitOfWork) -> None:
    data = DocumentSetCompleted().load(event.data)
    _record_verdict(uow, data, complete=True, missing=[])


def record_documents_incomplete(event: Envelope, uow: UnitOfWork) -> None:
    data = DocumentSetIncomplete().load(event.data)
    _record_verdict(uow, data, complete=False, missing=data["missing"])


def _record_verdict(
    uow: UnitOfWork, data: dict[str, Any], *, complete: bool, missing: list[str]
) -> None:
    order = uow.session.get(Order, data["order_id"], with_for_update=True)
    if order is None:
        # Orders creates every order before verification hears of it: this one will never exist.
        raise StaleEvent(f"there is no order {data['order_id']}")
    if not domain.is_newer_revision(order.documents_revision, data["revision"]):
        raise StaleEvent(
            f"revision {data['revision']} is not newer than {order.documents_revision} held"
        )
    order.documents_revision = data["revision"]
    order.documents_complete = complete
    order.documents_missing = missing
    # An upload is activity on a draft: the idle timer sees the later time and waits on.
    order.updated_at = uow.clock.now()


# --- fulfillment: production and delivery (orders.services.delivery) ---------------------


def _on(schema: type[Schema], react: Callable[[UnitOfWork, dict[str, Any]], None]) -> Handler:
    """A handler that loads what orders reads of the event, then reacts to it."""

    def handle(event: Envelope, uow: UnitOfWork) -> None:
        react(uow, schema().load(event.data))

    handle.__name__ = react.__name__
    return handle


def record_delivery(auto_confirm: timedelta) -> Handler:
    """fulfillment.delivered: delivered, and the auto-confirm timer starts (`auto_confirm` after)."""

    def handle(event: Envelope, uow: UnitOfWork) -> None:
        delivery.deliver(uow, Delivered().load(event.data), auto_confirm)

    return handle


# --- ratings: complaints pause the auto-confirm timer (orders.services.receipt) ---------


def open_complaint(event: Envelope, uow: UnitOfWork) -> None:
    data = ComplaintOpened().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    receipt.complaint_opened(uow, order, data["complaint_id"], data["occurred_at"])


def close_complaint(event: Envelope, uow: UnitOfWork) -> None:
    data = ComplaintClosed().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    receipt.complaint_closed(uow, order, data["complaint_id"], data["occurred_at"])


def record_rating_invitation(event: Envelope, uow: UnitOfWork) -> None:
    data = RatingInvited().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    receipt.invited_to_rate(uow, order, data["rate_by"])


DEFAULT_AUTO_CONFIRM = timedelta(days=7)


def build_handlers(auto_confirm: timedelta = DEFAULT_AUTO_CONFIRM) -> dict[str, Handler]:
    """Every handler by the event it handles; the delivery's needs the
    auto-confirm period (ORDERS_AUTO_CONFIRM_DAYS)."""
    return {
        DOCUMENT_SET_COMPLETED: record_documents_complete,
        DOCUMENT_SET_INCOMPLETE: record_documents_incomplete,
        REVIEW_STARTED: start_review,
        APPROVED: approve,
        RESUBMISSION_REQUESTED: ask_for_new_photos,
        RESUBMITTED: back_in_review,
        REJECTED: reject,
        PRODUCTION_STARTED: _on(ProductionStarted, delivery.start_production),
        PRODUCED: _on(Produced, delivery.record_produced),
        DISPATCHED: _on(Dispatched, delivery.ship),
        TRACKING_UPDATED: _on(TrackingUpdated, delivery.record_tracking),
        DELIVERY_ATTEMPT_FAILED: _on(DeliveryAttemptFailed, delivery.record_failed_attempt),
        READY_FOR_PICKUP: _on(ReadyForPickup, delivery.offer_pickup),
        PICKUP_REMINDER_DUE: _on(PickupReminderDue, delivery.remind_pickup),
        DELIVERED: record_delivery(auto_confirm),
        DELIVERY_EXCEPTION: _on(DeliveryException, delivery.report_exception),
        COMPLAINT_OPENED: open_complaint,
        COMPLAINT_CLOSED: close_complaint,
        RATING_INVITED: record_rating_invitation,
    }


# The map at the default period, for what only reads the bindings (the contract tests);
# the worker builds its own from its settings.
HANDLERS: dict[str, Handler] = build_handlers()
BINDINGS = list(HANDLERS)


__all__ = ["BINDINGS", "CONSUMED", "HANDLERS", "build_handlers"]
