"""Events from verification that orders acts on: whether an order's document
set is complete, and each step of its review (orders.review has the reactions).

Verification publishes a verdict after every change to a case, each with a
growing `revision`. Orders keeps the latest revision's verdict on the order;
competing consumers may deliver an older one late, and it is then recorded
as stale and ignored. The Dispatcher's inbox already skips a redelivered
event id. A payload missing a field read here fails validation and is
dead-lettered.

A handler here is `handler(ctx, event, uow)`, with the process's Context;
`bind_handlers(ctx)` makes the Dispatcher's `(event, uow)` map of them. No
handler calls the payment provider: an approval and a rejection record, as a
timer due at once, what must happen to the money, and the worker's sweep
calls the provider outside the consumer's transaction (orders.review).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from common.db import UnitOfWork
from common.events.consumer import Handler, StaleEvent
from common.events.envelope import Envelope
from orders import domain, review
from orders.models import Order
from orders.services import Context

log = logging.getLogger("orders.handlers")

DOCUMENT_SET_COMPLETED = "verification.document_set_completed"
DOCUMENT_SET_INCOMPLETE = "verification.document_set_incomplete"
REVIEW_STARTED = "verification.review_started"
APPROVED = "verification.approved"
RESUBMISSION_REQUESTED = "verification.resubmission_requested"
RESUBMITTED = "verification.resubmitted"
REJECTED = "verification.rejected"

_CODE = fields.String(validate=validate.Length(min=1, max=64))


class _Verdict(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    revision = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class DocumentSetCompleted(_Verdict):
    """What orders reads of verification.document_set_completed."""

    documents = fields.List(_CODE, required=True)


class DocumentSetIncomplete(_Verdict):
    """What orders reads of verification.document_set_incomplete."""

    missing = fields.List(_CODE, required=True, validate=validate.Length(min=1))


_ID = fields.String(required=True, validate=validate.Length(min=1, max=100))
_NOTE = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class _CaseEvent(Schema):
    class Meta:
        unknown = EXCLUDE

    order_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReviewStarted(_CaseEvent):
    """What orders reads of verification.review_started."""

    reviewer_id = _ID


class Approved(_CaseEvent):
    """What orders reads of verification.approved."""

    reviewer_id = _ID
    approved_at = fields.AwareDateTime(required=True)


class _RefusedDocument(Schema):
    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reason_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    note = _NOTE


class ResubmissionRequested(_CaseEvent):
    """What orders reads of verification.resubmission_requested (`reviewer_id`
    names the reviewer on the timeline; an event without it still counts)."""

    round = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    deadline = fields.AwareDateTime(required=True)
    documents = fields.List(
        fields.Nested(_RefusedDocument), required=True, validate=validate.Length(min=1)
    )
    reviewer_id = fields.String(load_default=None, allow_none=True)


class Resubmitted(_CaseEvent):
    """What orders reads of verification.resubmitted."""

    round = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class Rejected(_CaseEvent):
    """What orders reads of verification.rejected (`rejected_by`: a staff id or `system`)."""

    reason_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    note = _NOTE
    rejected_by = _ID


def start_review(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
    data = ReviewStarted().load(event.data)
    review.start_review(uow, review.order_under_review(uow, data["order_id"]), data["reviewer_id"])


def approve(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
    data = Approved().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    review.approve(uow, order, data["reviewer_id"], data["approved_at"])


def ask_for_new_photos(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
    data = ResubmissionRequested().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    review.ask_for_new_photos(uow, order, data, data["reviewer_id"])


def back_in_review(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
    data = Resubmitted().load(event.data)
    review.photos_resubmitted(uow, review.order_under_review(uow, data["order_id"]), data["round"])


def reject(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
    data = Rejected().load(event.data)
    order = review.order_under_review(uow, data["order_id"])
    review.reject(uow, order, data["reason_code"], data["note"], data["rejected_by"])


def record_documents_complete(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
    data = DocumentSetCompleted().load(event.data)
    _record_verdict(uow, data, complete=True, missing=[])


def record_documents_incomplete(ctx: Context, event: Envelope, uow: UnitOfWork) -> None:
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


ContextHandler = Callable[[Context, Envelope, UnitOfWork], None]

HANDLERS: dict[str, ContextHandler] = {
    DOCUMENT_SET_COMPLETED: record_documents_complete,
    DOCUMENT_SET_INCOMPLETE: record_documents_incomplete,
    REVIEW_STARTED: start_review,
    APPROVED: approve,
    RESUBMISSION_REQUESTED: ask_for_new_photos,
    RESUBMITTED: back_in_review,
    REJECTED: reject,
}
BINDINGS = list(HANDLERS)


def bind_handlers(ctx: Context) -> dict[str, Handler]:
    """The Dispatcher's map: each handler with the process's Context."""
    return {event_type: partial(handler, ctx) for event_type, handler in HANDLERS.items()}


# What orders reads of each event it consumes; the contract tests load every
# producer's example through these.
CONSUMED: dict[str, type[Schema]] = {
    DOCUMENT_SET_COMPLETED: DocumentSetCompleted,
    DOCUMENT_SET_INCOMPLETE: DocumentSetIncomplete,
    REVIEW_STARTED: ReviewStarted,
    APPROVED: Approved,
    RESUBMISSION_REQUESTED: ResubmissionRequested,
    RESUBMITTED: Resubmitted,
    REJECTED: Rejected,
}
