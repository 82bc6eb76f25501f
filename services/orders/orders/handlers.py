"""Events from verification that orders acts on: whether an order's document
set is complete, and each step of its review (orders.services.review has the reactions).

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
from typing import Any

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from orders import domain
from orders.models import Order
from orders.schemas.consumed import (
    APPROVED,
    CONSUMED,
    DOCUMENT_SET_COMPLETED,
    DOCUMENT_SET_INCOMPLETE,
    REJECTED,
    RESUBMISSION_REQUESTED,
    RESUBMITTED,
    REVIEW_STARTED,
    Approved,
    DocumentSetCompleted,
    DocumentSetIncomplete,
    Rejected,
    ResubmissionRequested,
    Resubmitted,
    ReviewStarted,
)
from orders.services import review

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


HANDLERS: dict[str, Handler] = {
    DOCUMENT_SET_COMPLETED: record_documents_complete,
    DOCUMENT_SET_INCOMPLETE: record_documents_incomplete,
    REVIEW_STARTED: start_review,
    APPROVED: approve,
    RESUBMISSION_REQUESTED: ask_for_new_photos,
    RESUBMITTED: back_in_review,
    REJECTED: reject,
}
BINDINGS = list(HANDLERS)


__all__ = ["BINDINGS", "CONSUMED", "HANDLERS"]
